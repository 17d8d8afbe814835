// Which nightly jobs exist: each loader (given by the composition root, app/processes.ts) lists its
// jobs; journal connections add one reconciliation job each (sync/schedule.ts).
import type { Client } from '@temporalio/client';
import type { Config } from '../infra/config.js';
import type { Pool } from '../infra/postgres.js';
import type { NightlyJob } from './nightly.js';

export interface JobSources {
  config: Config;
  pool: Pool;
  temporal: Client;
}

export type JobLoader = (sources: JobSources) => Promise<NightlyJob[]>;

export async function loadNightlyJobs(loaders: readonly JobLoader[], sources: JobSources): Promise<NightlyJob[]> {
  const lists = await Promise.all(loaders.map((load) => load(sources)));
  return lists.flat();
}
