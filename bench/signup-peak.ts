// Registration journeys per second through the HTTP API on loopback:
//   npm run bench:signup -- [concurrency...]      (default 8 32 64; BENCH_DURATION_S per level, default 20)
// One journey: start signup → code from the otp_outbox table → code → profile → application (teacher)
// → approve as the school's admin. Closed loop: `c` virtual users each run journeys back to back
// until the level's deadline; journeys in flight at the deadline finish and are counted.
import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { tokenService } from '../api/auth.js';
import { insertSchool } from '../db/repositories/schools.js';
import { migrate } from '../infra/migrate.js';
import { createPool, type Pool } from '../infra/postgres.js';
import { temporalCli } from '../infra/temporal-binaries.js';
import { hubSearchAttributes } from '../workflows/search-attributes.js';
import { startBenchChild } from './child-process.js';

const DB_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DURATION_MS = Number(process.env.BENCH_DURATION_S ?? 20) * 1000;
const levels = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (!levels.length) levels.push(8, 32, 64);
const JWT = randomBytes(32).toString('hex');
const STEPS = ['start', 'outbox', 'code', 'profile', 'apply', 'approve'] as const;
type Step = (typeof STEPS)[number];

const generous = '1000000/60';
const hubEnv = {
  HUB_JWT_SECRET: JWT,
  LOG_LEVEL: 'silent',
  RATE_LIMIT_CODE_REQUEST_PER_IP: generous,
  RATE_LIMIT_CODE_REQUEST_PER_PHONE: generous,
  RATE_LIMIT_CODE_SUBMIT_PER_IP: generous,
  RATE_LIMIT_CODE_SUBMIT_PER_PHONE: generous,
  RATE_LIMIT_PREVIEW_PER_IP: generous,
};

async function call(base: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function codeFor(pool: Pool, phone: string): Promise<string> {
  // Bounded: the code is written before the start call answers; a few short retries cover a lag.
  for (let i = 0; i < 50; i++) {
    const { rows } = await pool.query(`SELECT code FROM otp_outbox WHERE recipient = $1 ORDER BY id DESC LIMIT 1`, [phone]);
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

const env = await TestWorkflowEnvironment.createLocal({
  server: { executable: temporalCli(), searchAttributes: hubSearchAttributes, ip: '127.0.0.1', log: { format: 'pretty', level: 'error' } },
});
const schema = `bench_${randomBytes(4).toString('hex')}`;
await migrate(DB_URL, schema);
const pool = createPool(DB_URL, schema);
const school = await insertSchool(pool, { name: 'МБОУ СОШ № 1', settlement: 'Казань', region: '16', timezone: 'Europe/Moscow' });
const adminToken = await tokenService(JWT).sign({ sub: `admin-${school.id}`, role: 'school_admin', schools: [school.id], classes: [] });
const hub = await startBenchChild('bench/signup-server.ts', 'hub ready ', { ...hubEnv, DATABASE_URL: DB_URL, DB_SCHEMA: schema, TEMPORAL_ADDRESS: env.address, TASK_QUEUE: `bench-${randomBytes(4).toString('hex')}` });
const base = `http://127.0.0.1:${Number(hub.readyLine.slice('hub ready '.length))}`;
let phoneSeq = 0;
const phonePrefix = 1_000_000 + Math.floor(Math.random() * 8_000_000);

async function journey(lat: Record<Step, number[]>): Promise<void> {
  const phone = `+7916${String((phonePrefix + ++phoneSeq) % 10_000_000).padStart(7, '0')}`;
  const timed = async <T>(step: Step, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const r = await f();
    lat[step].push(performance.now() - t0);
    return r;
  };
  const expectOk = (step: string, r: { status: number; json: Record<string, unknown> }) => {
    if (r.status >= 300) throw new Error(`${step}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  };
  const started = expectOk('start', await timed('start', () => call(base, 'POST', '/v1/signups', { phone })));
  const id = started.signupId as string;
  const code = await timed('outbox', () => codeFor(pool, phone));
  expectOk('code', await timed('code', () => call(base, 'POST', `/v1/signups/${id}/code`, { code })));
  const profile = { firstName: 'Мария', lastName: 'Иванова', patronymic: 'Петровна', gender: 'female', birthDate: '1985-05-17' };
  const done = expectOk('profile', await timed('profile', () => call(base, 'POST', `/v1/signups/${id}/profile`, profile)));
  const token = done.token as string;
  const app = expectOk('apply', await timed('apply', () => call(base, 'POST', '/v1/applications', { schoolId: school.id, role: 'teacher' }, token)));
  expectOk('approve', await timed('approve', () => call(base, 'POST', `/v1/applications/${app.id as string}/approve`, {}, adminToken)));
}

const results: unknown[] = [];
try {
  // Warm-up: a few journeys so the first level does not pay for JIT and connection set-up.
  const warm = Object.fromEntries(STEPS.map((s) => [s, [] as number[]])) as Record<Step, number[]>;
  for (let i = 0; i < 5; i++) await journey(warm);
  for (const c of levels) {
    const lat = Object.fromEntries(STEPS.map((s) => [s, [] as number[]])) as Record<Step, number[]>;
    let ok = 0;
    const errors = new Map<string, number>();
    const journeyMs: number[] = [];
    const t0 = performance.now();
    const deadline = t0 + DURATION_MS;
    await Promise.all(
      Array.from({ length: c }, async () => {
        while (performance.now() < deadline) {
          const j0 = performance.now();
          try {
            await journey(lat);
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
    const apiCalls = STEPS.filter((x) => x !== 'outbox').flatMap((x) => lat[x]);
    const r = {
      concurrency: c,
      seconds: Number(s.toFixed(1)),
      journeys: ok,
      journeysPerS: Number((ok / s).toFixed(1)),
      errors: Object.fromEntries(errors),
      journeyMs: { p50: pct(journeyMs, 50), p99: pct(journeyMs, 99) },
      apiCallMs: { p50: pct(apiCalls, 50), p99: pct(apiCalls, 99) },
      stepsMs: Object.fromEntries(STEPS.map((x) => [x, { p50: pct(lat[x], 50), p99: pct(lat[x], 99), n: lat[x].length }])),
    };
    console.log(JSON.stringify(r));
    results.push(r);
  }
  const [peak = -1, now = -1] = await hub.rss();
  console.log(JSON.stringify({ hubPeakRssMb: Math.round(peak / 1024), hubRssAtEndMb: Math.round(now / 1024) }));
} finally {
  hub.child.kill('SIGTERM');
  await Promise.race([new Promise((r) => hub.child.once('exit', r)), new Promise((r) => setTimeout(r, 10_000))]);
  if (hub.child.exitCode === null) hub.child.kill('SIGKILL');
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
  await env.teardown();
}
process.exit(0);
