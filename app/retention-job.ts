// The nightly purge of personal data past its age, as one more scheduler job (see db/repositories/retention.ts).
import { purgeExpiredPersonalData } from '../db/repositories/retention.js';
import type { Logger } from '../infra/logger.js';
import type { JobLoader } from '../scheduler/jobs.js';

export const retentionJobLoader =
  (logger: Logger): JobLoader =>
  async ({ config, pool }) => [
    {
      key: 'retention/personal-data',
      cron: config.RETENTION_CRON,
      timezone: config.SYNC_TIMEZONE,
      async start() {
        const purged = await purgeExpiredPersonalData(pool, { otpOutboxMs: config.RETENTION_OTP_OUTBOX, rateLimitsMs: config.RETENTION_RATE_LIMITS });
        logger.info({ ...purged }, 'expired personal data purged');
        return { started: true };
      },
    },
  ];
