// The scheduler's view of journal connections: one nightly job per enabled, unpaused connection,
// at its cron and time zone (SYNC_CRON / SYNC_TIMEZONE when it sets none).
import { listScheduledConnections } from '../db/repositories/connections.js';
import type { JobLoader } from '../scheduler/jobs.js';
import type { NightlyJob } from '../scheduler/nightly.js';
import { startNightlySync } from './start-sync.js';

export const reconcileJobLoader: JobLoader = async ({ config, pool, temporal }) => {
  const connections = await listScheduledConnections(pool);
  return connections.map(
    (c): NightlyJob => ({
      key: `reconcile/${c.id}`,
      cron: c.cron ?? config.SYNC_CRON,
      timezone: c.timezone ?? config.SYNC_TIMEZONE,
      start: async (runDate) => ({ started: (await startNightlySync({ pool, temporal, config }, c.id, runDate)).started }),
    }),
  );
};
