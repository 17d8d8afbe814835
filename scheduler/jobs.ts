// Which nightly jobs exist. Journal connections (issue 5) add one reconciliation job each.
import type { Client } from '@temporalio/client';
import type { Config } from '../infra/config.js';
import type { Pool } from '../infra/postgres.js';
import type { NightlyJob } from './nightly.js';
import { reconcileJobLoader } from '../roster/schedule.js';

export interface JobSources {
  config: Config;
  pool: Pool;
  temporal: Client;
}

export type JobLoader = (sources: JobSources) => Promise<NightlyJob[]>;

/** Every loader's jobs; the roster module registers its loader here. */
export const jobLoaders: JobLoader[] = [];

export async function loadNightlyJobs(sources: JobSources): Promise<NightlyJob[]> {
  const lists = await Promise.all(jobLoaders.map((load) => load(sources)));
  return lists.flat();
}

// Journal connections: one nightly reconciliation each (roster/schedule.ts).
jobLoaders.push(reconcileJobLoader);
