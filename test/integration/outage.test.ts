// Issue 7, fault drills: while PostgreSQL or Temporal is away, every route answers 503 problem+json
// with Retry-After and a stable type, never 500; once the dependency is back the same calls succeed.
// The database here is a private server of this file's own (the shared one at :5432 is never stopped).
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../infra/migrate.js';
import { personFacingGrpcRetry } from '../../infra/temporal.js';
import { createPool } from '../../infra/postgres.js';
import { useTestApi, waitingOut503, type ApiResponse } from '../helpers/api.js';
import type { TestDb } from '../helpers/db.js';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';
import { seedSchool, type SchoolWithClasses } from '../helpers/seed.js';
import { aProfile, newPhone, workflowIdOf } from '../helpers/signup.js';
import { useTemporalWorker, type TestTemporal } from '../helpers/temporal.js';

let pg: PrivatePostgres;
const db = { schema: 'public' } as TestDb;
beforeAll(async () => {
  pg = await startPrivatePostgres();
  db.url = pg.url;
  await migrate(pg.url);
  db.pool = createPool(pg.url);
});
afterAll(async () => {
  await db.pool?.end();
  await pg?.remove();
});

const temporal = useTemporalWorker(() => ({ pool: db.pool }));
const api = useTestApi(db, temporal);

/** The same API over a Temporal frontend that never answers (nothing listens on port 1), with the API's gRPC retries. */
const deadTemporal = {} as TestTemporal;
beforeAll(() => {
  deadTemporal.client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500, interceptors: personFacingGrpcRetry() }) });
  deadTemporal.taskQueue = 'nowhere';
});
const noTemporal = useTestApi(db, deadTemporal);

let s: SchoolWithClasses;
beforeAll(async () => {
  s = await seedSchool(db.pool);
});

function expectUnavailable(res: ApiResponse, type: string): void {
  expect(res.status).toBe(503);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(res.body).toMatchObject({ type, status: 503 });
  expect(res.body.retryAfterSeconds).toBe(Number(res.headers.get('retry-after')));
}

describe('issue 7: PostgreSQL away → 503 with Retry-After, not 500', () => {
  it('a signup start and an authenticated route answer 503 database-unavailable while the database is down, and succeed once it is back', async () => {
    const invites = () => api.call('GET', `/v1/schools/${s.school.id}/invites`, { as: s.admin });
    expect((await invites()).status).toBe(200);

    await pg.stop();
    try {
      const start = await api.call('POST', '/v1/signups', { body: { phone: newPhone() } });
      expectUnavailable(start, '/problems/database-unavailable');
      expect(start.body.detail).toMatch(/База данных временно недоступна/);
      const listed = await invites();
      expectUnavailable(listed, '/problems/database-unavailable');
      const inEnglish = await api.call('GET', `/v1/schools/${s.school.id}/invites`, { as: s.admin, headers: { 'accept-language': 'en' } });
      expect(inEnglish.body.detail).toMatch(/database is temporarily unavailable/);
      // The person's own routes too: a failed lookup is an outage, not "no such person".
      const mine = await api.call('GET', '/v1/me/applications', { as: { sub: '00000000-0000-4000-8000-000000000000', role: 'person', schools: [], classes: [] } });
      expectUnavailable(mine, '/problems/database-unavailable');
    } finally {
      await pg.start();
    }

    const phone = newPhone();
    const start = await api.call('POST', '/v1/signups', { body: { phone } });
    expect(start.status).toBe(200);
    expect(start.body.stage).toBe('code');
    expect((await invites()).status).toBe(200);
  });
});

describe('issue 7: Temporal away → 503 with Retry-After, not 500', () => {
  it('starting a signup and reading one answer 503 workflow-engine-unavailable within seconds', async () => {
    const t0 = Date.now();
    const start = await noTemporal.call('POST', '/v1/signups', { body: { phone: newPhone() } });
    expectUnavailable(start, '/problems/workflow-engine-unavailable');
    expect(start.body.detail).toMatch(/Temporal/);
    // A route that needs both: the database answers, the workflow engine does not.
    const started = await api.call('POST', '/v1/signups', { body: { phone: newPhone() } });
    const read = await noTemporal.call('GET', `/v1/signups/${started.body.signupId as string}`);
    expectUnavailable(read, '/problems/workflow-engine-unavailable');
    // A person is waiting: the API gives up on an absent Temporal quickly and says when to retry.
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The code the outbox received; the drill's own reads wait out the restart too. */
async function codeOf(phone: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const rows = await db.pool
      .query(`SELECT code FROM otp_outbox WHERE recipient = $1 ORDER BY id DESC LIMIT 1`, [phone])
      .then((r) => r.rows as { code: string }[], () => []);
    if (rows[0]?.code) return rows[0].code;
    await sleep(100);
  }
  throw new Error('no code in the outbox');
}

describe('issue 7 drill: PostgreSQL restarts during a signup peak', () => {
  it('every journey completes once, with one account per phone, while clients wait out 503 + Retry-After', async () => {
    const JOURNEYS = 24;
    const seen = { unavailable: 0 };
    const phones = Array.from({ length: JOURNEYS }, () => newPhone());
    const journey = async (phone: string, i: number) => {
      await sleep(i * 120); // a peak spread over about 3 s, so that the restart lands in the middle of it
      const started = await waitingOut503(() => api.call('POST', '/v1/signups', { body: { phone } }), seen);
      expect(started.status, JSON.stringify(started.body)).toBe(200);
      const id = started.body.signupId as string;
      const verified = await waitingOut503(async () => api.call('POST', `/v1/signups/${id}/code`, { body: { code: await codeOf(phone) } }), seen);
      expect(verified.status, JSON.stringify(verified.body)).toBe(200);
      expect(verified.body.stage).toBe('profile');
      const done = await waitingOut503(() => api.call('POST', `/v1/signups/${id}/profile`, { body: aProfile }), seen);
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(done.body).toMatchObject({ stage: 'done', outcome: 'created' });
      return id;
    };
    const restart = (async () => {
      await sleep(1_000);
      await pg.stop();
      await sleep(2_000); // away long enough for requests and activities in flight to meet it
      await pg.start();
    })();
    const [ids] = await Promise.all([Promise.all(phones.map(journey)), restart]);

    // The outage was felt: some calls were told to come back later (and none got a 500).
    expect(seen.unavailable).toBeGreaterThan(0);
    // No duplicate account: exactly one person per phone.
    const { rows } = await db.pool.query(`SELECT phone, count(*)::int AS n FROM people WHERE phone = ANY($1) GROUP BY phone`, [phones]);
    expect(rows).toHaveLength(JOURNEYS);
    expect(rows.every((r: { n: number }) => r.n === 1)).toBe(true);
    // No journey lost: every workflow reached its end.
    for (const id of ids) {
      const d = await temporal.client.workflow.getHandle(workflowIdOf(id)).describe();
      expect(d.status.name).toBe('COMPLETED');
    }
    console.log(`drill: ${JOURNEYS} journeys, ${seen.unavailable} answers 503 with Retry-After during the restart`);
  }, 120_000);
});
