// Issue 15, the takeover drills (R-L5, R-L3): nobody takes a student's, teacher's, staff member's or
// parent's place by linking their journal identity. A link is made only on a proof the hub verified
// itself: the person's own Eljur sign-in (auth + getrules against the Eljur simulator) or a one-time
// code their school issued. Real Temporal, real PostgreSQL, the Eljur and VK adapters over HTTP
// against their simulators, the real express app. In `npm run test:drills`.
import { createHash, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../api/auth.js';
import { auditFor } from '../../db/repositories/audit.js';
import { createLogger } from '../../infra/logger.js';
import { useTestApi, type ApiResponse, type TestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { bindThroughUseCase } from '../helpers/vk-id.js';
import { issueCodeOverApi, redeemCodeOverApi, signInOverApi } from '../helpers/journal-proofs.js';
import { actualMembership, JOURNAL_PASSWORD, linkDirectly, membersOf, pendingChatTitles, type RosterWorld, runSync, startRosterWorld, syncContext, TEST_SECRETS_KEY_HEX, userOf } from '../helpers/roster.js';
import { seedPerson } from '../helpers/seed.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const lines: string[] = [];
const logger = createLogger(
  'trace',
  'hub',
  new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  }),
);

const db = useTestDb();
let w: RosterWorld;
type Role = 'student' | 'teacher' | 'staff' | 'parent';
/** The journal identities at stake, one per role, left unlinked (and pending in their chats). */
const target = {} as Record<Role, string>;
/** Who tries to take each one: someone with a verified journal account of their own (the student's own parent, for the student). */
const attackerIdentity = {} as Record<Role, string>;
/** Spare unlinked identities for the proof-binding and code drills. */
let spare: string;
let codeTarget: string;

beforeAll(async () => {
  w = await startRosterWorld(db.pool, { seed: 53, secretsKeyHex: TEST_SECRETS_KEY_HEX });
  const m = w.model;
  const [a, b] = m.classesOf(w.school);
  const inA = m.enrollmentsOf(w.school, { classId: a!.id }).map((e) => e.studentId);
  const inB = m.enrollmentsOf(w.school, { classId: b!.id }).map((e) => e.studentId);
  target.student = inA[0]!;
  target.teacher = m.classTeachers.get(a!.id)!.teacherId;
  target.staff = m.staffOf(w.school).find((s) => s.role === 'staff')!.personId;
  target.parent = m.guardiansOf(inB[0]!)[0]!.parentId;
  spare = inA[1]!;
  codeTarget = inB[1]!;
  attackerIdentity.student = m.guardiansOf(target.student)[0]!.parentId;
  attackerIdentity.teacher = inA[2]!;
  attackerIdentity.staff = m.classTeachers.get(b!.id)!.teacherId;
  attackerIdentity.parent = inB[2]!;
  const unlinked = new Set([...Object.values(target), spare, codeTarget]);
  await linkDirectly(db.pool, w, [...m.persons.keys()].filter((p) => !unlinked.has(p)));
});
const t = useTemporalWorker(() => ({ pool: db.pool, messenger: w.messenger, journals: w.journals }));
const env = { HUB_SECRETS_KEY: TEST_SECRETS_KEY_HEX };
const api = useTestApi(db, t, env, { logger: () => logger });
/** A replica with a small per-person limit on sign-ins and code checks (counted in PostgreSQL). */
const limited = useTestApi(db, t, { ...env, RATE_LIMIT_JOURNAL_PROOF_PER_PERSON: '3/60' });
/** A replica whose codes and proofs live one second. */
const brief = useTestApi(db, t, { ...env, LINKING_CODE_TTL: '1s', JOURNAL_PROOF_TTL: '1s' });
afterAll(async () => {
  await w?.close();
});

const adminOf = (schoolId: string): Principal => ({ sub: `admin-${schoolId}`, role: 'school_admin', schools: [schoolId], classes: [] });
const teacherOf = (schoolId: string): Principal => ({ sub: `teacher-${schoolId}`, role: 'class_teacher', schools: [schoolId], classes: [] });

/** A signed-up person with a messenger account; the journal person's own birth date when they are one. */
async function person(messengerUserId = String(2_000_000_000 + Math.floor(Math.random() * 1_000_000_000)), journalId?: string) {
  const birthDate = journalId ? (w.model.persons.get(journalId)!.birthDate ?? null) : null;
  const p = await seedPerson(db.pool, { phone: null, email: `tk-${randomUUID()}@test.example`, birthDate });
  await bindThroughUseCase(db.pool, w.vkIdSim, p.person.id, messengerUserId);
  return { ...p, messengerUserId };
}

const linkBody = (externalPersonId: string, proofId: string) => ({ connectionId: w.connection.id, externalPersonId, proofId });
const link = (as: Principal, body: unknown, via: TestApi = api) => via.call('POST', '/v1/me/journal-links', { as, body });

function expectProblem(res: ApiResponse, status: number, type: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body.type).toBe(`/problems/${type}`);
}

const pendingTitles = (externalId: string): Promise<string[]> => pendingChatTitles(db.pool, w, externalId);

/** What a refused attempt must leave as it was: links, pending lists, memberships, the messenger. */
async function snapshot() {
  const q = async (sql: string) => (await db.pool.query(sql)).rows;
  return {
    links: await q(`SELECT id, person_id, external_person_id, unlinked_at FROM journal_links ORDER BY id`),
    pending: await q(`SELECT chat_id, external_person_id FROM pending_members ORDER BY chat_id, external_person_id`),
    managed: await q(`SELECT chat_id, messenger_user_id FROM managed_memberships ORDER BY chat_id, messenger_user_id`),
    messenger: actualMembership(w.messengerSim),
    messengerWrites: w.messengerSim.counters().writeCalls,
  };
}

const refusalsOf = async (personId: string) =>
  (await auditFor(db.pool, 'person', personId))
    .filter((a) => a.action === 'journal.link-refused' || a.action === 'journal.proof-refused')
    .map((a) => `${a.action}:${String(a.details.refusal)}`);

const ROLES: Role[] = ['student', 'teacher', 'staff', 'parent'];
const pendingBefore = {} as Record<Role, string[]>;

describe('issue 15: journal identity takeover (R-L5)', () => {
  it('R-L2: the first run lists each unlinked identity as pending in its chats', async () => {
    const { run } = await runSync(syncContext(db.pool, t.client, t.taskQueue), { connectionId: w.connection.id, dryRun: false });
    expect(run.status).toBe('applied');
    for (const role of ROLES) {
      pendingBefore[role] = await pendingTitles(target[role]);
      expect(pendingBefore[role].length, role).toBeGreaterThan(0);
    }
  });

  describe.each(ROLES)('%s', (role) => {
    it(`issue 15 item 2, R-L5 (${role}): linking someone else's journal id without a valid proof is refused and changes nothing; every refusal is audited`, async () => {
      const victim = target[role];
      const attacker = await person();
      const before = await snapshot();

      // No request field can claim a proof: the old declared proof and a missing proof are malformed.
      for (const body of [
        { connectionId: w.connection.id, externalPersonId: victim, proof: { method: 'journal-login' } },
        { connectionId: w.connection.id, externalPersonId: victim, proof: { method: 'esia', subjectBirthDate: '2015-01-01' } },
        { connectionId: w.connection.id, externalPersonId: victim },
        { ...linkBody(victim, randomUUID()), proof: { method: 'support' } },
      ]) {
        expectProblem(await link(attacker.as, body), 400, 'validation-failed');
      }
      // A proof id the hub never issued.
      const invented = await link(attacker.as, linkBody(victim, randomUUID()));
      expectProblem(invented, 403, 'journal-proof-not-verified');
      expect(invented.body.detail).toMatch(/[а-яё]/i);
      // The attacker's own sign-in to the journal is verified, but it proves the attacker's identity, not the victim's.
      const own = await signInOverApi(api, w, attacker.as, attackerIdentity[role]);
      expect(own.status, JSON.stringify(own.body)).toBe(201);
      expect(own.body.externalPersonId).toBe(attackerIdentity[role]);
      expectProblem(await link(attacker.as, linkBody(victim, own.body.proofId)), 403, 'journal-proof-other-identity');
      // The victim's journal login with a guessed password, and a guessed school code: no proof at all.
      expectProblem(await signInOverApi(api, w, attacker.as, victim, 'qwerty123'), 403, 'journal-sign-in-refused');
      expectProblem(await redeemCodeOverApi(api, w, attacker.as, victim, 'AB12-CD34-EF56'), 403, 'linking-code-invalid');

      expect(await snapshot()).toEqual(before);
      expect(await pendingTitles(victim)).toEqual(pendingBefore[role]);
      for (const members of actualMembership(w.messengerSim).values()) expect(members).not.toContain(attacker.messengerUserId);
      expect(await refusalsOf(attacker.person.id)).toEqual([
        'journal.link-refused:journal-proof-not-verified',
        'journal.link-refused:journal-proof-other-identity',
        'journal.proof-refused:journal-sign-in-refused',
        'journal.proof-refused:linking-code-invalid',
      ]);
      if (role === 'student') {
        // A parent's own sign-in lists their children (getrules relations): kept as a fact, never as the child's proof.
        const verified = (await auditFor(db.pool, 'person', attacker.person.id)).find((a) => a.action === 'journal.proof-verified')!;
        expect(verified.details.children).toContain(victim);
      }
    });

    it(`issue 15 item 2, R-L5, R-L2 (${role}): a valid proof (own journal sign-in or a school-issued code) links and joins every pending chat at once`, async () => {
      const victim = target[role];
      const real = await person(userOf(victim), victim);
      let proof: ApiResponse;
      if (role === 'student' || role === 'teacher') {
        proof = await signInOverApi(api, w, real.as, victim);
      } else {
        const staff = role === 'staff' ? adminOf(w.hubSchool!.school.id) : teacherOf(w.hubSchool!.school.id);
        const issued = await issueCodeOverApi(api, w, staff, victim);
        expect(issued.status, JSON.stringify(issued.body)).toBe(201);
        proof = await redeemCodeOverApi(api, w, real.as, victim, issued.body.code.toLowerCase().replace(/-/g, ' '));
      }
      expect(proof.status, JSON.stringify(proof.body)).toBe(201);
      expect(proof.body).toMatchObject({ connectionId: w.connection.id, externalPersonId: victim, method: role === 'student' || role === 'teacher' ? 'journal-login' : 'linking-code' });

      const res = await link(real.as, linkBody(victim, proof.body.proofId));

      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ status: 'linked', externalPersonId: victim, joinedChats: pendingBefore[role].length });
      for (const title of pendingBefore[role]) expect(membersOf(w.messengerSim, title)).toContain(userOf(victim));
      expect(await pendingTitles(victim)).toEqual([]);
      const linked = (await auditFor(db.pool, 'person', real.person.id)).filter((a) => a.action === 'journal.linked');
      expect(linked).toEqual([expect.objectContaining({ actor: real.person.id, details: expect.objectContaining({ proof: proof.body.method, proofId: proof.body.proofId }) })]);
    });
  });

  it("R-L5: a proof for person A cannot link person B, nor another identity; it works once, for A's own identity", async () => {
    const a = await person(userOf(spare), spare);
    const b = await person();
    const proof = await signInOverApi(api, w, a.as, spare);
    expect(proof.status).toBe(201);
    const before = await snapshot();

    expectProblem(await link(b.as, linkBody(spare, proof.body.proofId)), 403, 'journal-proof-not-verified');
    expectProblem(await link(a.as, linkBody(codeTarget, proof.body.proofId)), 403, 'journal-proof-other-identity');
    expect(await snapshot()).toEqual(before);

    expect((await link(a.as, linkBody(spare, proof.body.proofId))).status).toBe(200);
    // Single use: after unlinking, the same proof does not link again.
    expect((await api.call('DELETE', `/v1/me/journal-links/${w.connection.id}/${spare}`, { as: a.as })).status).toBe(200);
    expectProblem(await link(a.as, linkBody(spare, proof.body.proofId)), 403, 'journal-proof-not-verified');
    // A proof is short-lived.
    const stale = await signInOverApi(brief, w, a.as, spare);
    await new Promise((r) => setTimeout(r, 1_300));
    expectProblem(await link(a.as, linkBody(spare, stale.body.proofId)), 403, 'journal-proof-not-verified');
    expect(await refusalsOf(b.person.id)).toEqual(['journal.link-refused:journal-proof-not-verified']);
  });

  it('R-L5: a linking code expires, works once, and is void after a few wrong guesses; it is stored hashed and never audited or logged in clear', async () => {
    const school = w.hubSchool!.school.id;
    const holder = await person(userOf(codeTarget), codeTarget);
    const guesser = await person();

    const expiring = await issueCodeOverApi(brief, w, adminOf(school), codeTarget);
    expect(expiring.status).toBe(201);
    await new Promise((r) => setTimeout(r, 1_300));
    expectProblem(await redeemCodeOverApi(api, w, holder.as, codeTarget, expiring.body.code), 403, 'linking-code-invalid');

    const once = await issueCodeOverApi(api, w, adminOf(school), codeTarget);
    expect((await redeemCodeOverApi(api, w, holder.as, codeTarget, once.body.code)).status).toBe(201);
    expectProblem(await redeemCodeOverApi(api, w, holder.as, codeTarget, once.body.code), 403, 'linking-code-invalid');

    // A new code voids the earlier open one.
    const first = await issueCodeOverApi(api, w, adminOf(school), codeTarget);
    const second = await issueCodeOverApi(api, w, teacherOf(school), codeTarget);
    expectProblem(await redeemCodeOverApi(api, w, holder.as, codeTarget, first.body.code), 403, 'linking-code-invalid');
    // Five wrong guesses (LINKING_CODE_MAX_FAILURES) and the real code is void too.
    for (let i = 0; i < 5; i++) expectProblem(await redeemCodeOverApi(api, w, guesser.as, codeTarget, `ZZZZ-ZZZZ-ZZZ${i}`), 403, 'linking-code-invalid');
    expectProblem(await redeemCodeOverApi(api, w, holder.as, codeTarget, second.body.code), 403, 'linking-code-invalid');
    expect(await snapshot()).toMatchObject({ links: expect.not.arrayContaining([expect.objectContaining({ external_person_id: codeTarget })]) });

    const { rows } = await db.pool.query(`SELECT * FROM journal_linking_codes WHERE external_person_id = $1 ORDER BY created_at`, [codeTarget]);
    const codes = [expiring, once, first, second].map((r) => r.body.code as string);
    expect(rows.map((r) => r.code_hash)).toEqual(codes.map((c) => createHash('sha256').update(c).digest('hex')));
    const stored = JSON.stringify(rows) + JSON.stringify((await db.pool.query(`SELECT * FROM audit_log`)).rows) + JSON.stringify((await db.pool.query(`SELECT * FROM journal_proofs`)).rows);
    for (const secret of [...codes, JOURNAL_PASSWORD]) {
      expect(stored).not.toContain(secret);
      expect(lines.join('')).not.toContain(secret);
    }
    const issued = (await db.pool.query(`SELECT actor, actor_role AS role FROM audit_log WHERE action = 'journal.linking-code-issued' AND subject_id = $1`, [`${w.connection.id}/${codeTarget}`])).rows;
    expect(issued).toHaveLength(4);
    expect(issued.map((r) => r.role)).toEqual(['school_admin', 'school_admin', 'school_admin', 'class_teacher']);
  });

  it('R-L5: sign-ins and code checks are rate limited per person (429 with Retry-After); another person is unaffected', async () => {
    const prober = await person();
    for (let i = 0; i < 3; i++) expectProblem(await redeemCodeOverApi(limited, w, prober.as, codeTarget, `ABCD-EFGH-JK${i}0`), 403, 'linking-code-invalid');
    const refused = await signInOverApi(limited, w, prober.as, codeTarget, 'guess');
    expectProblem(refused, 429, 'rate-limited');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const other = await person();
    expect((await signInOverApi(limited, w, other.as, attackerIdentity.teacher)).status).toBe(201);
  });

  it('R-L5: a journal that fails once is retried; one that does not answer gives 503 journal-sign-in-unavailable and no proof', async () => {
    const someone = await person();
    const proofsBefore = (await db.pool.query(`SELECT count(*)::int AS n FROM journal_proofs`)).rows[0].n as number;
    w.journalSim.faults.inject({ kind: 'status', status: 502 }, { path: /\/apiv3\/auth$/ });
    expect((await signInOverApi(api, w, someone.as, attackerIdentity.parent)).status).toBe(201);
    w.journalSim.faults.inject({ kind: 'status', status: 503 }, { path: /\/apiv3\/getrules$/, times: 10 });
    try {
      expectProblem(await signInOverApi(api, w, someone.as, attackerIdentity.parent), 503, 'journal-sign-in-unavailable');
    } finally {
      w.journalSim.faults.clear();
    }
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM journal_proofs`)).rows[0].n).toBe(proofsBefore + 1);
    expect(await refusalsOf(someone.person.id)).toEqual(['journal.proof-refused:journal-sign-in-unavailable']);
  });

  it('R-L5: staff issue codes only for journal people of their own school; people cannot issue codes', async () => {
    const school = w.hubSchool!.school.id;
    const elsewhere = randomUUID();
    expectProblem(await issueCodeOverApi(api, w, teacherOf(elsewhere), codeTarget, school), 403, 'forbidden');
    expectProblem(await issueCodeOverApi(api, w, adminOf(elsewhere), codeTarget, elsewhere), 404, 'journal-person-not-in-school');
    expectProblem(await issueCodeOverApi(api, w, adminOf(school), 'no-such-journal-person'), 404, 'journal-person-not-in-school');
    const someone = await person();
    expectProblem(await issueCodeOverApi(api, w, someone.as, codeTarget, school), 403, 'forbidden');
  });
});
