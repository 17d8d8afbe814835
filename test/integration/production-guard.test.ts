// Issue 17 item 3: with NODE_ENV=production the processes refuse to start when dev routes, the dev
// outbox or a secret the dev stack generated are configured, and say why. The real entry points are
// spawned (bin/api.ts, bin/worker.ts, bin/scheduler.ts, bin/dev.ts) with a production environment.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config.js';
import { projectRoot } from '../../infra/paths.js';
import { GENERATED_SECRET_MARK } from '../../infra/production-guard.js';
import { testDatabaseUrl } from '../helpers/db.js';

const tsx = join(projectRoot, 'node_modules', '.bin', 'tsx');
const dataDir = mkdtempSync(join(tmpdir(), 'hub-guard-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A production environment that passes the guard: own secrets, no dev settings. */
const sound = {
  NODE_ENV: 'production',
  DATABASE_URL: testDatabaseUrl,
  HUB_DATA_DIR: dataDir,
  HUB_JWT_SECRET: 'a-production-secret-chosen-by-the-operator-0123456789',
  LOG_LEVEL: 'info',
  // Nothing listens here: a process that got past the guard would fail later, and differently.
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  PORT: '0',
  WORKER_METRICS_PORT: '0',
};

function start(bin: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const { PATH, HOME } = process.env;
    const child = spawn(tsx, [join(projectRoot, 'bin', bin)], { cwd: projectRoot, env: { PATH, HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('issue 17 item 3: production guard', () => {
  it.each([
    ['api.ts', { HUB_DEV_AUTH: 'true' }, /HUB_DEV_AUTH=true mounts the dev routes/],
    ['worker.ts', { HUB_DEV_AUTH: 'true', HUB_DEV_OUTBOX: 'true' }, /HUB_DEV_OUTBOX=true keeps one-time codes in clear/],
    ['scheduler.ts', { HUB_JWT_SECRET: `${GENERATED_SECRET_MARK}${'ab'.repeat(32)}` }, /HUB_JWT_SECRET is a secret the dev stack generated/],
  ] as const)('bin/%s with %o refuses to start and says why', async (bin, bad, reason) => {
    const { code, output } = await start(bin, { ...sound, ...bad });
    expect(code).toBe(1);
    expect(output).toMatch(/Refusing to start with NODE_ENV=production/);
    expect(output).toMatch(reason);
    expect(output).not.toMatch(/api listening|worker running|scheduler running|failed to start/);
  });

  it('a secret copied from a dev stack’s data folder (written before secrets were marked) is recognised too', () => {
    const old = 'c0ffee'.repeat(11);
    writeFileSync(join(dataDir, 'dev-secrets-key'), `${old}\n`);
    expect(() => loadConfig({ ...sound, HUB_SECRETS_KEY: old })).toThrow(/HUB_SECRETS_KEY is a secret the dev stack generated/);
    // The same settings outside production are the dev stack's own business.
    expect(() => loadConfig({ ...sound, NODE_ENV: 'development', HUB_SECRETS_KEY: old, HUB_DEV_AUTH: 'true' })).not.toThrow();
  });

  it('every reason is listed at once, so one restart fixes them all; sound production settings pass', () => {
    expect(() => loadConfig({ ...sound, HUB_DEV_AUTH: 'true', HUB_DEV_OUTBOX: 'true' })).toThrow(/HUB_DEV_AUTH[\s\S]*HUB_DEV_OUTBOX/);
    expect(() => loadConfig(sound)).not.toThrow();
    // docker-compose's `${OIDC_ISSUER:-}` is an unset provider, not a malformed one.
    const composed = loadConfig({ ...sound, OIDC_ISSUER: '', OIDC_ROLE_CLAIM: '' });
    expect([composed.OIDC_ISSUER, composed.OIDC_ROLE_CLAIM]).toEqual([undefined, 'realm_access.roles']);
    // A provider without audience or role map would refuse everyone: refused at start instead.
    expect(() => loadConfig({ ...sound, OIDC_ISSUER: 'https://sso.example.ru/realms/region-16' })).toThrow(/OIDC_AUDIENCE and OIDC_ROLE_MAP/);
  });

  it('npm start (bin/dev.ts, the dev stack) refuses NODE_ENV=production before it generates or starts anything', async () => {
    const { code, output } = await start('dev.ts', { ...sound, HUB_JWT_SECRET: '' });
    expect(code).toBe(1);
    expect(output).toMatch(/`npm start` is the dev stack/);
    expect(output).not.toMatch(/Temporal|hub is up/);
  });
});
