// Public routes are rate limited per client IP (and per phone where a phone is sent), with counters
// in PostgreSQL: two API replicas over one database share them.
import { describe, expect, it } from 'vitest';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool }));
const limits = { RATE_LIMIT_PREVIEW_PER_IP: '3/60' };
const replicaA = useTestApi(db, temporal, limits);
const replicaB = useTestApi(db, temporal, limits);

const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

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
});
