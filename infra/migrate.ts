// Applies db/migrations with node-pg-migrate (SQL files, one transaction, advisory lock so that
// several replicas starting at once migrate exactly once). The lock is waited for: node-pg-migrate's
// default (`fail`) crashed every replica but one with "Another migration is already running" when
// they started together (issue 13 item 5); a waiting replica then finds nothing left to apply.
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
    advisoryLockMode: 'wait',
    log: () => undefined,
  });
}
