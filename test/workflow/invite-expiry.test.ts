// Expiry runs on the time-skipping server: a week passes in a moment.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { tokenService } from '../../api/auth.js';
import { createActivities } from '../../activities/index.js';
import { outboxOtpSender } from '../../adapters/otp/outbox.js';
import { loadConfig } from '../../infra/config.js';
import { createLogger } from '../../infra/logger.js';
import { bundleWorkflows } from '../../app/temporal-worker.js';
import { temporalTestServer } from '../../infra/temporal-binaries.js';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { TEST_JWT_SECRET } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { seedSchool } from '../helpers/seed.js';
import { quietRuntime, registerHubSearchAttributes } from '../helpers/temporal.js';
import { unwiredJournals, unwiredMessenger } from '../../sync/unwired.js';

const db = useTestDb();
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let server: Server;
let base: string;
const tokens = tokenService(TEST_JWT_SECRET);
const taskQueue = 'expiry-test';

beforeAll(async () => {
  quietRuntime();
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: temporalTestServer() } });
  await registerHubSearchAttributes(env.connection);
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleWorkflows(),
    activities: createActivities({
      pool: db.pool,
      logger: createLogger('silent'),
      otp: outboxOtpSender({ db: db.pool, logger: createLogger('silent'), keepCodes: false }),
      messenger: unwiredMessenger,
      journals: unwiredJournals,
    }),
  });
  running = worker.run();
  const app = createApp({
    config: loadConfig({ HUB_JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent' }),
    pool: db.pool,
    temporal: env.client,
    tokens,
    logger: createLogger('silent'),
    taskQueues: { registration: taskQueue, roster: taskQueue },
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  worker?.shutdown();
  await running;
  await env?.teardown();
});

describe('invite expiry (time-skipping server)', () => {
  it('R-J3: after its validity the link says it expired and to ask for a new one', async () => {
    const s = await seedSchool(db.pool, { timezone: 'Asia/Yekaterinburg' });
    const auth = { authorization: `Bearer ${await tokens.sign(s.admin)}`, 'content-type': 'application/json' };
    const created = await fetch(`${base}/v1/schools/${s.school.id}/invites`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ role: 'student', classId: s.classes['1А']!.id, validDays: 2 }),
    }).then((r) => r.json() as Promise<{ id: string; token: string }>);
    const handle = env.client.workflow.getHandle(`invite/${(await db.pool.query('SELECT token_hash FROM invites WHERE id = $1', [created.id])).rows[0].token_hash}`);

    await env.sleep('1 day');
    const stillActive = await fetch(`${base}/v1/invites/${created.token}`);
    expect(stillActive.status).toBe(200);

    // The workflow's own timer ends the invite: wait on its result while the server skips time.
    const result = await handle.result();
    expect(result.status).toBe('expired');
    const row = await db.pool.query('SELECT status FROM invites WHERE id = $1', [created.id]);
    expect(row.rows[0].status).toBe('expired');

    const preview = await fetch(`${base}/v1/invites/${created.token}`);
    expect(preview.status).toBe(410);
    const problem = (await preview.json()) as { type: string; detail: string };
    expect(problem.type).toBe('/problems/invite-expired');
    expect(problem.detail).toMatch(/истёк/);
    expect(problem.detail).toMatch(/новую ссылку/);
    const decline = await fetch(`${base}/v1/invites/${created.token}/decline`, { method: 'POST' });
    expect(decline.status).toBe(410);
    const audit = await db.pool.query(`SELECT actor FROM audit_log WHERE subject_id = $1 AND action = 'invite.expired'`, [created.id]);
    expect(audit.rows).toEqual([{ actor: 'system' }]);
  });
});
