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
// BENCH_MESSENGER=vk-teams (default: the VK Teams Bot API simulator) | vk-api (issue 13: Сферум over the
// VK API simulator, the adapter the product uses with MESSENGER_KIND=vk-api). With vk-api:
// BENCH_VK_TOKEN=group (default: a community token, so adds become invitations by link) | user (direct
// adds), and BENCH_VK_RPS, the requests per second the simulator allows the token and the adapter keeps
// to (default VK's documented limit for the token type: 20 community, 3 user). After the first full sync
// everyone invited follows their link (the no-change run then records them joined), as people would.
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
import { startMessengerSimulator } from '../adapters/messenger/simulator.js';
import { startVkApiSimulator } from '../adapters/messenger/vk-api/simulator.js';
import { VK_REQUESTS_PER_SECOND } from '../adapters/messenger/vk-api/rate-limiter.js';
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
const MESSENGER = process.env.BENCH_MESSENGER ?? 'vk-teams';
if (MESSENGER !== 'vk-teams' && MESSENGER !== 'vk-api') throw new Error(`BENCH_MESSENGER must be vk-teams or vk-api, not ${MESSENGER}`);
const VK_TOKEN = process.env.BENCH_VK_TOKEN === 'user' ? 'user' : 'group';
const VK_RPS = Number(process.env.BENCH_VK_RPS ?? VK_REQUESTS_PER_SECOND[VK_TOKEN]);
/** Bench people's VK user ids: numeric as VK's are, derived from their (numeric) journal ids. */
const VK_ID_OFFSET = 100_000_000;

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
  /** VK API: HTTP requests the simulator served (an `execute` of 25 calls is one), and by method (calls inside executes counted one each). */
  vkRequests?: number;
  vkByMethod?: Record<string, number>;
  /** VK API at the token's documented rate (20/s community, 3/s user): the least wall time those requests take. */
  vkSecondsAtDocumentedRate?: number;
  /** People handed the chat's link this run, invited people seen inside, the run's report. */
  invited?: number;
  joinedFromInvites?: number;
  status: string;
}

Runtime.install({ logger: new DefaultLogger('ERROR') });

/** The messenger simulator a run talks to, as the benchmark reads it. */
interface BenchMessenger {
  /** Settings for bench/worker.ts. */
  env: Record<string, string>;
  resetCounters(): void;
  /** Writes the hub made (calls; inside a VK `execute` each call counts), and what changed in the messenger. */
  figures(): { writeCalls: number; trueChanges: number; vk?: { requests: number; byMethod: Record<string, number> } };
  /** People follow the invite links they were given (VK community token); the number who did. */
  followInvites(pool: Pool): Promise<number>;
  stop(): Promise<void>;
}

/** VK API calls that change something, or hand out an invitation (the community token's way to add). */
const VK_WRITES = ['messages.createChat', 'messages.editChat', 'messages.addChatUser', 'messages.removeChatUser', 'messages.getInviteLink'];

async function startBenchMessenger(): Promise<BenchMessenger> {
  if (MESSENGER === 'vk-teams') {
    const sim = await startMessengerSimulator({ port: 0, maxMembersPerCall: MAX_BATCH, pageSize: 1000 });
    return {
      env: { MESSENGER_API_BASE: sim.apiBase, MESSENGER_TOKEN: sim.token, MESSENGER_MAX_BATCH: String(MAX_BATCH) },
      resetCounters: () => sim.resetCounters(),
      figures: () => {
        const c = sim.counters();
        return { writeCalls: c.writeCalls, trueChanges: c.effectiveChanges };
      },
      followInvites: async () => 0,
      stop: () => sim.stop(),
    };
  }
  const sim = await startVkApiSimulator({ port: 0, requestsPerSecond: { group: VK_RPS, user: VK_RPS } });
  const token = VK_TOKEN === 'group' ? sim.groupToken : sim.userToken;
  return {
    env: {
      MESSENGER_KIND: 'vk-api',
      VK_API_BASE: sim.apiBase,
      VK_ACCESS_TOKEN: token.token,
      VK_TOKEN_TYPE: VK_TOKEN,
      VK_GROUP_ID: String(sim.groupToken.groupId),
      VK_REQUESTS_PER_SECOND: String(VK_RPS),
    },
    resetCounters: () => sim.resetCounters(),
    figures: () => {
      const c = sim.counters();
      return {
        writeCalls: VK_WRITES.reduce((n, m) => n + (c.byMethod[m] ?? 0), 0),
        trueChanges: c.effectiveChanges,
        vk: { requests: c.requests, byMethod: c.byMethod },
      };
    },
    async followInvites(pool) {
      const { rows } = await pool.query(
        `SELECT c.messenger_chat_id AS chat, array_agg(m.messenger_user_id) AS users
           FROM managed_memberships m JOIN managed_chats c ON c.id = m.chat_id
          WHERE m.state = 'invited' AND c.messenger_chat_id IS NOT NULL GROUP BY c.messenger_chat_id`,
      );
      let n = 0;
      for (const r of rows as Array<{ chat: string; users: string[] }>) {
        sim.addMembersByHand(r.chat, r.users);
        n += r.users.length;
      }
      return n;
    },
    stop: () => sim.stop(),
  };
}

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
         SELECT 'b' || e || '@bench.example', f, l, b::date, (e::bigint + $6)::text FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(e, f, l, b)
         ON CONFLICT (messenger_user_id) DO NOTHING RETURNING id, messenger_user_id)
       INSERT INTO journal_links (connection_id, external_person_id, person_id, messenger_user_id, linked_by)
       SELECT $5, (messenger_user_id::bigint - $6)::text, id, messenger_user_id, 'bench' FROM p ON CONFLICT DO NOTHING`,
      [
        batch.map((b) => b.externalId),
        batch.map((b) => b.firstName),
        batch.map((b) => b.lastName),
        batch.map((b) => b.birthDate),
        connectionId,
        VK_ID_OFFSET,
      ],
    );
    n += batch.length;
    batch = [];
  };
  for (const p of model.linkablePeople()) {
    // VK user ids are numbers (the VK API simulator refuses others, as VK would).
    if (!/^\d{1,12}$/.test(p.externalId)) throw new Error(`bench journal ids must be numeric, not ${p.externalId}`);
    batch.push(p);
    if (batch.length >= 5000) await flush();
  }
  await flush();
  return n;
}

async function timedRun(
  ctx: SyncContext,
  connectionId: string,
  sim: BenchMessenger,
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
  const c = sim.figures();
  const rowsRead = run.totals.rowsRead ?? 0;
  return {
    run: name,
    wallS: Number(wallS.toFixed(2)),
    rowsRead,
    rowsPerS: Math.round(rowsRead / wallS),
    writeCalls: c.writeCalls,
    trueChanges: c.trueChanges,
    writesPerChange: c.trueChanges ? Number((c.writeCalls / c.trueChanges).toFixed(3)) : null,
    readMs: run.timings.readMs,
    planMs: run.timings.planMs,
    applyMs: run.timings.applyMs,
    workerCpuS: Number(workerCpuS.toFixed(1)),
    simulatorsCpuS: Number(((own.user + own.system) / 1e6).toFixed(1)),
    journalRequests: journalSim.requests - journalRequests0,
    messengerRequests: run.totals.messenger?.calls ?? 0,
    ...(c.vk
      ? {
          vkRequests: c.vk.requests,
          vkByMethod: c.vk.byMethod,
          vkSecondsAtDocumentedRate: Math.ceil(c.vk.requests / VK_REQUESTS_PER_SECOND[VK_TOKEN]),
          invited: run.totals.appliedInvites ?? 0,
          joinedFromInvites: run.totals.joinedFromInvites ?? 0,
        }
      : {}),
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
  const sim = await startBenchMessenger();
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
        ...sim.env,
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
    const followed = await sim.followInvites(pool);
    if (followed) console.error(`${followed} invited people followed their links`);
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
      messenger: MESSENGER === 'vk-api' ? `vk-api (${VK_TOKEN} token, ${VK_RPS} requests/s allowed)` : MESSENGER,
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
