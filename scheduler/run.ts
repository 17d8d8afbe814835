import type { Client } from '@temporalio/client';
import type { Config } from '../infra/config.js';
import type { Stoppable } from '../infra/lifecycle.js';
import type { Logger } from '../infra/logger.js';
import type { Pool } from '../infra/postgres.js';
import { loadNightlyJobs, type JobLoader } from './jobs.js';
import { NightlyScheduler } from './nightly.js';

export interface SchedulerOptions {
  config: Config;
  pool: Pool;
  temporal: Client;
  logger: Logger;
  loaders: readonly JobLoader[];
  refreshMs?: number;
}

/** Keeps the cron set in step with the database: connections added, paused or re-timed are picked up. */
export async function runScheduler({ config, pool, temporal, logger, loaders, refreshMs = 60_000 }: SchedulerOptions): Promise<Stoppable> {
  const scheduler = new NightlyScheduler(logger.child({ component: 'scheduler' }));
  const refresh = async () => {
    try {
      scheduler.sync(await loadNightlyJobs(loaders, { config, pool, temporal }));
    } catch (err) {
      logger.error({ err }, 'could not refresh nightly jobs');
    }
  };
  await refresh();
  const timer = setInterval(() => void refresh(), refreshMs);
  logger.info({ jobs: scheduler.scheduledKeys().length }, 'scheduler running');
  return {
    async stop() {
      clearInterval(timer);
      await scheduler.stop();
    },
  };
}
