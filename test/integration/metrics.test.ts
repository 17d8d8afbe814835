// Issue 6 "metrics": the worker's own Prometheus counters are real (sync changes applied, messenger
// errors, journeys by kind) and the worker serves them over HTTP on its metrics port; the worker
// process itself (bin/worker.ts) serves its counters on WORKER_METRICS_PORT.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { journeyGauges } from '../../api/journey-gauges.js';
import { startMetricsServer, type MetricsServer } from '../../infra/metrics-server.js';
import { projectRoot } from '../../infra/paths.js';
import { TASK_QUEUES } from '../../workflows/definitions.js';
import { TEST_JWT_SECRET, useTestApi } from '../helpers/api.js';
import { testDatabaseUrl, useTestDb } from '../helpers/db.js';
import { linkDirectly, runSync, startRosterWorld, syncContext, type RosterWorld } from '../helpers/roster.js';
import { newPhone, signupSteps } from '../helpers/signup.js';
import { TEST_PAYLOAD_KEYS, testDataConverter, useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
let w: RosterWorld;
let metrics: MetricsServer;
beforeAll(async () => {
  w = await startRosterWorld(db.pool);
  metrics = await startMetricsServer(0, '127.0.0.1');
});
const t = useTemporalWorker(() => ({ pool: db.pool, messenger: w.messenger, journals: w.journals }));
const api = useTestApi(db, t);
const signup = signupSteps(api, db);
afterAll(async () => {
  await metrics?.stop();
  await w?.close();
});

/** The worker's /metrics, over HTTP, as `name{labels}` → value. */
async function scrape(port = metrics.port): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const values = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) values.set(m[1]!, Number(m[2]));
  }
  return values;
}
const delta = (before: Map<string, number>, after: Map<string, number>, key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);

describe('worker metrics', () => {
  it('a sync grows hub_sync_changes_applied_total by the changes it applied; a 503 counts as a retried messenger error', async () => {
    await linkDirectly(db.pool, w, w.model.persons.keys());
    const before = await scrape();
    w.messengerSim.script({ kind: '503' });

    const { run } = await runSync(syncContext(db.pool, t.client, t.taskQueue), { connectionId: w.connection.id, dryRun: false });

    const after = await scrape();
    expect(run.status).toBe('applied');
    expect(run.totals.appliedAdds).toBeGreaterThan(0);
    expect(delta(before, after, 'hub_sync_changes_applied_total{op="add"}')).toBe(run.totals.appliedAdds);
    expect(delta(before, after, 'hub_sync_changes_applied_total{op="create_chat"}')).toBe(w.messengerSim.store.chats.size);
    expect(delta(before, after, 'hub_messenger_errors_total{code="unavailable",outcome="retried"}')).toBe(1);
  });

  it('removals count as op="remove" (an expelled student leaves their chats)', async () => {
    const leaving = w.model.enrollmentsOf(w.school)[0]!.studentId;
    w.model.expel(leaving);
    const before = await scrape();

    const { run } = await runSync(syncContext(db.pool, t.client, t.taskQueue, {}, 1), { connectionId: w.connection.id, dryRun: false });

    const after = await scrape();
    expect(run.status).toBe('applied');
    expect(run.totals.appliedRemoves).toBeGreaterThan(0);
    expect(delta(before, after, 'hub_sync_changes_applied_total{op="remove"}')).toBe(run.totals.appliedRemoves);
    expect(delta(before, after, 'hub_sync_changes_applied_total{op="add"}')).toBe(0);
  });

  it('journeys started / stuck by kind follow Temporal: a new signup waiting for its code is counted in both', async () => {
    journeyGauges(t.client, 0);
    const before = await scrape();
    const started = await signup.start({ phone: newPhone() });
    expect(started.status).toBe(200);
    let after = before;
    for (let i = 0; i < 50; i++) {
      after = await scrape();
      if (delta(before, after, 'hub_journeys_started{kind="signup"}') > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(delta(before, after, 'hub_journeys_started{kind="signup"}')).toBeGreaterThanOrEqual(1);
    // Other files share the Temporal server and may finish signups meanwhile: "stuck" is checked as a level.
    expect(after.get('hub_journeys_stuck{kind="signup"}')).toBeGreaterThanOrEqual(1);
    expect(after.has('hub_journeys_started{kind="journal-link"}')).toBe(true);
  });

  it('the metrics listener answers 404 off /metrics', async () => {
    expect((await fetch(`http://127.0.0.1:${metrics.port}/`)).status).toBe(404);
  });

  it('issue 17 item 7: with METRICS_TOKEN set, /metrics of the worker and of the API ask for it', async () => {
    const guarded = await startMetricsServer(0, '127.0.0.1', 'scrape-token-0123456789');
    try {
      const url = `http://127.0.0.1:${guarded.port}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
      const ok = await fetch(url, { headers: { authorization: 'Bearer scrape-token-0123456789' } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('hub_sync_changes_applied_total');
    } finally {
      await guarded.stop();
    }
  });
});

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the worker process (bin/worker.ts) on WORKER_METRICS_PORT', () => {
  // A schema of its own: this messenger simulator numbers its chats from 1 again.
  const wdb = useTestDb();
  let world: RosterWorld;
  let worker: ChildProcess;
  let port: number;
  let output = '';
  let connection: Connection;
  beforeAll(async () => {
    world = await startRosterWorld(wdb.pool);
    port = await freePort();
    // The real entry point, configured as in production but for this file's schema, simulators and Temporal.
    worker = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'bin', 'worker.ts')], {
      cwd: projectRoot,
      env: {
        ...process.env,
        DATABASE_URL: testDatabaseUrl,
        DATABASE_SCHEMA: wdb.schema,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        WORKER_METRICS_PORT: String(port),
        MESSENGER_API_BASE: world.messengerSim.apiBase,
        MESSENGER_TOKEN: world.messengerSim.token,
        MESSENGER_MAX_BATCH: '10',
        // The simulator honours createChat's key, so a 503 to the first createChat is retried in place.
        MESSENGER_IDEMPOTENT_CREATE: 'true',
        HUB_SECRETS_KEY: world.secretsKeyHex,
        HUB_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
        // The journal simulator listens on loopback, which a connection may reach only when listed (issue 17).
        JOURNAL_ALLOWED_HOSTS: '*,127.0.0.1,localhost',
        // Keys the one-time code MAC, which the worker refuses to start without (issue 14).
        HUB_JWT_SECRET: TEST_JWT_SECRET,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    worker.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    // Ready when its metrics port answers (it opens once the workers are polling).
    for (let i = 0; ; i++) {
      if (worker.exitCode !== null) throw new Error(`bin/worker.ts exited ${worker.exitCode}:\n${output}`);
      const up = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.ok, () => false);
      if (up) break;
      if (i > 600) throw new Error(`bin/worker.ts did not serve /metrics in 120 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    connection = await Connection.connect({ address: inject('temporalAddress') });
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    await connection?.close();
    await world?.close();
  });

  it('after a sync run by that process, its /metrics holds the changes it applied by op and its messenger errors', async () => {
    await linkDirectly(wdb.pool, world, world.model.persons.keys());
    const before = await scrape(port);
    // Nothing has happened in that process yet: no series under either counter.
    expect([...before.keys()].filter((k) => /^hub_(sync_changes_applied|messenger_errors)_total\{/.test(k))).toEqual([]);
    // The first two messenger calls fail (an outage answer, then a rate limit); the adapter retries both in place.
    world.messengerSim.script({ kind: '503' }, { kind: '429', retryAfterSeconds: 0 });

    // The run goes to the worker process's roster queue; this test process runs no worker at all for it.
    const client = new Client({ connection, dataConverter: testDataConverter });
    const { run } = await runSync(syncContext(wdb.pool, client, TASK_QUEUES.roster), { connectionId: world.connection.id, dryRun: false });
    expect(run.status, `worker output:\n${output.slice(-4000)}`).toBe('applied');
    expect(run.totals.appliedAdds).toBeGreaterThan(0);

    const after = await scrape(port);
    expect(after.get('hub_sync_changes_applied_total{op="add"}')).toBe(run.totals.appliedAdds);
    expect(after.get('hub_sync_changes_applied_total{op="create_chat"}')).toBe(world.messengerSim.store.chats.size);
    expect(after.has('hub_sync_changes_applied_total{op="remove"}')).toBe(false);
    expect(after.get('hub_messenger_errors_total{code="unavailable",outcome="retried"}')).toBe(1);
    expect(after.get('hub_messenger_errors_total{code="rate-limited",outcome="retried"}')).toBe(1);
    expect([...after.keys()].filter((k) => k.startsWith('hub_messenger_errors_total{') && k.includes('outcome="failed"'))).toEqual([]);
  });
});
