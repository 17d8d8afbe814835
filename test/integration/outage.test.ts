// Issue 7, fault drills: while PostgreSQL or Temporal is away, every route answers 503 problem+json
// with Retry-After and a stable type, never 500; once the dependency is back the same calls succeed.
// The database here is a private server of this file's own (the shared one at :5432 is never stopped).
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../infra/migrate.js';
import { personFacingGrpcRetry } from '../../infra/temporal.js';
import { createPool } from '../../infra/postgres.js';
import { useTestApi, type ApiResponse } from '../helpers/api.js';
import type { TestDb } from '../helpers/db.js';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';
import { seedSchool, type SchoolWithClasses } from '../helpers/seed.js';
import { newPhone } from '../helpers/signup.js';
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
