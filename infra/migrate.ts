// Applies db/migrations with node-pg-migrate (SQL files, one transaction, advisory lock so that
// several replicas starting at once migrate exactly once).
import { join } from 'node:path';
import { runner } from 'node-pg-migrate';
import { projectRoot } from './paths.js';

export const migrationsDir = join(projectRoot, 'db', 'migrations');

export async function migrate(databaseUrl: string, schema = 'public'): Promise<void> {
  await runner({
    databaseUrl,
    dir: migrationsDir,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    schema,
    createSchema: true,
    singleTransaction: true,
    checkOrder: true,
    log: () => undefined,
  });
}
