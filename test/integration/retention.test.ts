// Issue 17 item 7: outbox recipients and old rate-limit rows do not stay forever. The rows are made by
// the production paths (the outbox sender, the API's rate limiter); the purge is the scheduler's job.
import { describe, expect, it } from 'vitest';
import { retentionJobLoader } from '../../app/retention-job.js';
import { purgeExpiredPersonalData } from '../../db/repositories/retention.js';
import { outboxOtpSender } from '../../adapters/otp/outbox.js';
import { loadConfig } from '../../infra/config.js';
import { createLogger } from '../../infra/logger.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool }));
const api = useTestApi(db, temporal);
const DAY = 86400_000;

describe('personal data retention', () => {
  it('the nightly job masks outbox recipients and drops rate-limit rows past their age, and only those', async () => {
    const logger = createLogger('silent');
    const sender = outboxOtpSender({ db: db.pool, logger, keepCodes: true });
    await sender.send({ channel: 'sms', recipient: '+79161112233', code: '123456', purpose: 'signup' });
    await api.call('GET', '/v1/invites/not-a-real-token-but-long-enough-0000');
    const before = await db.pool.query(`SELECT count(*)::int AS n FROM rate_limits`);
    expect(before.rows[0].n).toBeGreaterThan(0);

    const config = loadConfig({ DATABASE_URL: 'postgres://unused/x', RETENTION_OTP_OUTBOX: '7d', RETENTION_RATE_LIMITS: '2d' });
    const [job] = await retentionJobLoader(logger)({ config, pool: db.pool, temporal: temporal.client });
    expect(job!.key).toBe('retention/personal-data');

    // Today nothing is old enough: nothing changes.
    await job!.start('2026-12-05');
    const fresh = await db.pool.query(`SELECT recipient, code FROM otp_outbox`);
    expect(fresh.rows).toEqual([{ recipient: '+79161112233', code: '123456' }]);

    // Eight days on (the purge's clock moved, not the rows): the recipient is masked, the code gone, the limits dropped.
    const later = new Date(Date.now() + 8 * DAY);
    const purged = await purgeExpiredPersonalData(db.pool, { otpOutboxMs: 7 * DAY, rateLimitsMs: 2 * DAY }, later);
    expect(purged.outboxRows).toBe(1);
    expect(purged.rateLimitRows).toBe(before.rows[0].n);
    const old = await db.pool.query(`SELECT recipient, recipient_masked, code FROM otp_outbox`);
    expect(old.rows[0].recipient).toBe(old.rows[0].recipient_masked);
    expect(old.rows[0].recipient).not.toContain('1112233');
    expect(old.rows[0].code).toBeNull();
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM rate_limits`)).rows[0].n).toBe(0);
  });
});
