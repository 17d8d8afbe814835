// Nightly reconciliation at scale against the messenger and a journal simulator:
//   npm run bench:reconcile -- [memberships...]      (default 10000 50000 200000)
// BENCH_JOURNAL=eljur (default) | oneroster-rest picks the journal the region is served by and the
// adapter the hub reads it with.
// Per size: a fresh schema, a seeded region (bench/region.ts), everyone linked, the worker in its
// own process; then a first full sync, a no-change run and a 1 % churn run. Bounded: each run must
// finish within BENCH_RUN_TIMEOUT_S (default 1800 s) or the benchmark stops.
// Knobs (environment): BENCH_WORKERS (worker processes, default 1), ROSTER_SCHOOLS_IN_FLIGHT (4),
// ROSTER_MESSENGER_READS (8), BENCH_READ_AHEAD (journal listings at once per school, 4),
// MESSENGER_MAX_BATCH (100), BENCH_CHURN (0.01), BENCH_CPU_PROF=<dir> (V8 CPU profile of each worker).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startEljurSimulator } from '../adapters/journals/eljur/simulator.js';
import { ONEROSTER_BASE, startOneRosterSimulator } from '../adapters/journals/oneroster-rest/simulator.js';
import { writeOneRosterCsv } from '../adapters/journals/oneroster-csv/export.js';
import { FaultPlan, type RunningSim } from '../adapters/journals/testing/sim-server.js';
import { startMessengerSimulator, type MessengerSimulator } from '../adapters/messenger/simulator.js';
import { insertConnection } from '../db/repositories/connections.js';
import { findSyncRunByWorkflowId, type SyncRun } from '../db/repositories/sync-runs.js';
import { migrate } from '../infra/migrate.js';
import { createPool, type Pool } from '../infra/postgres.js';
import { secretBox } from '../infra/secrets.js';
import { startSync, type SyncContext } from '../sync/start-sync.js';
import { RegionModel } from './region.js';
import { startBenchChild } from './child-process.js';
import { startLocalDevServer } from '../test/helpers/local-temporal.js';

const DB_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RUN_TIMEOUT_MS = Number(process.env.BENCH_RUN_TIMEOUT_S ?? 1800) * 1000;
const MAX_BATCH = Number(process.env.MESSENGER_MAX_BATCH ?? 100);
const CHURN = Number(process.env.BENCH_CHURN ?? 0.01);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
if (!sizes.length) sizes.push(10_000, 50_000, 200_000);
const CREDS = { devkey: 'bench-dev-key', vendor: 'school', login: 'hub-sync', password: 'bench' };
const ONEROSTER_CLIENT = { clientId: 'hub-bench', clientSecret: 'bench-secret' };
const JOURNAL = process.env.BENCH_JOURNAL ?? 'eljur';
if (JOURNAL !== 'eljur' && JOURNAL !== 'oneroster-rest' && JOURNAL !== 'oneroster-csv') {
  throw new Error(`BENCH_JOURNAL must be eljur, oneroster-rest or oneroster-csv, not ${JOURNAL}`);
}

interface RunFigures {
  run: string;
  wallS: number;
  rowsRead: number;
  rowsPerS: number;
  writeCalls: number;
  trueChanges: number;
  writesPerChange: number | null;
  readMs?: number;
  planMs?: number;
  applyMs?: number;
  /** CPU seconds of the worker process during the run (less sensitive to a busy machine than wall time). */
  workerCpuS?: number;
  /** CPU seconds of this process during the run: the journal and messenger simulators and the client. */
  simulatorsCpuS?: number;
  /** HTTP requests the journal simulator served during the run (token requests included). */
  journalRequests?: number;
  /** Requests the hub made to the messenger during the run, as its report counts them (issue 13: VK's per-token limits make this the figure to watch). */
  messengerRequests?: number;
  status: string;
}

Runtime.install({ logger: new DefaultLogger('ERROR') });

/**
 * BENCHMARK FIXTURE, not a product path: hundreds of thousands of linked people are written in bulk,
 * their messenger accounts (people.messenger_user_id) included. In the product only "Sign in with VK ID"
 * sets that column (identity/vk-id-binding.ts); tests go through it (test/helpers/vk-id.ts).
 */
async function linkEveryone(pool: Pool, model: RegionModel, connectionId: string): Promise<number> {
  let batch: Array<{ externalId: string; firstName: string; lastName: string; birthDate: string | null }> =
    [];
  let n = 0;
  const flush = async () => {
    if (!batch.length) return;
    await pool.query(
      `WITH p AS (
         INSERT INTO people (email, first_name, last_name, birth_date, messenger_user_id)
         SELECT 'b' || e || '@bench.example', f, l, b::date, 'vk-' || e FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(e, f, l, b)
         ON CONFLICT (messenger_user_id) DO NOTHING RETURNING id, messenger_user_id)
       INSERT INTO journal_links (connection_id, external_person_id, person_id, messenger_user_id, linked_by)
       SELECT $5, substr(messenger_user_id, 4), id, messenger_user_id, 'bench' FROM p ON CONFLICT DO NOTHING`,
      [
        batch.map((b) => b.externalId),
        batch.map((b) => b.firstName),
        batch.map((b) => b.lastName),
        batch.map((b) => b.birthDate),
        connectionId,
      ],
    );
    n += batch.length;
    batch = [];
  };
  for (const p of model.linkablePeople()) {
    batch.push(p);
    if (batch.length >= 5000) await flush();
  }
  await flush();
  return n;
}

async function timedRun(
  ctx: SyncContext,
  connectionId: string,
  sim: MessengerSimulator,
  name: string,
  workerCpuUs: () => Promise<number>,
  journalSim: RunningSim,
): Promise<RunFigures> {
  sim.resetCounters();
  const journalRequests0 = journalSim.requests;
  const cpu0 = [await workerCpuUs(), process.cpuUsage()] as const;
  const t0 = performance.now();
  const { workflowId } = await startSync(ctx, { connectionId, dryRun: false, requestedBy: 'bench' });
  const handle = ctx.temporal.workflow.getHandle(workflowId);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    handle.result(),
    new Promise(
      (_, rej) =>
        (timer = setTimeout(
          () => rej(new Error(`${name}: no result within ${RUN_TIMEOUT_MS} ms`)),
          RUN_TIMEOUT_MS,
        )),
    ),
  ]).finally(() => clearTimeout(timer));
  const wallS = (performance.now() - t0) / 1000;
  const workerCpuS = ((await workerCpuUs()) - cpu0[0]) / 1e6;
  const own = process.cpuUsage(cpu0[1]);
  const run = (await findSyncRunByWorkflowId(ctx.pool, workflowId)) as SyncRun;
  const c = sim.counters();
  const rowsRead = run.totals.rowsRead ?? 0;
  return {
    run: name,
    wallS: Number(wallS.toFixed(2)),
    rowsRead,
    rowsPerS: Math.round(rowsRead / wallS),
    writeCalls: c.writeCalls,
    trueChanges: c.effectiveChanges,
    writesPerChange: c.effectiveChanges ? Number((c.writeCalls / c.effectiveChanges).toFixed(3)) : null,
    readMs: run.timings.readMs,
    planMs: run.timings.planMs,
    applyMs: run.timings.applyMs,
    workerCpuS: Number(workerCpuS.toFixed(1)),
    simulatorsCpuS: Number(((own.user + own.system) / 1e6).toFixed(1)),
    journalRequests: journalSim.requests - journalRequests0,
    messengerRequests: run.totals.messenger?.calls ?? 0,
    status: run.status,
  };
}

async function benchSize(address: string, temporal: Client, target: number) {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  await migrate(DB_URL, schema);
  const pool = createPool(DB_URL, schema);
  const g0 = performance.now();
  const model = RegionModel.build({ seed: 42, memberships: target });
  const memberships = model.membershipsTotal();
  const genS = (performance.now() - g0) / 1000;
  const http = {
    retries: 5,
    baseDelayMs: 50,
    maxDelayMs: 1000,
    timeoutMs: 30_000,
    readAhead: Number(process.env.BENCH_READ_AHEAD ?? 4),
  };
  let journalSim: RunningSim;
  let journal: { kind: 'eljur' | 'oneroster-rest' | 'oneroster-csv'; settings: Record<string, unknown>; credentials?: Record<string, string> };
  /** oneroster-csv: the region as one regional export folder, written again before each run (a nightly full dump). */
  let exportRegion: (() => Promise<void>) | undefined;
  if (JOURNAL === 'oneroster-csv') {
    const dir = await mkdtemp(join(tmpdir(), 'bench-region-csv-'));
    exportRegion = async () => {
      const t = performance.now();
      await writeOneRosterCsv(model, dir);
      console.error(`region written as OneRoster CSV in ${((performance.now() - t) / 1000).toFixed(1)} s: ${dir}`);
    };
    await exportRegion();
    journalSim = { url: dir, faults: new FaultPlan(), requests: 0, requestsTo: () => 0, close: () => rm(dir, { recursive: true, force: true }) };
    journal = { kind: 'oneroster-csv', settings: { path: dir } };
  } else if (JOURNAL === 'oneroster-rest') {
    // Token lifetime longer than any run: the bench measures reads, not token refreshes.
    journalSim = await startOneRosterSimulator(model, { ...ONEROSTER_CLIENT, tokenTtlSeconds: 86_400 });
    journal = {
      kind: 'oneroster-rest',
      settings: { baseUrl: `${journalSim.url}${ONEROSTER_BASE}`, tokenUrl: `${journalSim.url}/oauth/token`, http },
      credentials: ONEROSTER_CLIENT,
    };
  } else {
    journalSim = await startEljurSimulator(model, CREDS);
    journal = {
      kind: 'eljur',
      settings: { baseUrl: `${journalSim.url}/apiv3`, vendor: CREDS.vendor, http },
      credentials: { devkey: CREDS.devkey, login: CREDS.login, password: CREDS.password },
    };
  }
  const sim = await startMessengerSimulator({ port: 0, maxMembersPerCall: MAX_BATCH, pageSize: 1000 });
  const key = randomBytes(32);
  const connection = await insertConnection(pool, secretBox(key), {
    name: 'bench region',
    ...journal,
    region: '16',
    strictMode: false,
    schools: [...model.schools.keys()].map((schoolExternalId) => ({ schoolExternalId })),
  });
  const linked = await linkEveryone(pool, model, connection.id);
  const taskQueue = `bench-${randomBytes(4).toString('hex')}`;
  // BENCH_WORKERS worker processes on one task queue: a Node process uses one core for its
  // JavaScript, so a 2-core host runs two (the school child workflows spread over them).
  const workers = await Promise.all(
    Array.from({ length: WORKERS }, () =>
      startBenchChild('bench/worker.ts', 'worker ready', {
        DATABASE_URL: DB_URL,
        DB_SCHEMA: schema,
        TEMPORAL_ADDRESS: address,
        TASK_QUEUE: taskQueue,
        MESSENGER_API_BASE: sim.apiBase,
        MESSENGER_TOKEN: sim.token,
        MESSENGER_MAX_BATCH: String(MAX_BATCH),
        HUB_SECRETS_KEY: key.toString('hex'),
      }),
    ),
  );
  /** [peak RSS KiB (largest worker), RSS now KiB (largest), CPU µs (all workers)] */
  const workerRss = async (): Promise<number[]> => {
    const each = await Promise.all(workers.map((w) => w.rss()));
    return [
      Math.max(...each.map((e) => e[0] ?? -1)),
      Math.max(...each.map((e) => e[1] ?? -1)),
      each.reduce((n, e) => n + (e[2] ?? 0), 0),
    ];
  };
  // Peak RSS right after start: webpack bundling of the workflows is part of it, not reconciliation.
  const [startPeakKb = -1] = await workerRss();
  const ctx: SyncContext = {
    pool,
    temporal,
    taskQueue,
    config: {
      ROSTER_MASS_REMOVAL_SHARE: 0.5,
      ROSTER_CONFIRM_WITHIN: 3600_000,
      ROSTER_SCHOOLS_IN_FLIGHT: Number(process.env.ROSTER_SCHOOLS_IN_FLIGHT ?? 4),
      ROSTER_APPLY_CHUNK: 2000,
      ROSTER_MESSENGER_READS: Number(process.env.ROSTER_MESSENGER_READS ?? 8),
    },
  };
  const runs: RunFigures[] = [];
  const workerCpuUs = async () => (await workerRss())[2] ?? 0;
  try {
    runs.push(await timedRun(ctx, connection.id, sim, 'first-full-sync', workerCpuUs, journalSim));
    runs.push(await timedRun(ctx, connection.id, sim, 'no-change', workerCpuUs, journalSim));
    const churned = model.churn(CHURN);
    await exportRegion?.();
    runs.push({
      ...(await timedRun(ctx, connection.id, sim, `churn-${CHURN * 100}%`, workerCpuUs, journalSim)),
      churned,
    } as RunFigures);
  } finally {
    const [rssKb = -1, rssNowKb = -1] = await Promise.race([
      workerRss(),
      new Promise<number[]>((r) => setTimeout(() => r([]), 5000)),
    ]);
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => w.child.once('exit', r))));
    await journalSim.close();
    await sim.stop();
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
    const out = {
      journal: JOURNAL,
      memberships,
      workers: WORKERS,
      schools: model.schools.size,
      people: model.persons.size,
      linked,
      generateS: Number(genS.toFixed(1)),
      workerPeakRssAfterStartMb: Math.round(startPeakKb / 1024),
      workerPeakRssMb: Math.round(rssKb / 1024),
      workerRssAtEndMb: Math.round(rssNowKb / 1024),
      runs,
    };
    console.log(JSON.stringify(out, null, 1));
    results.push(out);
  }
}

const results: Array<{ memberships: number; workerPeakRssMb: number; runs: RunFigures[] }> = [];
const env = await startLocalDevServer();
const connection = await Connection.connect({ address: env.address });
const temporal = new Client({ connection });
try {
  for (const size of sizes) await benchSize(env.address, temporal, size);
} finally {
  await connection.close();
  await env.teardown();
}
if (results.length > 1) {
  const first = results[0]!;
  console.log('growth vs smallest size (memberships ratio → wall time ratio per run, RSS ratio):');
  for (const r of results.slice(1)) {
    const m = (r.memberships / first.memberships).toFixed(1);
    const per = r.runs.map((x, i) => `${x.run} ×${(x.wallS / first.runs[i]!.wallS).toFixed(2)}`).join(', ');
    console.log(
      `  ×${m} memberships: ${per}; RSS ×${(r.workerPeakRssMb / first.workerPeakRssMb).toFixed(2)}`,
    );
  }
}
process.exit(0);
