// Issue 15, Dnevnik.ru sign-in (R-L5): a person proves their Dnevnik identity with Dnevnik's own
// OAuth (authorisation code → /v2/authorizations → users/me against the Dnevnik simulator); the
// person id `users/me` names must be the one linked. Real Temporal, PostgreSQL, the Dnevnik adapter,
// the VK adapter against its simulator, the real express app.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../api/auth.js';
import { accountsFor } from '../../adapters/journals/eljur/simulator.js';
import { startDnevnikSimulator } from '../../adapters/journals/dnevnik/simulator.js';
import type { RunningSim } from '../../adapters/journals/testing/sim-server.js';
import { auditFor } from '../../db/repositories/audit.js';
import { insertConnection, type JournalConnection } from '../../db/repositories/connections.js';
import { useTestApi, type ApiResponse } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { bindThroughUseCase } from '../helpers/vk-id.js';
import { TEST_SECRETS_KEY_HEX, membersOf, runSync, startRosterWorld, syncContext, userOf, type RosterWorld } from '../helpers/roster.js';
import { seedPerson } from '../helpers/seed.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const OAUTH = { clientId: 'hub-dnevnik', clientSecret: 'hub-dnevnik-secret' };
const PASSWORD = 'dnevnik-pa55';
const BACK = 'https://hub.example/dnevnik/back';
const db = useTestDb();
let w: RosterWorld;
let sim: RunningSim;
let conn: JournalConnection;
let student: string;
let parent: string;
let classTitle: string;

beforeAll(async () => {
  w = await startRosterWorld(db.pool, { seed: 67, grades: 1, studentsPerClass: 4, secretsKeyHex: TEST_SECRETS_KEY_HEX });
  sim = await startDnevnikSimulator(w.model, { token: 'partner-token', oauth: { ...OAUTH, people: accountsFor(w.model, PASSWORD) } });
  conn = await insertConnection(db.pool, w.box, {
    name: 'Дневник.ру (тест)',
    kind: 'dnevnik',
    settings: { baseUrl: sim.url, oauthAuthorizeUrl: `${sim.url}/oauth2`, http: { retries: 2, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 5_000 } },
    credentials: { accessToken: 'partner-token' },
    region: '16',
    schools: [{ schoolExternalId: w.school, schoolId: w.hubSchool!.school.id }],
  });
  const cls = w.model.classesOf(w.school)[0]!;
  classTitle = cls.name;
  student = w.model.enrollmentsOf(w.school, { classId: cls.id })[0]!.studentId;
  parent = w.model.guardiansOf(student)[0]!.parentId;
});
const t = useTemporalWorker(() => ({ pool: db.pool, messenger: w.messenger, journals: w.journals }));
const api = useTestApi(db, t, {
  HUB_SECRETS_KEY: TEST_SECRETS_KEY_HEX,
  DNEVNIK_CLIENT_ID: OAUTH.clientId,
  DNEVNIK_CLIENT_SECRET: OAUTH.clientSecret,
  DNEVNIK_REDIRECT_URI: BACK,
});
afterAll(async () => {
  await w?.close();
  await sim?.close();
});

async function person(messengerUserId = String(2_000_000_000 + Math.floor(Math.random() * 1_000_000_000)), birthDate: string | null = null) {
  const p = await seedPerson(db.pool, { phone: null, email: `dn-${randomUUID()}@test.example`, birthDate });
  await bindThroughUseCase(db.pool, w.vkIdSim, p.person.id, messengerUserId);
  return p;
}

function expectProblem(res: ApiResponse, status: number, type: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.type).toBe(`/problems/${type}`);
}

/** The browser: start, sign in at Dnevnik, read the redirect back (code and state). */
async function signInAtDnevnik(as: Principal, login: string, password = PASSWORD) {
  const start = await api.call('POST', '/v1/me/journal-proofs/dnevnik/start', { as, body: { connectionId: conn.id } });
  expect(start.status, JSON.stringify(start.body)).toBe(201);
  const url = new URL(start.body.authorizeUrl);
  expect(url.searchParams.get('redirect_uri')).toBe(BACK);
  url.searchParams.set('login', login);
  url.searchParams.set('password', password);
  const page = await fetch(url, { redirect: 'manual' });
  if (page.status !== 302) return { refusedAtProvider: page.status, state: url.searchParams.get('state')!, code: '' };
  const back = new URL(page.headers.get('location')!);
  return { state: back.searchParams.get('state')!, code: back.searchParams.get('code')! };
}
const complete = (as: Principal, back: { state: string; code: string }) => api.call('POST', '/v1/me/journal-proofs/dnevnik', { as, body: { state: back.state, code: back.code } });
const link = (as: Principal, externalPersonId: string, proofId: string) =>
  api.call('POST', '/v1/me/journal-links', { as, body: { connectionId: conn.id, externalPersonId, proofId } });

describe('issue 15: Dnevnik.ru sign-in (R-L5)', () => {
  it('R-L2: the first Dnevnik run lists the student as pending', async () => {
    const { run } = await runSync(syncContext(db.pool, t.client, t.taskQueue), { connectionId: conn.id, dryRun: false });
    expect(run.status).toBe('applied');
    expect(membersOf(w.messengerSim, classTitle) ?? []).not.toContain(userOf(student));
  });

  it("R-L5: a parent's own Dnevnik sign-in names the parent: it cannot link the child; a forged code or a replayed state proves nothing", async () => {
    const mum = await person();
    const own = await complete(mum.as, await signInAtDnevnik(mum.as, parent));
    expect(own.status, JSON.stringify(own.body)).toBe(201);
    expect(own.body).toMatchObject({ method: 'dnevnik-oauth', externalPersonId: parent });
    expectProblem(await link(mum.as, student, own.body.proofId), 403, 'journal-proof-other-identity');

    const wrong = await signInAtDnevnik(mum.as, student, 'guess');
    expect(wrong).toMatchObject({ refusedAtProvider: 401 });
    const forged = await signInAtDnevnik(mum.as, parent);
    expectProblem(await complete(mum.as, { state: forged.state, code: randomUUID() }), 403, 'journal-sign-in-refused');
    expectProblem(await complete(mum.as, forged), 410, 'journal-sign-in-expired');

    const { rows } = await db.pool.query(`SELECT 1 FROM journal_links WHERE connection_id = $1 AND external_person_id = $2`, [conn.id, student]);
    expect(rows).toEqual([]);
    const refused = (await auditFor(db.pool, 'person', mum.person.id)).filter((a) => a.action.endsWith('-refused')).map((a) => a.details.refusal);
    expect(refused).toEqual(['journal-proof-other-identity', 'journal-sign-in-refused', 'journal-sign-in-expired']);
  });

  it("R-L5, R-L2: the student's own Dnevnik sign-in links them and joins their chats at once", async () => {
    const me = await person(userOf(student), w.model.persons.get(student)!.birthDate ?? null);
    const proof = await complete(me.as, await signInAtDnevnik(me.as, student));
    expect(proof.status, JSON.stringify(proof.body)).toBe(201);
    const res = await link(me.as, student, proof.body.proofId);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.joinedChats).toBeGreaterThan(0);
    expect(membersOf(w.messengerSim, classTitle)).toContain(userOf(student));
  });

  it('R-L5: the Dnevnik sign-in is offered for Dnevnik connections only', async () => {
    const someone = await person();
    expectProblem(await api.call('POST', '/v1/me/journal-proofs/dnevnik/start', { as: someone.as, body: { connectionId: w.connection.id } }), 409, 'journal-sign-in-not-offered');
  });
});
