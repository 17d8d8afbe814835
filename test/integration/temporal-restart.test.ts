// Issue 7, fault drill: the Temporal dev server (SQLite file) restarts while journeys wait on people:
// a signup waiting for its code and an application waiting for the school's decision. After the
// restart on the same file and port, worker and client reconnect by themselves and the journeys
// continue from where they were: same workflow and run ids, history from before the restart intact.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevTemporal, type DevTemporal } from '../../app/dev-temporal.js';
import { applicationWorkflowId } from '../../workflows/definitions.js';
import { useTestApi, waitingOut503 } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { freePort } from '../helpers/private-postgres.js';
import { seedPerson, seedSchool, type SchoolWithClasses } from '../helpers/seed.js';
import { aProfile, latestCode, newPhone, workflowIdOf } from '../helpers/signup.js';
import { useTemporalWorker } from '../helpers/temporal.js';

let dir: string;
let ports: [number, number];
let server: DevTemporal;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hub-temporal-'));
  ports = [await freePort(), await freePort()];
  server = await startDevTemporal(dir, ...ports);
});
afterAll(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool }), { address: () => server.address });
const api = useTestApi(db, temporal);

let s: SchoolWithClasses;
beforeAll(async () => {
  s = await seedSchool(db.pool);
});

describe('issue 7 drill: the Temporal server restarts', () => {
  it('a signup waiting for its code and an application waiting for approval continue where they were', async () => {
    // Before: one journey at each kind of wait.
    const phone = newPhone();
    const started = await api.call('POST', '/v1/signups', { body: { phone } });
    expect(started.status).toBe(200);
    const signupId = started.body.signupId as string;
    const { person, as } = await seedPerson(db.pool);
    const applied = await api.call('POST', '/v1/applications', { as, body: { schoolId: s.school.id, role: 'teacher' } });
    expect(applied.status).toBe(201);
    const handles = [workflowIdOf(signupId), applicationWorkflowId(person.id, s.school.id)].map((id) => temporal.client.workflow.getHandle(id));
    const before = await Promise.all(handles.map((h) => h.describe()));
    const historyBefore = await Promise.all(handles.map(async (h) => (await h.fetchHistory()).events?.length ?? 0));
    expect(before.map((d) => d.status.name)).toEqual(['RUNNING', 'RUNNING']);

    await server.stop();
    server = await startDevTemporal(dir, ...ports);

    // After: the same calls a person and an admin would make; a 503 while the client reconnects is waited out.
    const verified = await waitingOut503(async () => api.call('POST', `/v1/signups/${signupId}/code`, { body: { code: await latestCode(db.pool, phone) } }));
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body.stage).toBe('profile');
    const done = await waitingOut503(() => api.call('POST', `/v1/signups/${signupId}/profile`, { body: aProfile }));
    expect(done.body).toMatchObject({ stage: 'done', outcome: 'created' });
    const approved = await waitingOut503(() => api.call('POST', `/v1/applications/${applied.body.id as string}/approve`, { as: s.admin, body: {} }));
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.status).toBe('approved');
    const roles = await db.pool.query(`SELECT 1 FROM school_roles WHERE person_id = $1 AND school_id = $2 AND role = 'teacher'`, [person.id, s.school.id]);
    expect(roles.rowCount).toBe(1);

    // Same runs, history kept and extended: nothing was started over.
    const after = await Promise.all(handles.map((h) => h.describe()));
    expect(after.map((d) => d.runId)).toEqual(before.map((d) => d.runId));
    expect(after.map((d) => d.startTime.getTime())).toEqual(before.map((d) => d.startTime.getTime()));
    const historyAfter = await Promise.all(handles.map(async (h) => (await h.fetchHistory()).events?.length ?? 0));
    historyAfter.forEach((n, i) => expect(n).toBeGreaterThan(historyBefore[i]!));
    expect(after[0]!.status.name).toBe('COMPLETED');
  });
});
