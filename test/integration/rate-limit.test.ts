// Public routes are rate limited per client IP (and per phone where a phone is sent), with counters
// in PostgreSQL: two API replicas over one database share them.
import { describe, expect, it } from 'vitest';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { latestCode, newPhone, signupSteps } from '../helpers/signup.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool }));
const limits = {
  // Client addresses come as X-Forwarded-For from the test, a proxy on loopback (trust-proxy.test.ts has the default).
  TRUST_PROXY: 'loopback',
  RATE_LIMIT_PREVIEW_PER_IP: '3/60',
  RATE_LIMIT_CODE_REQUEST_PER_PHONE: '3/60',
  RATE_LIMIT_CODE_SUBMIT_PER_PHONE: '3/60',
  RATE_LIMIT_CODE_SUBMIT_PER_IP: '4/60',
  SIGNUP_RESEND_AFTER_SECONDS: '0',
};
const replicaA = useTestApi(db, temporal, limits);
const replicaB = useTestApi(db, temporal, limits);
const signup = signupSteps(replicaA, db);

const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
/** "+79161234567" as a person might type it: "8 (916) 123-45-67". */
const typedNationally = (e164: string) => `8 (${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8, 10)}-${e164.slice(10)}`;
const startFrom = (ip: string, phone: string, api = replicaA) => api.call('POST', '/v1/signups', { body: { phone }, ...from(ip) });
const latestCodeOf = (phone: string) => latestCode(db.pool, phone);
const submitFrom = (ip: string, signupId: string, code: string) => replicaA.call('POST', `/v1/signups/${signupId}/code`, { body: { code }, ...from(ip) });

describe('rate limits on public routes', () => {
  it('R-A4: invite previews beyond the limit are 429 problem+json with Retry-After; another IP is unaffected', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await replicaA.call('GET', `/v1/invites/${'A'.repeat(43)}`, from('203.0.113.7'));
      expect(res.status).toBe(404);
    }
    const limited = await replicaA.call('GET', `/v1/invites/${'A'.repeat(43)}`, from('203.0.113.7'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(limited.body.type).toBe('/problems/rate-limited');
    expect(limited.body.detail).toMatch(/Слишком много попыток/);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const otherIp = await replicaA.call('GET', `/v1/invites/${'A'.repeat(43)}`, from('203.0.113.8'));
    expect(otherIp.status).toBe(404);
  });

  it('R-A4: a second replica sees the same counters (PostgreSQL store), also for parent link previews', async () => {
    for (let i = 0; i < 3; i++) await replicaA.call('GET', `/v1/parent-links/${'B'.repeat(43)}`, from('198.51.100.1'));
    const onB = await replicaB.call('GET', `/v1/parent-links/${'B'.repeat(43)}`, from('198.51.100.1'));
    expect(onB.status).toBe(429);
    const rows = await db.pool.query(`SELECT key FROM rate_limits`);
    expect(rows.rows.length).toBeGreaterThan(0);
  });

  it('routes without a limit are not counted (an authenticated staff route)', async () => {
    const before = Number((await db.pool.query(`SELECT count(*) FROM rate_limits`)).rows[0].count);
    for (let i = 0; i < 5; i++) await replicaA.call('GET', '/v1/directory/settlements?q=Ка', from('192.0.2.1'));
    expect(Number((await db.pool.query(`SELECT count(*) FROM rate_limits`)).rows[0].count)).toBe(before);
  });

  it('R-A4 (issue 6): code requests per phone are limited across IPs, phone spellings, resends and replicas', async () => {
    const phone = newPhone();
    const first = await startFrom('192.0.2.11', phone);
    expect(first.status).toBe(200);
    expect((await startFrom('192.0.2.12', typedNationally(phone), replicaB)).status).toBe(200);
    const resend = await replicaA.call('POST', `/v1/signups/${first.body.signupId}/resend`, { body: {}, ...from('192.0.2.13') });
    expect(resend.status).toBe(200);

    const fourth = await startFrom('192.0.2.14', phone);
    expect(fourth.status).toBe(429);
    expect(fourth.headers.get('content-type')).toContain('application/problem+json');
    expect(fourth.body.type).toBe('/problems/rate-limited');
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);
    // The same IP with another phone is fine: the limit is the phone's.
    expect((await startFrom('192.0.2.14', newPhone())).status).toBe(200);
    // The counters never hold the phone in clear.
    const keys = (await db.pool.query(`SELECT key FROM rate_limits`)).rows.map((r: { key: string }) => r.key).join(' ');
    expect(keys).not.toContain(phone.slice(1));
  });

  it('R-A4 (issue 6): code submissions per phone are limited across IPs and sessions; even the right code is refused past it', async () => {
    const phone = newPhone();
    const a = await startFrom('192.0.2.21', phone);
    const b = await startFrom('192.0.2.22', phone); // a second session of the same phone
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.signupId).not.toBe(a.body.signupId);
    expect((await submitFrom('192.0.2.23', a.body.signupId, '000000')).status).toBe(422);
    expect((await submitFrom('192.0.2.24', b.body.signupId, '000000')).status).toBe(422);
    expect((await submitFrom('192.0.2.25', a.body.signupId, '000000')).status).toBe(422);

    const right = await submitFrom('192.0.2.26', b.body.signupId, await latestCodeOf(phone));
    expect(right.status).toBe(429);
    expect(right.body.type).toBe('/problems/rate-limited');
    expect((await signup.get(b.body.signupId)).body.stage).toBe('code');
  });

  it('R-A4 (issue 6): code submissions per IP are limited across phones', async () => {
    const ip = '192.0.2.31';
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const started = await startFrom(`192.0.2.${40 + i}`, newPhone());
      expect(started.status).toBe(200);
      ids.push(started.body.signupId);
    }
    for (const id of ids.slice(0, 4)) expect((await submitFrom(ip, id, '000000')).status).toBe(422);
    const fifth = await submitFrom(ip, ids[4]!, '000000');
    expect(fifth.status).toBe(429);
    expect(fifth.body.type).toBe('/problems/rate-limited');
    expect((await submitFrom('192.0.2.32', ids[4]!, '000000')).status).toBe(422);
  });
});
