// Issue 15, Gosuslugi (ESIA) for EPOS (R-L3, R-L5): a student proves their EPOS journal identity with
// their own Gosuslugi sign-in (OpenID Connect against the ESIA simulator: discovery, authorize, token,
// JWKS-signed ID token); the birth date and name must match the journal; a parent's account never
// proves a student. Real Temporal, PostgreSQL, the EPOS file adapter, the VK adapter against its
// simulator, the real express app. In `npm run test:drills`.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../api/auth.js';
import { startEsiaSimulator, type EsiaSimulator } from '../../adapters/identity-proof/esia-simulator.js';
import { writeEposExport } from '../../adapters/journals/epos-file/export.js';
import { auditFor } from '../../db/repositories/audit.js';
import { insertConnection, type JournalConnection } from '../../db/repositories/connections.js';
import { useTestApi, type ApiResponse } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { bindThroughUseCase } from '../helpers/vk-id.js';
import { TEST_SECRETS_KEY_HEX, membersOf, runSync, startRosterWorld, syncContext, userOf, type RosterWorld } from '../helpers/roster.js';
import { seedPerson } from '../helpers/seed.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
let w: RosterWorld;
let esia: EsiaSimulator;
let epos: JournalConnection;
let dir: string;
let student: string;
let otherStudent: string;
let classTitle: string;

beforeAll(async () => {
  esia = await startEsiaSimulator();
  // The world's model and messenger; the journal is an EPOS export of that model (no Eljur sync here).
  w = await startRosterWorld(db.pool, { seed: 61, grades: 1, studentsPerClass: 4, secretsKeyHex: TEST_SECRETS_KEY_HEX });
  dir = await mkdtemp(join(tmpdir(), 'hub-esia-'));
  const path = join(dir, 'epos.jsonl');
  await writeEposExport(w.model, path);
  epos = await insertConnection(db.pool, w.box, {
    name: 'ЭПОС (тест)',
    kind: 'epos-file',
    settings: { path },
    region: '77',
    schools: [{ schoolExternalId: w.school, schoolId: w.hubSchool!.school.id }],
  });
  const cls = w.model.classesOf(w.school)[0]!;
  classTitle = cls.name;
  const students = w.model.enrollmentsOf(w.school, { classId: cls.id }).map((e) => e.studentId);
  student = students[0]!;
  otherStudent = students[1]!;
});
const t = useTemporalWorker(() => ({ pool: db.pool, messenger: w.messenger, journals: w.journals }));
const api = useTestApi(db, t, {
  HUB_SECRETS_KEY: TEST_SECRETS_KEY_HEX,
  // Read when the API starts, after the simulator is up.
  get ESIA_ISSUER() {
    return esia.issuer;
  },
  get ESIA_CLIENT_ID() {
    return esia.clientId;
  },
  get ESIA_CLIENT_SECRET() {
    return esia.clientSecret;
  },
  ESIA_REDIRECT_URI: 'https://hub.example/esia/back',
});
afterAll(async () => {
  await w?.close();
  await esia?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function person(messengerUserId = String(2_000_000_000 + Math.floor(Math.random() * 1_000_000_000)), birthDate: string | null = null) {
  const p = await seedPerson(db.pool, { phone: null, email: `esia-${randomUUID()}@test.example`, birthDate });
  await bindThroughUseCase(db.pool, w.vkIdSim, p.person.id, messengerUserId);
  return p;
}

function expectProblem(res: ApiResponse, status: number, type: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body.type).toBe(`/problems/${type}`);
}

/** The person's browser: start, sign in at the provider with `login`/`password`, read the redirect back. */
async function signInAtEsia(as: Principal, externalPersonId: string, login: string, password: string, connectionId = epos.id) {
  const start = await api.call('POST', '/v1/me/journal-proofs/esia/start', { as, body: { connectionId, externalPersonId } });
  expect(start.status, JSON.stringify(start.body)).toBe(201);
  const url = new URL(start.body.authorizeUrl);
  expect(url.origin).toBe(esia.issuer);
  expect(url.searchParams.get('redirect_uri')).toBe('https://hub.example/esia/back');
  url.searchParams.set('login', login);
  url.searchParams.set('password', password);
  const page = await fetch(url, { redirect: 'manual' });
  expect(page.status).toBe(302);
  const back = new URL(page.headers.get('location')!);
  return { state: back.searchParams.get('state')!, code: back.searchParams.get('code')! };
}
const complete = (as: Principal, back: { state: string; code: string }) => api.call('POST', '/v1/me/journal-proofs/esia', { as, body: back });
const link = (as: Principal, externalPersonId: string, proofId: string) =>
  api.call('POST', '/v1/me/journal-links', { as, body: { connectionId: epos.id, externalPersonId, proofId } });

async function links(externalId: string) {
  return (await db.pool.query(`SELECT person_id FROM journal_links WHERE connection_id = $1 AND external_person_id = $2 AND unlinked_at IS NULL`, [epos.id, externalId])).rows;
}

describe('issue 15: Gosuslugi sign-in for EPOS (R-L3, R-L5)', () => {
  it('R-L2: the first EPOS run lists everyone as pending', async () => {
    const { run } = await runSync(syncContext(db.pool, t.client, t.taskQueue), { connectionId: epos.id, dryRun: false });
    expect(run.status).toBe('applied');
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS n FROM pending_members p JOIN managed_chats c ON c.id = p.chat_id WHERE c.connection_id = $1 AND p.external_person_id = $2`,
      [epos.id, student],
    );
    expect(rows[0].n).toBeGreaterThan(0);
    expect(membersOf(w.messengerSim, classTitle) ?? []).not.toContain(userOf(student));
  });

  it("R-L3, R-L5: a parent's Gosuslugi account cannot link their child's identity; nothing is linked, the refusal is audited", async () => {
    const child = w.model.persons.get(student)!;
    const parentJournal = w.model.persons.get(w.model.guardiansOf(student)[0]!.parentId)!;
    esia.citizens.set('parent-login', {
      password: 'p4rent',
      familyName: parentJournal.lastName,
      givenName: parentJournal.firstName,
      birthDate: parentJournal.birthDate ?? '1985-05-05',
      snils: '112-233-445 95',
      children: [child.birthDate!],
    });
    const parent = await person();
    const back = await signInAtEsia(parent.as, student, 'parent-login', 'p4rent');
    const refused = await complete(parent.as, back);
    expectProblem(refused, 403, 'parent-identity-for-student');
    expect(refused.body.detail).toContain('Госуслуг');
    expect(await links(student)).toEqual([]);
    expect(membersOf(w.messengerSim, classTitle) ?? []).toEqual([]);
    const audit = (await auditFor(db.pool, 'person', parent.person.id)).filter((a) => a.action === 'journal.proof-refused');
    expect(audit.map((a) => a.details.refusal)).toEqual(['parent-identity-for-student']);
    expect(JSON.stringify(audit)).not.toContain('112-233');
  });

  it("R-L5: someone else's Gosuslugi (birth date or name not the journal person's) proves nothing", async () => {
    const target = w.model.persons.get(otherStudent)!;
    esia.citizens.set('namesake', { password: 'x', familyName: target.lastName, givenName: target.firstName, birthDate: '2001-01-01' });
    esia.citizens.set('same-day', { password: 'y', familyName: 'Другой', givenName: 'Человек', birthDate: target.birthDate! });
    const stranger = await person();
    expectProblem(await complete(stranger.as, await signInAtEsia(stranger.as, otherStudent, 'namesake', 'x')), 403, 'esia-identity-mismatch');
    expectProblem(await complete(stranger.as, await signInAtEsia(stranger.as, otherStudent, 'same-day', 'y')), 403, 'esia-identity-mismatch');
    expect(await links(otherStudent)).toEqual([]);
  });

  it("R-L3, R-L5, R-L2: the student's own Gosuslugi proves their EPOS identity; the link joins their chats at once; the sign-in works once", async () => {
    const me = w.model.persons.get(student)!;
    esia.citizens.set('student-login', { password: 's3cret', familyName: me.lastName, givenName: me.firstName, birthDate: me.birthDate!, snils: '123-456-789 64' });
    const own = await person(userOf(student), me.birthDate!);
    const back = await signInAtEsia(own.as, student, 'student-login', 's3cret');
    // Someone else cannot finish my sign-in with the state and code they caught.
    const thief = await person();
    expectProblem(await complete(thief.as, back), 410, 'journal-sign-in-expired');

    const proof = await complete(own.as, back);
    expect(proof.status, JSON.stringify(proof.body)).toBe(201);
    expect(proof.body).toMatchObject({ method: 'esia', connectionId: epos.id, externalPersonId: student });
    expectProblem(await complete(own.as, back), 410, 'journal-sign-in-expired');

    const res = await link(own.as, student, proof.body.proofId);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.joinedChats).toBeGreaterThan(0);
    expect(membersOf(w.messengerSim, classTitle)).toContain(userOf(student));
    const stored = JSON.stringify((await db.pool.query(`SELECT facts FROM journal_proofs WHERE id = $1`, [proof.body.proofId])).rows);
    expect(stored).not.toContain('123-456');
  });

  it('R-L5: Gosuslugi is offered for EPOS only (an Eljur person signs in to Eljur); a provider that does not answer is 503 and proves nothing', async () => {
    const someone = await person();
    const start = await api.call('POST', '/v1/me/journal-proofs/esia/start', { as: someone.as, body: { connectionId: w.connection.id, externalPersonId: student } });
    expectProblem(start, 409, 'journal-sign-in-not-offered');

    const target = w.model.persons.get(otherStudent)!;
    esia.citizens.set('other-login', { password: 'z', familyName: target.lastName, givenName: target.firstName, birthDate: target.birthDate! });
    const own = await person(userOf(otherStudent), target.birthDate!);
    const back = await signInAtEsia(own.as, otherStudent, 'other-login', 'z');
    esia.faults.inject({ kind: 'status', status: 503 }, { path: /^\/token$/ });
    expectProblem(await complete(own.as, back), 503, 'journal-sign-in-unavailable');
    expect(await links(otherStudent)).toEqual([]);
  });
});
