// R-A7 takes effect (issue 14 item 4): a child under 14 whom no parent confirmed by the deadline is
// restricted by the guardian journey, and the restriction is felt: out of the school's chats at once
// and held as pending there by every run, refused on every join-type action with a Russian
// explanation and the way out (a parent confirms). A parent's confirmation lifts it at once and the
// next run puts the child back in the chats. Real Temporal and PostgreSQL, the Eljur and VK Teams
// adapters over HTTP against their simulators, the real express app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../api/auth.js';
import { CURRENT_CONSENT } from '../../domain/consent.js';
import { useTestApi, type ApiResponse } from '../helpers/api.js';
import { signInProof } from '../helpers/journal-proofs.js';
import { useTestDb } from '../helpers/db.js';
import { bindThroughUseCase } from '../helpers/vk-id.js';
import { actualMembership, expectedMembership, linkDirectly, pendingChatTitles, type RosterWorld, runSync, startRosterWorld, syncContext, userOf } from '../helpers/roster.js';
import { seedPerson, seedSchool, type SchoolWithClasses } from '../helpers/seed.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
let w: RosterWorld;
/** The journal's 1А student who signs up to the hub; everyone else is linked beforehand. */
let kidExternal: string;
let hubSchool: SchoolWithClasses;
let otherSchool: SchoolWithClasses;
beforeAll(async () => {
  w = await startRosterWorld(db.pool, { seed: 53 });
  const classId = w.model.classesOf(w.school).find((c) => c.name === '1А')!.id;
  kidExternal = w.model.enrollmentsOf(w.school, { classId })[0]!.studentId;
  await linkDirectly(db.pool, w, [...w.model.persons.keys()].filter((p) => p !== kidExternal));
  hubSchool = await seedSchool(db.pool, { name: 'МБОУ СОШ № 4', settlement: 'Невьянск' });
  otherSchool = await seedSchool(db.pool, { name: 'Гимназия № 2', settlement: 'Невьянск' });
});
const t = useTemporalWorker(() => ({ pool: db.pool, messenger: w.messenger, journals: w.journals }));
const api = useTestApi(db, t);
/** The replica that approves the child: parent confirmation is due 2 s after approval. */
const fast = useTestApi(db, t, { GUARDIAN_RESTRICT_AFTER: '2s' });
afterAll(async () => {
  await w?.close();
});

const sync = () => runSync(syncContext(db.pool, t.client, t.taskQueue), { connectionId: w.connection.id, dryRun: false });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(probe: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(200);
  }
}

function expectRestrictedProblem(res: ApiResponse) {
  expect(res.status, JSON.stringify(res.body)).toBe(403);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body.type).toBe('/problems/account-restricted');
  expect(res.body.wayOut).toBe('parent-confirms');
  expect(res.body.parentLink).toBe('/v1/me/parent-link');
}

/** Titles of the chats the child is in at the messenger, and where the hub lists them as pending. */
const chatsWith = (user: string) => [...actualMembership(w.messengerSim)].filter(([, m]) => m.includes(user)).map(([title]) => title).sort();
const pendingTitles = async (externalId: string): Promise<string[]> => (await pendingChatTitles(db.pool, w, externalId)).sort();

let kid: Principal;
let kidUser: string;
let kidTitles: string[];
let inviteToken: string;

describe('R-A7: a restricted child', () => {
  it('R-L1, R-C1: before any restriction the child links their journal identity and the run puts them in their chats', async () => {
    const journal = w.model.persons.get(kidExternal)!;
    const seeded = await seedPerson(db.pool, { firstName: journal.firstName, lastName: journal.lastName, birthDate: journal.birthDate!, phone: null, email: `kid-${process.pid}@school.example.ru` });
    kid = seeded.as;
    kidUser = userOf(kidExternal);
    // The messenger account comes from VK ID sign-in (R-M1), which these tests do not drive.
    await bindThroughUseCase(db.pool, w.vkIdSim, seeded.person.id, kidUser);
    // The first run lists the child as pending (not linked yet); linking joins those chats at once (R-L2).
    const { run } = await sync();
    expect(run.status).toBe('applied');
    expect(chatsWith(kidUser)).toEqual([]);
    // R-L5: the child's own journal sign-in is the proof.
    const proofId = await signInProof(db.pool, w, kid.sub, kidExternal);
    const linked = await api.call('POST', '/v1/me/journal-links', {
      as: kid,
      body: { connectionId: w.connection.id, externalPersonId: kidExternal, proofId },
    });
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    await until(() => chatsWith(kidUser).length > 0);
    expect(actualMembership(w.messengerSim)).toEqual(expectedMembership(w));
    kidTitles = chatsWith(kidUser);
    expect(kidTitles).toEqual(expect.arrayContaining(['1А', '1А - Математика']));
  });

  it('R-A7, R-G1: unconfirmed past the deadline, the child is taken out of every managed chat at once and listed as pending there', async () => {
    const applied = await fast.call('POST', '/v1/applications', {
      as: kid,
      body: { schoolId: hubSchool.school.id, role: 'student', classId: hubSchool.classes['1А']!.id },
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(201);
    const approved = await fast.call('POST', `/v1/applications/${applied.body.id}/approve`, { as: hubSchool.admin, body: {} });
    expect(approved.body.parentConfirmation).toEqual({ requirement: 'required', confirmedParents: 0 });
    expect((await api.call('GET', '/v1/me/guardians', { as: kid })).body.restricted).toBe(false);

    await until(async () => (await api.call('GET', '/v1/me/guardians', { as: kid })).body.restricted === true);
    // Without waiting for a run: the journey takes the child out as it restricts them.
    // (Each chat is left at the messenger first, then recorded: wait for both.)
    await until(async () => chatsWith(kidUser).length === 0 && (await pendingTitles(kidExternal)).length === kidTitles.length);
    expect(await pendingTitles(kidExternal)).toEqual(kidTitles);
    // Nobody else lost anything.
    const others = new Map([...expectedMembership(w)].map(([title, m]) => [title, m.filter((u) => u !== kidUser)]));
    expect(actualMembership(w.messengerSim)).toEqual(others);
  });

  it('R-A7, R-C6: while restricted, a run keeps the child out and reports them pending', async () => {
    const { run, report } = await sync();
    expect(run.status).toBe('applied');
    expect(chatsWith(kidUser)).toEqual([]);
    expect(await pendingTitles(kidExternal)).toEqual(kidTitles);
    const pendingByTitle = new Map(report.chats.map((c) => [c.title, c.pending]));
    for (const title of kidTitles) expect(pendingByTitle.get(title), title).toBeGreaterThanOrEqual(1);
    expect(report.chats.reduce((n, c) => n + c.appliedAdds, 0)).toBe(0);
  });

  it('R-A7, R-L2: a link support makes again while the child is restricted joins no chat; they stay pending', async () => {
    const support: Principal = { sub: 'support-3', role: 'support', schools: [], classes: [] };
    const target = { connectionId: w.connection.id, externalPersonId: kidExternal };
    const unlinked = await api.call('POST', '/v1/support/journal-links/unlink', { as: support, body: { ...target, reason: 'проверка привязки' } });
    expect(unlinked.status, JSON.stringify(unlinked.body)).toBe(200);
    const relinked = await api.call('POST', '/v1/support/journal-links', { as: support, body: { ...target, personId: kid.sub, reason: 'привязка по документам' } });
    expect(relinked.status, JSON.stringify(relinked.body)).toBe(200);
    expect(relinked.body).toMatchObject({ status: 'linked', joinedChats: 0 });
    expect(chatsWith(kidUser)).toEqual([]);
    expect(await pendingTitles(kidExternal)).toEqual(kidTitles);
  });

  it('R-A7, R-J1: applying, following an invite and linking a journal identity are refused with a Russian explanation naming the way out; nothing is written', async () => {
    const invite = await api.call('POST', `/v1/schools/${otherSchool.school.id}/invites`, {
      as: otherSchool.admin,
      body: { role: 'student', classId: otherSchool.classes['1А']!.id },
    });
    expect(invite.status).toBe(201);
    inviteToken = invite.body.token;
    const applications = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM applications WHERE person_id = $1`, [kid.sub])).rows[0].n as number;
    const before = await applications();

    const apply = await api.call('POST', '/v1/applications', {
      as: kid,
      body: { schoolId: otherSchool.school.id, role: 'student', classId: otherSchool.classes['1А']!.id },
    });
    expectRestrictedProblem(apply);
    expect(apply.body.detail).toMatch(/ограничен/);
    expect(apply.body.detail).toMatch(/родител/);
    expect(apply.body.detail).toMatch(/подтверд/);

    const accept = await api.call('POST', `/v1/invites/${inviteToken}/accept`, { as: kid, body: {} });
    expectRestrictedProblem(accept);
    // The invite is not used up by the refusal: it still works once a parent has confirmed.
    expect((await api.call('GET', `/v1/invites/${inviteToken}`)).body.status).toBe('active');

    const relink = await api.call('POST', '/v1/me/journal-links', {
      as: kid,
      body: { connectionId: w.connection.id, externalPersonId: kidExternal, proofId: await signInProof(db.pool, w, kid.sub, kidExternal) },
      headers: { 'accept-language': 'en' },
    });
    expectRestrictedProblem(relink);
    expect(relink.body.detail).toMatch(/restricted.*parent/s);
    expect(await applications()).toBe(before);

    // The way out stays open: the child can still issue the parent link.
    expect((await api.call('POST', '/v1/me/parent-link', { as: kid })).status).toBe(201);
  });

  it('R-A7, R-G6: a parent\'s confirmation lifts the restriction at once; join-type actions work again', async () => {
    const link = await api.call('POST', '/v1/me/parent-link', { as: kid });
    const parent = await seedPerson(db.pool, { firstName: 'Ольга' });
    const confirmed = await api.call('POST', `/v1/parent-links/${link.body.token}/accept`, {
      as: parent.as,
      body: { consentVersion: CURRENT_CONSENT.version, consentGiven: true },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.restricted).toBe(false);
    expect((await api.call('GET', '/v1/me/guardians', { as: kid })).body.restricted).toBe(false);
    const accept = await api.call('POST', `/v1/invites/${inviteToken}/accept`, { as: kid, body: {} });
    expect(accept.status, JSON.stringify(accept.body)).toBe(201);
  });

  it('R-A7, R-C5: the next run puts the child back in every chat they belong to', async () => {
    const { run } = await sync();
    expect(run.status).toBe('applied');
    expect(chatsWith(kidUser)).toEqual(kidTitles);
    expect(await pendingTitles(kidExternal)).toEqual([]);
    expect(actualMembership(w.messengerSim)).toEqual(expectedMembership(w));
  });
});
