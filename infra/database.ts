import type { Config } from './config.js';
import { migrate } from './migrate.js';
import { createPool, type Pool } from './postgres.js';

/**
 * Connects to DATABASE_URL and applies pending migrations (safe with several replicas: advisory lock),
 * in DATABASE_SCHEMA when one is set.
 */
export async function openDatabase(config: Config): Promise<Pool> {
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is required (postgres://user:password@host:5432/db).');
  await migrate(config.DATABASE_URL, config.DATABASE_SCHEMA);
  return createPool(config.DATABASE_URL, config.DATABASE_SCHEMA);
}
