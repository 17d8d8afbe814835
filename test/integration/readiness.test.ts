// /healthz is liveness; /readyz is 200 only when PostgreSQL and Temporal both answer.
import { Connection, Client } from '@temporalio/client';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { tokenService } from '../../api/auth.js';
import { loadConfig } from '../../infra/config.js';
import { createLogger } from '../../infra/logger.js';
import { createPool, type Pool } from '../../infra/postgres.js';
import { TEST_JWT_SECRET } from '../helpers/api.js';
import { testDatabaseUrl } from '../helpers/db.js';

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

async function serve(pool: Pool, temporal: Client): Promise<string> {
  const app = createApp({
    config: loadConfig({ HUB_JWT_SECRET: TEST_JWT_SECRET }),
    pool,
    temporal,
    tokens: tokenService(TEST_JWT_SECRET),
    logger: createLogger('silent'),
    taskQueues: { registration: 'x', roster: 'x' },
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  closers.push(() => new Promise((r) => server.close(r)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function readyz(base: string) {
  const res = await fetch(`${base}/readyz`);
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
}

describe('health endpoints', () => {
  it('answers 200 when Temporal and PostgreSQL both answer', async () => {
    const pool = createPool(testDatabaseUrl);
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    closers.push(() => pool.end(), () => connection.close());
    const base = await serve(pool, new Client({ connection }));
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const res = await readyz(base);
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ postgres: 'ok', temporal: 'ok' });
  });

  it('answers 503 problem+json naming PostgreSQL when the database does not answer', async () => {
    const deadPool = createPool('postgres://postgres@127.0.0.1:1/none');
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    closers.push(() => deadPool.end(), () => connection.close());
    const base = await serve(deadPool, new Client({ connection }));
    const res = await readyz(base);
    expect(res.status).toBe(503);
    expect(res.type).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: '/problems/not-ready', failed: ['postgres'] });
    expect(res.body.detail).toContain('postgres');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('answers 503 naming Temporal when the Temporal server does not answer', async () => {
    const pool = createPool(testDatabaseUrl);
    const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
    closers.push(() => pool.end());
    const base = await serve(pool, new Client({ connection }));
    const res = await readyz(base);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ failed: ['temporal'], checks: { postgres: 'ok', temporal: 'down' } });
  });
});
