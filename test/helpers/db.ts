// Each test file gets its own PostgreSQL schema with every migration applied, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { migrate } from '../../infra/migrate.js';
import { createPool, type Pool } from '../../infra/postgres.js';

export const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDb {
  pool: Pool;
  schema: string;
  url: string;
}

export function useTestDb(): TestDb {
  const db = { schema: `t_${randomBytes(6).toString('hex')}`, url: testDatabaseUrl } as TestDb;
  beforeAll(async () => {
    await migrate(db.url, db.schema);
    db.pool = createPool(db.url, db.schema);
  });
  afterAll(async () => {
    await db.pool?.query(`DROP SCHEMA IF EXISTS ${db.schema} CASCADE`);
    await db.pool?.end();
  });
  return db;
}
