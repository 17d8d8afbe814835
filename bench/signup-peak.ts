// Registration journeys per second through the HTTP API on loopback, at several region sizes:
//   BENCH_PEOPLE=0,100000,1000000 npm run bench:signup -- [concurrency...]
//     concurrency levels default 8 32 64; BENCH_DURATION_S per level, default 20;
//     BENCH_PEOPLE: existing people in the region before the peak, comma list, default 0.
// One journey: start signup → code from the otp_outbox table → code → profile → application (teacher)
// → approve as the school's admin. Closed loop: `c` virtual users each run journeys back to back
// until the level's deadline; journeys in flight at the deadline finish and are counted.
// Per size: a fresh Temporal dev server, a fresh schema pre-filled with that many people and what
// their own signups left in every table a journey touches (bench/signup-fill.ts), the hub in its own
// process; five warm-up journeys, then the levels. Per level: one JSON line (as before, plus the
// people count and the CPU seconds each process used over the level); per size a table; at the end
// the growth of each figure relative to the smallest size.
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { tokenService } from '../api/auth.js';
import { insertSchool } from '../db/repositories/schools.js';
import { migrate } from '../infra/migrate.js';
import { createPool, type Pool } from '../infra/postgres.js';
import { startBenchChild, type BenchChild } from './child-process.js';
import { findPid, postmasterPid, treeCpuS } from './proc-cpu.js';
import { fillPeople, type FillFigures } from './signup-fill.js';
import { startLocalDevServer } from '../test/helpers/local-temporal.js';

const DB_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DURATION_MS = Number(process.env.BENCH_DURATION_S ?? 20) * 1000;
const levels = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
if (!levels.length) levels.push(8, 32, 64);
const sizes = (process.env.BENCH_PEOPLE ?? '0').split(',').map((s) => Number(s.trim().replace(/_/g, '')));
if (!sizes.length || sizes.some((n) => !Number.isInteger(n) || n < 0 || n > 50_000_000)) {
  throw new Error(
    `BENCH_PEOPLE must be a comma list of whole numbers 0…50000000, not "${process.env.BENCH_PEOPLE}"`,
  );
}
const JWT = randomBytes(32).toString('hex');
const STEPS = ['start', 'outbox', 'code', 'profile', 'apply', 'approve'] as const;
type Step = (typeof STEPS)[number];
type Figure = { p50: number; p99: number };

const generous = '1000000/60';
const hubEnv = {
  HUB_JWT_SECRET: JWT,
  HUB_PAYLOAD_KEYS: `bench:${randomBytes(32).toString('hex')}`,
  LOG_LEVEL: 'silent',
  RATE_LIMIT_CODE_REQUEST_PER_IP: generous,
  RATE_LIMIT_CODE_REQUEST_PER_PHONE: generous,
  RATE_LIMIT_CODE_SUBMIT_PER_IP: generous,
  RATE_LIMIT_CODE_SUBMIT_PER_PHONE: generous,
  RATE_LIMIT_PREVIEW_PER_IP: generous,
};

/** CPU seconds over one level; null where the process could not be measured (see bench/proc-cpu.ts). */
interface CpuFigures {
  hub: number | null;
  temporal: number | null;
  loadGenerator: number;
  /** The whole PostgreSQL cluster (every backend, autovacuum, WAL writer, …), from /proc. */
  postgres: number | null;
  total: number;
}

interface LevelFigures {
  concurrency: number;
  seconds: number;
  journeys: number;
  journeysPerS: number;
  errors: Record<string, number>;
  journeyMs: Figure;
  apiCallMs: Figure;
  stepsMs: Record<Step, Figure & { n: number }>;
  people: number;
  cpuS: CpuFigures;
  /** cpuS.total / seconds: how many of the machine's cores the level kept busy. */
  coresBusy: number;
}

interface SizeFigures {
  people: number;
  fill: FillFigures;
  levels: LevelFigures[];
  hubPeakRssMb: number;
}

async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + path, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function codeFor(pool: Pool, phone: string): Promise<string> {
  // Bounded: the code is written before the start call answers; a few short retries cover a lag.
  for (let i = 0; i < 50; i++) {
    const { rows } = await pool.query(
      `SELECT code FROM otp_outbox WHERE recipient = $1 ORDER BY id DESC LIMIT 1`,
      [phone],
    );
    const code = (rows[0] as { code: string | null } | undefined)?.code;
    if (code) return code;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('no code in the outbox');
}

const pct = (xs: number[], p: number): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 10) / 10;
};
const round1 = (x: number | null): number | null => (x === null ? null : Math.round(x * 10) / 10);

let phoneSeq = 0;
// Filled people have +799… phones (bench/signup-fill.ts); journeys use +7916…: never the same person.
const phonePrefix = 1_000_000 + Math.floor(Math.random() * 8_000_000);

interface Region {
  base: string;
  pool: Pool;
  schoolId: string;
  adminToken: string;
}

async function journey(r: Region, lat: Record<Step, number[]>): Promise<void> {
  const phone = `+7916${String((phonePrefix + ++phoneSeq) % 10_000_000).padStart(7, '0')}`;
  const timed = async <T>(step: Step, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const res = await f();
    lat[step].push(performance.now() - t0);
    return res;
  };
  const expectOk = (step: string, res: { status: number; json: Record<string, unknown> }) => {
    if (res.status >= 300) throw new Error(`${step}: ${res.status} ${JSON.stringify(res.json)}`);
    return res.json;
  };
  const { base } = r;
  const started = expectOk('start', await timed('start', () => call(base, 'POST', '/v1/signups', { phone })));
  const id = started.signupId as string;
  const code = await timed('outbox', () => codeFor(r.pool, phone));
  expectOk('code', await timed('code', () => call(base, 'POST', `/v1/signups/${id}/code`, { code })));
  const profile = {
    firstName: 'Мария',
    lastName: 'Иванова',
    patronymic: 'Петровна',
    gender: 'female',
    birthDate: '1985-05-17',
  };
  const done = expectOk(
    'profile',
    await timed('profile', () => call(base, 'POST', `/v1/signups/${id}/profile`, profile)),
  );
  const token = done.token as string;
  const app = expectOk(
    'apply',
    await timed('apply', () =>
      call(base, 'POST', '/v1/applications', { schoolId: r.schoolId, role: 'teacher' }, token),
    ),
  );
  expectOk(
    'approve',
    await timed('approve', () =>
      call(base, 'POST', `/v1/applications/${app.id as string}/approve`, {}, r.adminToken),
    ),
  );
}

/** Reads every process's CPU seconds so far; the difference of two readings is a level's figures. */
function cpuMeter(hub: BenchChild, temporalPid: number | null, postmaster: number | null) {
  const read = async () => ({
    hub: await hub.cpuS(),
    temporal: temporalPid === null ? null : treeCpuS(temporalPid),
    loadGenerator: (() => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    })(),
    postgres: postmaster === null ? null : treeCpuS(postmaster),
  });
  return async (): Promise<() => Promise<CpuFigures>> => {
    const a = await read();
    return async () => {
      const b = await read();
      const d = (x: number | null, y: number | null) => (x === null || y === null ? null : y - x);
      const f = {
        hub: d(a.hub, b.hub),
        temporal: d(a.temporal, b.temporal),
        loadGenerator: b.loadGenerator - a.loadGenerator,
        postgres: d(a.postgres, b.postgres),
      };
      const total = (f.hub ?? 0) + (f.temporal ?? 0) + f.loadGenerator + (f.postgres ?? 0);
      return {
        hub: round1(f.hub),
        temporal: round1(f.temporal),
        loadGenerator: round1(f.loadGenerator)!,
        postgres: round1(f.postgres),
        total: round1(total)!,
      };
    };
  };
}

async function runLevel(
  region: Region,
  c: number,
  people: number,
  startCpu: () => Promise<() => Promise<CpuFigures>>,
): Promise<LevelFigures> {
  const lat = Object.fromEntries(STEPS.map((s) => [s, [] as number[]])) as Record<Step, number[]>;
  let ok = 0;
  const errors = new Map<string, number>();
  const journeyMs: number[] = [];
  const stopCpu = await startCpu();
  const t0 = performance.now();
  const deadline = t0 + DURATION_MS;
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (performance.now() < deadline) {
        const j0 = performance.now();
        try {
          await journey(region, lat);
          ok++;
          journeyMs.push(performance.now() - j0);
        } catch (e) {
          const k = String((e as Error).message).slice(0, 80);
          errors.set(k, (errors.get(k) ?? 0) + 1);
        }
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  const cpuS = await stopCpu();
  const apiCalls = STEPS.filter((x) => x !== 'outbox').flatMap((x) => lat[x]);
  return {
    concurrency: c,
    seconds: Number(s.toFixed(1)),
    journeys: ok,
    journeysPerS: Number((ok / s).toFixed(1)),
    errors: Object.fromEntries(errors),
    journeyMs: { p50: pct(journeyMs, 50), p99: pct(journeyMs, 99) },
    apiCallMs: { p50: pct(apiCalls, 50), p99: pct(apiCalls, 99) },
    stepsMs: Object.fromEntries(
      STEPS.map((x) => [x, { p50: pct(lat[x], 50), p99: pct(lat[x], 99), n: lat[x].length }]),
    ) as LevelFigures['stepsMs'],
    people,
    cpuS,
    coresBusy: Number((cpuS.total / s).toFixed(2)),
  };
}

async function benchSize(people: number): Promise<SizeFigures> {
  // A fresh Temporal dev server per size: the sizes differ only in what PostgreSQL holds.
  const env = await startLocalDevServer();
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  let pool: Pool | undefined;
  let hub: BenchChild | undefined;
  try {
    await migrate(DB_URL, schema);
    pool = createPool(DB_URL, schema);
    const fill = await fillPeople(DB_URL, schema, people);
    console.log(JSON.stringify({ fill }));
    const school = await insertSchool(pool, {
      name: 'МБОУ СОШ № 1',
      settlement: 'Казань',
      region: '16',
      timezone: 'Europe/Moscow',
    });
    const adminToken = await tokenService(JWT).sign({
      sub: `admin-${school.id}`,
      role: 'school_admin',
      schools: [school.id],
      classes: [],
    });
    hub = await startBenchChild('bench/signup-server.ts', 'hub ready ', {
      ...hubEnv,
      DATABASE_URL: DB_URL,
      DB_SCHEMA: schema,
      TEMPORAL_ADDRESS: env.address,
      TASK_QUEUE: `bench-${randomBytes(4).toString('hex')}`,
    });
    const region: Region = {
      base: `http://127.0.0.1:${Number(hub.readyLine.slice('hub ready '.length))}`,
      pool,
      schoolId: school.id,
      adminToken,
    };
    const temporalPid = findPid(['start-dev', `--port ${env.address.split(':').pop()} `]);
    const startCpu = cpuMeter(hub, temporalPid, await postmasterPid(pool));
    // Warm-up: a few journeys so the first level does not pay for JIT and connection set-up.
    const warm = Object.fromEntries(STEPS.map((s) => [s, [] as number[]])) as Record<Step, number[]>;
    for (let i = 0; i < 5; i++) await journey(region, warm);
    const figures: LevelFigures[] = [];
    for (const c of levels) {
      const r = await runLevel(region, c, people, startCpu);
      console.log(JSON.stringify(r));
      figures.push(r);
    }
    const [peak = -1, now = -1] = await hub.rss();
    console.log(
      JSON.stringify({
        people,
        hubPeakRssMb: Math.round(peak / 1024),
        hubRssAtEndMb: Math.round(now / 1024),
      }),
    );
    const size = { people, fill, levels: figures, hubPeakRssMb: Math.round(peak / 1024) };
    printSizeTable(size);
    return size;
  } finally {
    if (hub) {
      const { child } = hub;
      child.kill('SIGTERM');
      await Promise.race([
        new Promise((r) => child.once('exit', r)),
        new Promise((r) => setTimeout(r, 10_000)),
      ]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    if (pool) {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool.end();
    }
    await env.teardown();
  }
}

const pp = (f: Figure) => `${f.p50} / ${f.p99}`;
const cpuCell = (x: number | null) => (x === null ? '–' : String(x));

function printSizeTable(s: SizeFigures): void {
  const { fill } = s;
  console.log(
    `\n${s.people} people (${fill.schools} schools, ${fill.schemaMb} MB in the schema; filled in ${fill.insertS} s + vacuum ${fill.vacuumS} s, PostgreSQL CPU ${fill.postgresCpuS ?? '–'} s); hub peak RSS ${s.hubPeakRssMb} MB`,
  );
  console.log(
    `| concurrency | journeys | journeys/s | journey p50 / p99 ms | any API call p50 / p99 ms | ${STEPS.join(' | ')} (p50 / p99 ms) | errors | CPU s: hub / Temporal / load gen / PostgreSQL | cores busy (of ${availableParallelism()}) |`,
  );
  console.log(`|${' --- |'.repeat(9 + STEPS.length)}`);
  for (const r of s.levels) {
    const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
    const cpu = [r.cpuS.hub, r.cpuS.temporal, r.cpuS.loadGenerator, r.cpuS.postgres].map(cpuCell).join(' / ');
    console.log(
      `| ${r.concurrency} | ${r.journeys} | ${r.journeysPerS} | ${pp(r.journeyMs)} | ${pp(r.apiCallMs)} | ${STEPS.map((x) => pp(r.stepsMs[x])).join(' | ')} | ${errors} | ${cpu} | ${r.coresBusy} |`,
    );
  }
}

const ratio = (a: number | null, b: number | null): string =>
  a === null || b === null || !a || !Number.isFinite(a) || !Number.isFinite(b)
    ? '–'
    : `×${(b / a).toFixed(2)}`;
const perJourney = (cpu: number | null, r: LevelFigures) =>
  cpu === null || !r.journeys ? null : cpu / r.journeys;

function printGrowth(results: SizeFigures[]): void {
  const first = [...results].sort((a, b) => a.people - b.people)[0]!;
  for (const s of results.filter((x) => x !== first)) {
    console.log(
      `\ngrowth ${first.people} → ${s.people} people (each figure at ${s.people} ÷ the same at ${first.people}; journeys/s below ×1 is slower, latency and CPU above ×1 are slower):`,
    );
    console.log(
      `| concurrency | journeys/s | journey p50 / p99 | any API call p50 / p99 | ${STEPS.join(' | ')} (p50 / p99) | CPU s per journey: hub / Temporal / PostgreSQL |`,
    );
    console.log(`|${' --- |'.repeat(5 + STEPS.length)}`);
    for (const r of s.levels) {
      const b = first.levels.find((x) => x.concurrency === r.concurrency);
      if (!b) continue;
      const lat = (x: Figure, y: Figure) => `${ratio(x.p50, y.p50)} / ${ratio(x.p99, y.p99)}`;
      const cpu = (['hub', 'temporal', 'postgres'] as const)
        .map((k) => ratio(perJourney(b.cpuS[k], b), perJourney(r.cpuS[k], r)))
        .join(' / ');
      console.log(
        `| ${r.concurrency} | ${ratio(b.journeysPerS, r.journeysPerS)} | ${lat(b.journeyMs, r.journeyMs)} | ${lat(b.apiCallMs, r.apiCallMs)} | ${STEPS.map((x) => lat(b.stepsMs[x], r.stepsMs[x])).join(' | ')} | ${cpu} |`,
      );
    }
  }
}

const started = performance.now();
const results: SizeFigures[] = [];
for (const people of sizes) results.push(await benchSize(people));
if (results.length > 1) printGrowth(results);
console.log(
  `\n${sizes.length} size(s) × ${levels.length} level(s) of ${DURATION_MS / 1000} s: ${Math.round((performance.now() - started) / 1000)} s in all`,
);
process.exit(0);
