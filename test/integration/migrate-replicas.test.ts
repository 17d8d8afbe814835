// Issue 13 item 5: replicas started together all migrate the same database at once. node-pg-migrate's
// advisory lock made all but one crash ("Another migration is already running"); now they wait, and
// every migration is applied exactly once. Real PostgreSQL, a fresh schema.
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, migrationsDir } from '../../infra/migrate.js';
import { createPool } from '../../infra/postgres.js';
import { testDatabaseUrl } from '../helpers/db.js';

const schema = `t_${randomBytes(6).toString('hex')}`;
const pool = createPool(testDatabaseUrl, schema);
afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
});

describe('migrating from several replicas at once', () => {
  it('issue 13 item 5: three replicas migrating the same empty schema at once all start; each migration is applied once', async () => {
    const results = await Promise.allSettled([migrate(testDatabaseUrl, schema), migrate(testDatabaseUrl, schema), migrate(testDatabaseUrl, schema)]);
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
    const files = readdirSync(migrationsDir).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, '')).sort();
    const { rows } = await pool.query(`SELECT name FROM pgmigrations ORDER BY name`);
    expect((rows as Array<{ name: string }>).map((r) => r.name)).toEqual(files);
  });
});
