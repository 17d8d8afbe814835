// Journal linking over HTTP (R-L1..R-L3, R-L5; docs/reconcile.md "Unlinking", "R-L3", "Journal linking"):
// a person links their own e-journal identity on a proof the hub verified (their own Eljur sign-in or
// a school-issued code), sees it, unlinks it; support links and unlinks with a reason. Real
// Temporal, real PostgreSQL, the Eljur adapter and the VK Teams adapter over HTTP against their
// simulators, and the real express app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../api/auth.js';
import { SELF_UNLINK_REASON } from '../../api/routes/journal-links.js';
import { auditFor } from '../../db/repositories/audit.js';
import { useTestApi, type ApiResponse } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { issueCodeOverApi, redeemCodeOverApi, signInOverApi } from '../helpers/journal-proofs.js';
import { linkDirectly, membersOf, pendingChatTitles, type RosterWorld, runSync, startRosterWorld, syncContext, TEST_SECRETS_KEY_HEX, userOf } from '../helpers/roster.js';
import { seedPerson } from '../helpers/seed.js';
import { useTemporalWorker } from '../helpers/temporal.js';
import { bindOverApi, vkAccount, vkIdEnv } from '../helpers/vk-id.js';
import { journalLinkWorkflowId } from '../../workflows/roster-definitions.js';
import { HubStage } from '../../workflows/search-attributes.js';

const db = useTestDb();
let w: RosterWorld;
// Left unlinked by the first run: a 1А student, so they are pending in the class and subject chats.
let lateStudent: string;
beforeAll(async () => {
  w = await startRosterWorld(db.pool, { seed: 41, secretsKeyHex: TEST_SECRETS_KEY_HEX });
  const classId = w.model.classesOf(w.school).find((c) => c.name === '1А')!.id;
  lateStudent = w.model.enrollmentsOf(w.school, { classId })[1]!.studentId;
  await linkDirectly(db.pool, w, [...w.model.persons.keys()].filter((p) => p !== lateStudent));
});
const t = useTemporalWorker(() => ({ pool: db.pool, messenger: w.messenger, journals: w.journals }));
/** The API opens the connection's credentials for the journal sign-in (R-L5) and binds VK ID accounts against the simulator. */
const secrets = { HUB_SECRETS_KEY: TEST_SECRETS_KEY_HEX };
const api = useTestApi(db, t, () => ({ ...vkIdEnv(w.vkIdSim), ...secrets }));
/** A second replica whose per-person link limit is small (counters are shared through PostgreSQL). */
const limited = useTestApi(db, t, () => ({ ...vkIdEnv(w.vkIdSim), ...secrets, RATE_LIMIT_JOURNAL_LINK_PER_PERSON: '3/60' }));
/** A third one that answers a link after 1 s at the most, joined or not. */
const quick = useTestApi(db, t, () => ({ ...vkIdEnv(w.vkIdSim), ...secrets, JOURNAL_LINK_ANSWER_WITHIN: '1s' }));
afterAll(async () => {
  await w?.close();
});

const support: Principal = { sub: 'support-7', role: 'support', schools: [], classes: [] };
const EN = { 'accept-language': 'en' };

/** A signed-up person who bound their messenger account with "Sign in with VK ID" (a new VK account unless named), or did not (null). */
async function person(opts: { birthDate?: string | null; messengerUserId?: string | null; firstName?: string } = {}) {
  const p = await seedPerson(db.pool, { phone: null, email: `jl-${Math.random().toString(36).slice(2)}@test.example`, ...opts });
  if (opts.messengerUserId === null) return { ...p, vk: null };
  const vk = opts.messengerUserId ?? vkAccount(w.vkIdSim).userId;
  const bound = await bindOverApi(api, w.vkIdSim, p.as, vk);
  expect(bound.status, JSON.stringify(bound.body)).toBe(200);
  return { ...p, vk };
}

const linkBody = (externalPersonId: string, proofId: string) => ({ connectionId: w.connection.id, externalPersonId, proofId });
/** R-L5: the person's own Eljur sign-in (login = their journal id in the simulator); the proof id. */
async function signInProof(as: Principal, login: string): Promise<string> {
  const res = await signInOverApi(api, w, as, login);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.proofId as string;
}
/** R-L5: a code the school admin issued for the journal person, redeemed by `as`; the proof id. */
async function schoolCodeProof(as: Principal, externalPersonId: string): Promise<string> {
  const admin: Principal = { sub: 'admin-1', role: 'school_admin', schools: [w.hubSchool!.school.id], classes: [] };
  const issued = await issueCodeOverApi(api, w, admin, externalPersonId);
  expect(issued.status, JSON.stringify(issued.body)).toBe(201);
  const res = await redeemCodeOverApi(api, w, as, externalPersonId, issued.body.code);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.proofId as string;
}
const unproven = '00000000-0000-4000-8000-00000000abcd';
const linkAs = (as: Principal, body: unknown, headers: Record<string, string> = {}) => api.call('POST', '/v1/me/journal-links', { as, body, headers });
const unlinkAs = (as: Principal, externalPersonId: string, connectionId = w.connection.id) =>
  api.call('DELETE', `/v1/me/journal-links/${connectionId}/${encodeURIComponent(externalPersonId)}`, { as });

/** Titles of the chats where the identity is pending (R-L2: "will be added automatically after linking"). */
const pendingTitles = (externalId: string): Promise<string[]> => pendingChatTitles(db.pool, w, externalId);

/** Everything a refused request must leave as it was: links, pending lists, memberships, audit rows. */
async function snapshot() {
  const q = async (sql: string) => (await db.pool.query(sql)).rows;
  return {
    links: await q(`SELECT id, person_id, external_person_id, unlinked_at FROM journal_links ORDER BY id`),
    pending: await q(`SELECT chat_id, external_person_id FROM pending_members ORDER BY chat_id, external_person_id`),
    managed: await q(`SELECT chat_id, messenger_user_id FROM managed_memberships ORDER BY chat_id, messenger_user_id`),
    // Refusals and verifications are audited on their own (journal-takeover.test.ts); here: links made or ended.
    audit: await q(`SELECT id FROM audit_log WHERE action IN ('journal.linked', 'journal.unlinked') ORDER BY id`),
    messengerWrites: w.messengerSim.counters().writeCalls,
  };
}

function expectProblem(res: ApiResponse, status: number, type: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body.type).toBe(`/problems/${type}`);
}

const cyrillic = /[а-яё]/i;

let studentTitles: string[];
let student: Awaited<ReturnType<typeof person>>;
let stranger: Awaited<ReturnType<typeof person>>;

describe('journal linking over HTTP', () => {
  it('R-L2, R-C6: before linking, the first run lists the student as pending in their chats and adds them nowhere', async () => {
    const { run } = await runSync(syncContext(db.pool, t.client, t.taskQueue), { connectionId: w.connection.id, dryRun: false });
    expect(run.status).toBe('applied');
    studentTitles = await pendingTitles(lateStudent);
    expect(studentTitles).toEqual(expect.arrayContaining(['1А', '1А - Математика', '1А - Русский язык']));
    for (const title of studentTitles) expect(membersOf(w.messengerSim, title)).not.toContain(userOf(lateStudent));
  });

  it("R-L3, R-L5: a parent cannot take the student's identity (parent-identity-for-student) even with the student's code, a stranger's birth date is not the student's (student-identity-mismatch), a parent's own sign-in proves the parent only; Russian detail, nothing changes", async () => {
    const parentExternal = w.model.guardiansOf(lateStudent)[0]!.parentId;
    const { rows } = await db.pool.query(`SELECT person_id AS id FROM journal_links WHERE external_person_id = $1 AND unlinked_at IS NULL`, [parentExternal]);
    const parent: Principal = { sub: (rows[0] as { id: string }).id, role: 'person', schools: [], classes: [] };
    stranger = await person({ birthDate: '1990-02-02' });
    const before = await snapshot();

    // The parent holds a code the school issued for the student (handed to the wrong person).
    const asParent = await linkAs(parent, linkBody(lateStudent, await schoolCodeProof(parent, lateStudent)));
    expectProblem(asParent, 403, 'parent-identity-for-student');
    expect(asParent.body.detail).toMatch(cyrillic);
    expect(asParent.body.detail).toContain('Госуслуг');
    const asParentEn = await linkAs(parent, linkBody(lateStudent, await schoolCodeProof(parent, lateStudent)), EN);
    expectProblem(asParentEn, 403, 'parent-identity-for-student');
    expect(asParentEn.body.detail).toMatch(/^A parent cannot link/);
    // The parent's own journal sign-in names the parent, not the child.
    expectProblem(await linkAs(parent, linkBody(lateStudent, await signInProof(parent, parentExternal))), 403, 'journal-proof-other-identity');

    const asStranger = await linkAs(stranger.as, linkBody(lateStudent, await schoolCodeProof(stranger.as, lateStudent)));
    expectProblem(asStranger, 403, 'student-identity-mismatch');
    expect(asStranger.body.detail).toMatch(cyrillic);

    expect(await snapshot()).toEqual(before);
    expect(await pendingTitles(lateStudent)).toEqual(studentTitles);
    for (const title of studentTitles) expect(membersOf(w.messengerSim, title)).not.toContain(stranger.vk);
  });

  it('R-L1: an unknown connection, an identity the journal does not list, a person without a messenger account are each refused with their own problem; nothing changes', async () => {
    const before = await snapshot();
    const unknownConnection = await linkAs(stranger.as, { ...linkBody(lateStudent, unproven), connectionId: '00000000-0000-4000-8000-000000000000' });
    expectProblem(unknownConnection, 404, 'connection-not-found');
    expect(unknownConnection.body.detail).toMatch(cyrillic);

    // Hired after the last run: the journal's sign-in names them, the hub's journal data does not list them yet.
    const hired = w.model.hire(w.school, 'teacher');
    w.journalAccounts.set(hired, { password: 'new-hire-pa55', personId: hired });
    const newcomer = await person();
    const hiredProof = await signInOverApi(api, w, newcomer.as, hired, 'new-hire-pa55');
    expect(hiredProof.body.externalPersonId).toBe(hired);
    const unknownPerson = await linkAs(newcomer.as, linkBody(hired, hiredProof.body.proofId));
    expectProblem(unknownPerson, 404, 'journal-person-unknown');
    expect(unknownPerson.body.detail).toMatch(cyrillic);

    const noAccount = await person({ messengerUserId: null, birthDate: w.model.persons.get(lateStudent)!.birthDate! });
    const refused = await linkAs(noAccount.as, linkBody(lateStudent, await signInProof(noAccount.as, lateStudent)), EN);
    expectProblem(refused, 409, 'no-messenger-account');
    expect(refused.body.detail).toMatch(/^Sign up in the messenger first/);

    expect(await snapshot()).toEqual(before);
  });

  it('R-L1, R-L2: the student links their own identity and is put into every chat they were pending for at once; GET lists the link', async () => {
    const model = w.model.persons.get(lateStudent)!;
    student = await person({ birthDate: model.birthDate!, firstName: model.firstName, messengerUserId: userOf(lateStudent) });
    expect((await api.call('GET', '/v1/me/journal-links', { as: student.as })).body).toEqual({ items: [] });

    const proofId = await signInProof(student.as, lateStudent);
    const res = await linkAs(student.as, linkBody(lateStudent, proofId));

    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'linked', connectionId: w.connection.id, externalPersonId: lateStudent, joinedChats: studentTitles.length });
    expect(new Date(res.body.linkedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(res.body.message).toMatch(cyrillic);
    for (const title of studentTitles) expect(membersOf(w.messengerSim, title)).toContain(userOf(lateStudent));
    expect(await pendingTitles(lateStudent)).toEqual([]);

    const mine = await api.call('GET', '/v1/me/journal-links', { as: student.as });
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual([
      { connectionId: w.connection.id, connectionName: 'ЭлЖур (тест)', sourceKind: 'eljur', externalPersonId: lateStudent, linkedAt: res.body.linkedAt },
    ]);
    const audit = (await auditFor(db.pool, 'person', student.person.id)).filter((a) => a.action === 'journal.linked');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: student.person.id, actorRole: 'person', details: { proof: 'journal-login', proofId, externalPersonId: lateStudent } });
  });

  it('R-L1: an identity already linked to someone else is refused (journal-identity-linked-elsewhere); the link stays theirs', async () => {
    const before = await snapshot();
    const res = await linkAs(stranger.as, linkBody(lateStudent, await schoolCodeProof(stranger.as, lateStudent)));
    expectProblem(res, 409, 'journal-identity-linked-elsewhere');
    expect(res.body.detail).toMatch(cyrillic);
    expect(await snapshot()).toEqual(before);
    expect((await api.call('GET', '/v1/me/journal-links', { as: stranger.as })).body.items).toEqual([]);
  });

  it("R-L1: unlinking someone else's link, or one that is not linked, is 404 journal-identity-not-linked and nothing changes", async () => {
    const before = await snapshot();
    for (const res of [
      await unlinkAs(stranger.as, lateStudent),
      await unlinkAs(stranger.as, 'no-such-journal-person'),
      await unlinkAs(student.as, lateStudent, '00000000-0000-4000-8000-000000000000'),
    ]) {
      expectProblem(res, 404, 'journal-identity-not-linked');
      expect(res.body.detail).toMatch(cyrillic);
    }
    expect(await snapshot()).toEqual(before);
    for (const title of studentTitles) expect(membersOf(w.messengerSim, title)).toContain(userOf(lateStudent));
  });

  it('R-L2, R-C7: unlinking my own link takes me out of the hub-managed chats, lists me as pending again and records my own request as the reason', async () => {
    const res = await unlinkAs(student.as, lateStudent);

    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'unlinked', connectionId: w.connection.id, externalPersonId: lateStudent });
    for (const title of studentTitles) expect(membersOf(w.messengerSim, title)).not.toContain(userOf(lateStudent));
    expect(await pendingTitles(lateStudent)).toEqual(studentTitles);
    expect((await api.call('GET', '/v1/me/journal-links', { as: student.as })).body.items).toEqual([]);
    const { rows } = await db.pool.query(`SELECT unlink_reason AS r FROM journal_links WHERE external_person_id = $1`, [lateStudent]);
    expect(rows).toEqual([{ r: SELF_UNLINK_REASON }]);
    const audit = (await auditFor(db.pool, 'person', student.person.id)).filter((a) => a.action === 'journal.unlinked');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: student.person.id, actorRole: 'person', reason: SELF_UNLINK_REASON });
    // A second time: nothing left to unlink.
    expectProblem(await unlinkAs(student.as, lateStudent), 404, 'journal-identity-not-linked');
  });

  it('R-L1, R-L2: support links on the person’s behalf only with a reason; the one audit row names the agent and the reason', async () => {
    const body = { personId: student.person.id, connectionId: w.connection.id, externalPersonId: lateStudent, reason: 'обращение №4512, документы проверены' };
    const before = await snapshot();
    const { reason: _reason, ...withoutReason } = body;
    for (const bad of [withoutReason, { ...body, reason: '  ' }]) {
      const res = await api.call('POST', '/v1/support/journal-links', { as: support, body: bad });
      expectProblem(res, 400, 'validation-failed');
      expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['reason']);
    }
    expect(await snapshot()).toEqual(before);
    const auditBefore = (await auditFor(db.pool, 'person', student.person.id)).length;

    const res = await api.call('POST', '/v1/support/journal-links', { as: support, body });

    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'linked', personId: student.person.id, joinedChats: studentTitles.length });
    for (const title of studentTitles) expect(membersOf(w.messengerSim, title)).toContain(userOf(lateStudent));
    const audit = (await auditFor(db.pool, 'person', student.person.id)).slice(auditBefore);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'journal.linked',
      actor: 'support-7',
      actorRole: 'support',
      reason: body.reason,
      details: { connectionId: w.connection.id, externalPersonId: lateStudent, proof: 'support' },
    });
    const { rows } = await db.pool.query(`SELECT linked_by AS "by" FROM journal_links WHERE external_person_id = $1 AND unlinked_at IS NULL`, [lateStudent]);
    expect(rows).toEqual([{ by: 'support-7' }]);
    // Support cannot take a linked identity from its holder either; an unknown person is its own 404.
    const wrong = await api.call('POST', '/v1/support/journal-links', { as: support, body: { ...body, personId: stranger.person.id } });
    expectProblem(wrong, 409, 'journal-identity-linked-elsewhere');
    const nobody = await api.call('POST', '/v1/support/journal-links', { as: support, body: { ...body, personId: '00000000-0000-4000-8000-000000000000' } });
    expectProblem(nobody, 404, 'support-person-not-found');
  });

  it('R-L1, R-L2: support unlinks with a reason, whoever holds the link; audited once with the agent and the reason; an unlinked identity is 404', async () => {
    const body = { connectionId: w.connection.id, externalPersonId: lateStudent, reason: 'ученик перевёлся, просьба родителя' };
    const missing = await api.call('POST', '/v1/support/journal-links/unlink', { as: support, body: { connectionId: body.connectionId, externalPersonId: lateStudent } });
    expectProblem(missing, 400, 'validation-failed');
    const auditBefore = (await auditFor(db.pool, 'person', student.person.id)).length;

    const res = await api.call('POST', '/v1/support/journal-links/unlink', { as: support, body });

    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'unlinked', personId: student.person.id });
    for (const title of studentTitles) expect(membersOf(w.messengerSim, title)).not.toContain(userOf(lateStudent));
    const audit = (await auditFor(db.pool, 'person', student.person.id)).slice(auditBefore);
    expect(audit).toEqual([expect.objectContaining({ action: 'journal.unlinked', actor: 'support-7', actorRole: 'support', reason: body.reason })]);
    const before = await snapshot();
    expectProblem(await api.call('POST', '/v1/support/journal-links/unlink', { as: support, body }), 404, 'journal-identity-not-linked');
    expect(await snapshot()).toEqual(before);
  });

  it('R-L1, R-L2: with the messenger not answering, the link is answered within its bound (joining) and the chats are joined once the messenger is back', async () => {
    expect(await pendingTitles(lateStudent)).toEqual(studentTitles);
    w.messengerSim.setFaults({ hangShare: 1, methods: ['members/add'] });
    try {
      const started = Date.now();
      const body = linkBody(lateStudent, await signInProof(student.as, lateStudent));
      const res = await quick.call('POST', '/v1/me/journal-links', { as: student.as, body });
      const tookMs = Date.now() - started;

      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ status: 'linked', joining: true, joinDeferred: false, joinedChats: 0 });
      expect(res.body.message).toMatch(/ничего делать не нужно/);
      expect(tookMs).toBeLessThan(8_000); // the messenger client alone waits 4 × 2 s before the activity retries
      for (const title of studentTitles) expect(membersOf(w.messengerSim, title)).not.toContain(userOf(lateStudent));
      expect((await api.call('GET', '/v1/me/journal-links', { as: student.as })).body.items).toHaveLength(1);
    } finally {
      w.messengerSim.setFaults({ hangShare: 0, methods: [] });
    }
    const joined = async () => studentTitles.every((title) => (membersOf(w.messengerSim, title) ?? []).includes(userOf(lateStudent)));
    const deadline = Date.now() + 60_000;
    while (!(await joined()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(await joined()).toBe(true);
    expect(await pendingTitles(lateStudent)).toEqual([]);
  });

  it('R-L2, R-C6: a chat that refuses the bot (admin rights taken away) stays pending; the other chats are joined and the answer says so; a run adds the person once the rights are back', async () => {
    expect((await unlinkAs(student.as, lateStudent)).status).toBe(200);
    expect(await pendingTitles(lateStudent)).toEqual(studentTitles);
    const refusing = studentTitles[0]!;
    const chatId = [...w.messengerSim.store.chats.values()].find((c) => c.title === refusing)!.chatId;
    w.messengerSim.store.setRole(chatId, w.messengerSim.botUserId, 'member');
    try {
      const res = await linkAs(student.as, linkBody(lateStudent, await signInProof(student.as, lateStudent)));

      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ status: 'linked', joining: false, joinDeferred: true, joinedChats: studentTitles.length - 1 });
      expect(res.body.message).toMatch(/Добавлено в чаты: \d+; в остальные/);
      expect(await pendingTitles(lateStudent)).toEqual([refusing]);
      expect(membersOf(w.messengerSim, refusing)).not.toContain(userOf(lateStudent));
      for (const title of studentTitles.slice(1)) expect(membersOf(w.messengerSim, title)).toContain(userOf(lateStudent));
      const described = await t.client.workflow.getHandle(journalLinkWorkflowId(w.connection.id, lateStudent)).describe();
      expect(described.typedSearchAttributes.get(HubStage)).toBe('join-deferred');
    } finally {
      w.messengerSim.store.setRole(chatId, w.messengerSim.botUserId, 'creator');
    }
    const { run } = await runSync(syncContext(db.pool, t.client, t.taskQueue), { connectionId: w.connection.id, dryRun: false });
    expect(run.status).toBe('applied');
    expect(membersOf(w.messengerSim, refusing)).toContain(userOf(lateStudent));
    expect(await pendingTitles(lateStudent)).toEqual([]);
  });

  it('R-L1: every malformed body or path is a 400 problem and changes nothing', async () => {
    const before = await snapshot();
    const good = linkBody(lateStudent, unproven);
    const personBodies: unknown[] = [
      {},
      { connectionId: w.connection.id, externalPersonId: lateStudent },
      { ...good, extra: 1 },
      { ...good, personId: stranger.person.id },
      // R-L5: no field can declare a proof.
      { ...good, proof: { method: 'journal-login' } },
      { ...good, proof: { method: 'support' } },
      { ...good, proof: 'esia' },
      { ...good, subjectBirthDate: '2010-03-08' },
      { ...good, proofId: 'journal-login' },
      { ...good, proofId: '' },
      { ...good, connectionId: 'not-a-uuid' },
      { ...good, externalPersonId: '' },
      { ...good, externalPersonId: 'x'.repeat(201) },
      { ...good, externalPersonId: 'a\u0000b' },
      { ...good, externalPersonId: 42 },
      [],
    ];
    for (const body of personBodies) {
      const res = await linkAs(stranger.as, body);
      expectProblem(res, 400, 'validation-failed');
      expect(res.body.detail, JSON.stringify(body)).toMatch(cyrillic);
    }
    for (const raw of ['{"connectionId":', 'null']) {
      expectProblem(await linkAs(stranger.as, raw), 400, 'malformed-json');
    }
    const supportLink = { personId: stranger.person.id, connectionId: w.connection.id, externalPersonId: lateStudent, reason: 'проверка' };
    for (const body of [
      { ...supportLink, proof: { method: 'support' } },
      { ...supportLink, personId: 'someone' },
      { ...supportLink, subjectBirthDate: 'yesterday' },
      { ...supportLink, reason: 'x'.repeat(501) },
    ]) {
      expectProblem(await api.call('POST', '/v1/support/journal-links', { as: support, body }), 400, 'validation-failed');
    }
    for (const body of [{ connectionId: w.connection.id, externalPersonId: lateStudent, reason: 'проверка', personId: stranger.person.id }, { connectionId: 'x', externalPersonId: lateStudent, reason: 'проверка' }]) {
      expectProblem(await api.call('POST', '/v1/support/journal-links/unlink', { as: support, body }), 400, 'validation-failed');
    }
    expectProblem(await api.call('DELETE', `/v1/me/journal-links/not-a-uuid/${lateStudent}`, { as: stranger.as }), 400, 'validation-failed');
    const unknownField = await linkAs(stranger.as, { ...good, extra: 1 }, EN);
    expect(unknownField.body.errors).toEqual([{ path: 'extra', message: expect.any(String) }]);
    expect(unknownField.body.detail).toMatch(/^The request is invalid/);
    expect(await snapshot()).toEqual(before);
  });

  it('R-L1: the API reference publishes the link routes with their bodies, refusals and rate limit', async () => {
    const doc = (await api.call('GET', '/openapi.json')).body;
    const link = doc.paths['/v1/me/journal-links'].post;
    expect(link['x-hub-access']).toEqual(['person']);
    const linkSchema = link.requestBody.content['application/json'].schema;
    expect(linkSchema.required).toEqual(expect.arrayContaining(['connectionId', 'externalPersonId', 'proofId']));
    expect(linkSchema.properties.proof).toBeUndefined();
    expect(link.responses['403'].description).toContain('/problems/journal-proof-not-verified');
    expect(link.responses['403'].description).toContain('/problems/journal-proof-other-identity');
    expect(doc.paths['/v1/me/journal-proofs/journal-login'].post['x-hub-access']).toEqual(['person']);
    expect(doc.paths['/v1/schools/{schoolId}/journal-linking-codes'].post['x-hub-access']).toEqual(['authority', 'school_admin', 'class_teacher']);
    expect(link.responses['403'].description).toContain('/problems/parent-identity-for-student');
    expect(link.responses['404'].description).toContain('/problems/journal-person-unknown');
    expect(link.responses['409'].description).toContain('/problems/journal-identity-linked-elsewhere');
    expect(link.responses['429'].headers['Retry-After']).toBeDefined();
    const unlink = doc.paths['/v1/me/journal-links/{connectionId}/{externalPersonId}'].delete;
    expect(unlink.parameters.map((p: { name: string }) => p.name)).toEqual(['connectionId', 'externalPersonId']);
    expect(unlink.responses['404'].description).toContain('/problems/journal-identity-not-linked');
    expect(doc.paths['/v1/support/journal-links'].post['x-hub-access']).toEqual(['support']);
    expect(doc.paths['/v1/support/journal-links'].post.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['personId', 'connectionId', 'externalPersonId', 'reason']),
    );
  });

  it('R-L1, R-L5: link attempts are rate limited per person (429 with Retry-After), and without a proof every guess gets the same refusal, so journal ids cannot be enumerated; another person is unaffected', async () => {
    const prober = await person();
    for (let i = 0; i < 3; i++) {
      const res = await limited.call('POST', '/v1/me/journal-links', { as: prober.as, body: linkBody(i === 0 ? lateStudent : `guess-${i}`, unproven) });
      expectProblem(res, 403, 'journal-proof-not-verified');
    }
    const limitedRes = await limited.call('POST', '/v1/me/journal-links', { as: prober.as, body: linkBody('guess-3', unproven) });
    expectProblem(limitedRes, 429, 'rate-limited');
    expect(limitedRes.body.detail).toMatch(/Слишком много попыток/);
    const retryAfter = Number(limitedRes.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Refused before the workflow: no link journey was started for the fourth guess.
    await expect(t.client.workflow.getHandle(`link/${w.connection.id}/guess-3`).describe()).rejects.toThrow();

    const other = await person();
    expectProblem(await limited.call('POST', '/v1/me/journal-links', { as: other.as, body: linkBody('guess-0', unproven) }), 403, 'journal-proof-not-verified');
    // The limit is the link route's: my list still answers.
    expect((await limited.call('GET', '/v1/me/journal-links', { as: prober.as })).status).toBe(200);
  });
});
