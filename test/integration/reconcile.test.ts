// Chats kept in step with the journal (R-C1..R-C7) and journal linking (R-L1..R-L4), end to end:
// real Temporal, real PostgreSQL, the Eljur adapter over HTTP against its simulator (fed by the
// roster model), the VK Teams adapter over HTTP against the messenger simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateConnection } from '../../db/repositories/connections.js';
import { insertPerson } from '../../db/repositories/people.js';
import { sumSummaries } from '../../db/repositories/run-summary.js';
import { decideRun, linkJournalIdentity } from '../../sync/start-sync.js';
import { HubStage, HubWaitingOn } from '../../workflows/search-attributes.js';
import { useTestDb } from '../helpers/db.js';
import { schoolCodeProof, signInProof } from '../helpers/journal-proofs.js';
import { chatIdOf, linkDirectly, membersOf, runSync, startRosterWorld, syncContext, userOf, type RosterWorld } from '../helpers/roster.js';
import { useTemporalWorker } from '../helpers/temporal.js';
import { bindThroughUseCase, vkAccount } from '../helpers/vk-id.js';

const db = useTestDb();
let w: RosterWorld;
beforeAll(async () => {
  w = await startRosterWorld(db.pool);
});
const t = useTemporalWorker(() => ({ pool: db.pool, messenger: w.messenger, journals: w.journals }));
afterAll(async () => {
  await w?.close();
});

const ctx = () => syncContext(db.pool, t.client, t.taskQueue);
const sync = (opts: { dryRun?: boolean } = {}) => runSync(ctx(), { connectionId: w.connection.id, dryRun: opts.dryRun ?? false });
const classId = (name: string) => w.model.classesOf(w.school).find((c) => c.name === name)!.id;
const studentsOf = (name: string) => w.model.enrollmentsOf(w.school, { classId: classId(name) }).map((e) => e.studentId);
const parentsOf = (student: string) => w.model.guardiansOf(student).map((g) => g.parentId);
const subjectChat = (cls: string, subject: string) => `${cls} - ${subject}`;

// People left unlinked by the first run: a parent of a 1А student, and another 1А student.
let lateParent: string;
let lateParentChild: string;
let lateStudent: string;

describe('reconciliation', () => {
  it('R-C1..R-C4, R-C6: the first run creates the chats, fills them with linked people, lists the rest as pending', async () => {
    const [child, other] = studentsOf('1А');
    lateParentChild = child!;
    lateParent = parentsOf(child!)[0]!;
    lateStudent = other!;
    await linkDirectly(db.pool, w, [...w.model.persons.keys()].filter((p) => p !== lateParent && p !== lateStudent));

    const { run, report } = await sync();

    expect(run.status).toBe('applied');
    // R-C1: class chat = the class's students + class teacher.
    const classTeacher = w.model.classTeachers.get(classId('1А'))!.teacherId;
    expect(membersOf(w.messengerSim, '1А')).toEqual(
      [...studentsOf('1А').filter((s) => s !== lateStudent), classTeacher].map(userOf).sort(),
    );
    // R-C2: parents' chat = parents of the class's students + class teacher.
    const parents = new Set(studentsOf('1А').flatMap(parentsOf));
    parents.delete(lateParent);
    expect(membersOf(w.messengerSim, '1А Родители')).toEqual([...parents, classTeacher].map(userOf).sort());
    // R-C3: staff room = everyone employed.
    expect(membersOf(w.messengerSim, 'Учительская')).toEqual(w.model.staffOf(w.school).map((s) => userOf(s.personId)).sort());
    // R-C4: subject chats are named `<class> - <subject>` and hold the class + the subject's teacher.
    const rus = membersOf(w.messengerSim, subjectChat('1А', 'Русский язык'));
    expect(rus).toContain(userOf(classTeacher));
    expect(rus).toContain(userOf(studentsOf('1А')[2]!));
    const english = w.model.teachingOf(w.school, classId('2Б')).find((x) => w.model.subjects.get(x.subjectId)!.name === 'Английский язык')!;
    expect(membersOf(w.messengerSim, subjectChat('2Б', 'Английский язык'))).toContain(userOf(english.teacherId));
    // R-C6: the two unlinked people are members nowhere and pending in the report.
    for (const title of ['1А', '1А Родители', subjectChat('1А', 'Математика')]) {
      expect(membersOf(w.messengerSim, title)).not.toContain(userOf(lateStudent));
      expect(membersOf(w.messengerSim, title)).not.toContain(userOf(lateParent));
    }
    expect(report.chats.find((c) => c.title === '1А Родители')!.pending).toBeGreaterThanOrEqual(1);
    expect(report.chats.find((c) => c.title === '1А')!.pending).toBe(1);
    expect(report.chats.length).toBe(4 * 2 + 1 + 4 * 6);
    expect(run.totals.rowsRead).toBeGreaterThan(0);
    // Issue 16 item 6: the report says what was read per kind and what the run does, messenger
    // reads apart from writes (the first run lists no chat: none existed; every chat is created).
    const summary = sumSummaries(report.schools);
    const students = w.model.enrollmentsOf(w.school).map((e) => e.studentId);
    expect(summary.read).toEqual({
      classes: w.model.classesOf(w.school).length,
      students: new Set(students).size,
      teachers: w.model.staffOf(w.school).filter((s) => s.role === 'teacher').length,
      staff: w.model.staffOf(w.school).filter((s) => s.role !== 'teacher').length,
      parents: w.model.parentsOf(w.school).length,
      enrollments: students.length,
      guardianships: w.model.guardianshipsOf(w.school).length,
    });
    expect(summary.plan).toEqual({ chatsToCreate: report.chats.length, adds: run.totals.adds, removes: 0, pending: run.totals.pending });
    expect(summary.calls.messengerReads).toBe(0);
    expect(summary.calls.messengerWrites).toBe(run.totals.messenger?.calls);
  });

  it('R-C5 (idempotence): a second run with no journal change makes zero messenger write calls and rewrites no journal person or chat row', async () => {
    // xmin changes whenever PostgreSQL writes a new version of a row, even with equal values.
    const versions = async () => ({
      people: (await db.pool.query(`SELECT external_id, xmin::text AS v FROM journal_people ORDER BY 1`)).rows,
      chats: (await db.pool.query(`SELECT chat_key, xmin::text AS v FROM managed_chats ORDER BY 1`)).rows,
    });
    const rowsBefore = await versions();
    const before = w.messengerSim.counters();
    const { run, report } = await sync();
    const after = w.messengerSim.counters();
    expect(await versions()).toEqual(rowsBefore);
    // Issue 16 item 6: the report counts the listings as reads, and no write at all.
    const summary = sumSummaries(report.schools);
    expect(summary.calls).toEqual({ messengerReads: after.byMethod.getMembers - before.byMethod.getMembers, messengerWrites: 0 });
    expect(summary.plan).toMatchObject({ chatsToCreate: 0, adds: 0, removes: 0 });
    expect(rowsBefore.people.length).toBeGreaterThan(0);
    expect(run.status).toBe('applied');
    expect(run.totals.adds).toBe(0);
    expect(run.totals.removes).toBe(0);
    expect(after.writeCalls - before.writeCalls).toBe(0);
    expect(after.byMethod.getMembers).toBeGreaterThan(before.byMethod.getMembers);
  });

  it("R-L3, R-L5: a parent's own sign-in cannot link their child's identity; a school code in a stranger's hands fails on the birth date, in a parent's on the parent rule", async () => {
    const parent = await insertPerson(db.pool, { phone: null, email: `late-parent@test.example`, firstName: 'Мария', lastName: 'Родитель', birthDate: '1985-01-01' });
    await bindThroughUseCase(db.pool, w.vkIdSim, parent.id, userOf(lateParent));
    // The parent signs in to the journal with their own account: the journal names the parent.
    const parentProof = await signInProof(db.pool, w, parent.id, lateParent);
    await linkJournalIdentity(t.client, {
      connectionId: w.connection.id,
      externalPersonId: lateParent,
      personId: parent.id,
      actor: parent.id,
      proof: { method: 'verified', proofId: parentProof },
      taskQueue: t.taskQueue,
    });
    // A second sign-in of the parent proves the parent, not the child: it cannot link the child's identity.
    await expect(
      linkJournalIdentity(t.client, {
        connectionId: w.connection.id,
        externalPersonId: lateParentChild,
        personId: parent.id,
        actor: parent.id,
        proof: { method: 'verified', proofId: await signInProof(db.pool, w, parent.id, lateParent) },
        taskQueue: t.taskQueue,
      }),
    ).rejects.toMatchObject({ cause: { type: 'journal-proof-other-identity' } });
    // A stranger whose birth date is not the student's, holding a code the school issued for the student.
    const stranger = await insertPerson(db.pool, { phone: null, email: `stranger@test.example`, firstName: 'Олег', lastName: 'Чужой', birthDate: '1990-02-02' });
    const strangerVk = vkAccount(w.vkIdSim).userId;
    await bindThroughUseCase(db.pool, w.vkIdSim, stranger.id, strangerVk);
    await expect(
      linkJournalIdentity(t.client, {
        connectionId: w.connection.id,
        externalPersonId: lateStudent,
        personId: stranger.id,
        actor: stranger.id,
        proof: { method: 'verified', proofId: await schoolCodeProof(db.pool, w, stranger.id, lateStudent) },
        taskQueue: t.taskQueue,
      }),
    ).rejects.toMatchObject({ cause: { type: 'student-identity-mismatch' } });
    // The parent of that student, too, even with a code for the student.
    await db.pool.query(`UPDATE journal_links SET unlinked_at = now() WHERE external_person_id = $1`, [lateStudent]);
    const otherParentOfLate = parentsOf(lateStudent)[0]!;
    const { rows } = await db.pool.query(`SELECT person_id AS id FROM journal_links WHERE external_person_id = $1`, [otherParentOfLate]);
    const otherParent = (rows[0] as { id: string }).id;
    await expect(
      linkJournalIdentity(t.client, {
        connectionId: w.connection.id,
        externalPersonId: lateStudent,
        personId: otherParent,
        actor: otherParent,
        proof: { method: 'verified', proofId: await schoolCodeProof(db.pool, w, otherParent, lateStudent) },
        taskQueue: t.taskQueue,
      }),
    ).rejects.toMatchObject({ cause: { type: 'parent-identity-for-student' } });
    expect(membersOf(w.messengerSim, '1А')).not.toContain(strangerVk);
  });

  it('R-L1, R-L2: linking adds the person to every chat they were pending for at once, before the next run', async () => {
    // The parent linked in the previous test joined the parents' chat right away.
    expect(membersOf(w.messengerSim, '1А Родители')).toContain(userOf(lateParent));
    const student = w.model.persons.get(lateStudent)!;
    const me = await insertPerson(db.pool, { phone: null, email: `late-student@test.example`, firstName: student.firstName, lastName: student.lastName, birthDate: student.birthDate! });
    await bindThroughUseCase(db.pool, w.vkIdSim, me.id, userOf(lateStudent));
    const state = await linkJournalIdentity(t.client, {
      connectionId: w.connection.id,
      externalPersonId: lateStudent,
      personId: me.id,
      actor: me.id,
      proof: { method: 'verified', proofId: await signInProof(db.pool, w, me.id, lateStudent) },
      taskQueue: t.taskQueue,
    });
    expect(state.status).toBe('linked');
    expect(state.joinedChats).toBe(1 + 6);
    expect(membersOf(w.messengerSim, '1А')).toContain(userOf(lateStudent));
    expect(membersOf(w.messengerSim, subjectChat('1А', 'Математика'))).toContain(userOf(lateStudent));
    const { run } = await sync();
    expect(run.totals.adds).toBe(0);
    expect(run.totals.pending).toBe(0);
  });

  it('R-C5, R-L4: a transfer moves the student from the old class chats to the new ones; parents follow', async () => {
    const student = studentsOf('1А')[3]!;
    const parents = parentsOf(student);
    w.model.transfer(student, classId('2А'));
    const { run } = await sync();
    expect(run.status).toBe('applied');
    for (const title of ['1А', subjectChat('1А', 'Русский язык'), subjectChat('1А', 'Физическая культура')]) {
      expect(membersOf(w.messengerSim, title)).not.toContain(userOf(student));
    }
    for (const title of ['2А', subjectChat('2А', 'Русский язык'), subjectChat('2А', 'Физическая культура')]) {
      expect(membersOf(w.messengerSim, title)).toContain(userOf(student));
    }
    for (const p of parents) {
      expect(membersOf(w.messengerSim, '1А Родители')).not.toContain(userOf(p));
      expect(membersOf(w.messengerSim, '2А Родители')).toContain(userOf(p));
    }
  });

  it('R-C5: a chat whose bot lost its admin rights is reported with its error while the other chats are applied; the next run applies it once the rights are back', async () => {
    const student = studentsOf('1А')[2]!;
    const refusing = w.messengerSim.store.chats.get(chatIdOf(w.messengerSim, '2А'))!;
    w.messengerSim.store.setRole(refusing.chatId, w.messengerSim.botUserId, 'member');
    w.model.transfer(student, classId('2А'));
    try {
      const { run } = await sync();
      expect(run.status).toBe('applied');
      expect(run.totals.errors).toBeGreaterThan(0);
      expect(membersOf(w.messengerSim, '2А')).not.toContain(userOf(student));
      expect(membersOf(w.messengerSim, '1А')).not.toContain(userOf(student)); // the rest went through
      expect(membersOf(w.messengerSim, subjectChat('2А', 'Русский язык'))).toContain(userOf(student));
      const { rows } = await db.pool.query(
        `SELECT chat_key, errors, error_detail FROM sync_run_chats WHERE run_id = $1 AND errors > 0`,
        [run.id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].error_detail).toMatchObject({ code: 'forbidden' });
    } finally {
      w.messengerSim.store.setRole(refusing.chatId, w.messengerSim.botUserId, 'creator');
    }
    const { run: next } = await sync();
    expect(next.totals.errors).toBe(0);
    expect(membersOf(w.messengerSim, '2А')).toContain(userOf(student));
  });

  it('R-C5: an expelled student leaves every chat, and so do their parents', async () => {
    const student = studentsOf('2Б')[0]!;
    w.model.expel(student);
    await sync();
    const chats = [...w.messengerSim.store.chats.values()].filter((c) => c.title.startsWith('2Б'));
    for (const c of chats) expect(w.messengerSim.store.memberIds(c.chatId)).not.toContain(userOf(student));
    for (const p of parentsOf(student)) expect(membersOf(w.messengerSim, '2Б Родители')).not.toContain(userOf(p));
  });

  it('R-C5: staff follow hire and dismissal', async () => {
    const hired = w.model.hire(w.school, 'teacher');
    await linkDirectly(db.pool, w, [hired]);
    const spare = w.model.staffOf(w.school).find((s) => s.role === 'teacher' && w.model.teachingOf(w.school).every((x) => x.teacherId !== s.personId) && ![...w.model.classTeachers.values()].some((c) => c.teacherId === s.personId))!;
    w.model.dismiss(spare.personId);
    await sync();
    expect(membersOf(w.messengerSim, 'Учительская')).toContain(userOf(hired));
    expect(membersOf(w.messengerSim, 'Учительская')).not.toContain(userOf(spare.personId));
  });

  it('R-C7: members added by hand stay; strict mode removes them but never the chat owner', async () => {
    const chat = chatIdOf(w.messengerSim, '1Б');
    w.messengerSim.addMembersByHand(chat, ['vk-librarian']);
    const kept = await sync();
    expect(membersOf(w.messengerSim, '1Б')).toContain('vk-librarian');
    expect(kept.report.chats.find((c) => c.title === '1Б')!.handKept).toBe(1);
    await updateConnection(db.pool, w.box, w.connection.id, { schools: [{ schoolExternalId: w.school, strictMode: true }] });
    try {
      await sync();
      expect(membersOf(w.messengerSim, '1Б')).not.toContain('vk-librarian');
      expect(w.messengerSim.store.memberIds(chat)).toContain(w.messengerSim.botUserId);
    } finally {
      await updateConnection(db.pool, w.box, w.connection.id, { schools: [{ schoolExternalId: w.school }] });
    }
  });

  it('dry run: the same report, nothing applied', async () => {
    const student = studentsOf('1Б')[0]!;
    w.model.expel(student);
    const before = w.messengerSim.counters();
    const { run, report } = await sync({ dryRun: true });
    expect(run.status).toBe('planned');
    expect(run.totals.removes).toBeGreaterThan(0);
    expect(report.chats.find((c) => c.title === '1Б')!.removes).toBe(1);
    expect(w.messengerSim.counters().writeCalls).toBe(before.writeCalls);
    expect(membersOf(w.messengerSim, '1Б')).toContain(userOf(student));
    const applied = await sync();
    expect(applied.run.totals.removes).toBe(run.totals.removes);
    expect(membersOf(w.messengerSim, '1Б')).not.toContain(userOf(student));
  });

  it('mass-change guard: a truncated export stops the run for a human (and a dry run before it shows that verdict, issue 16 item 6); discard applies nothing, confirm applies it', async () => {
    // Issue 16 item 6: a dry run before any change says the real run would pass.
    const calm = await sync({ dryRun: true });
    expect(calm.run.guard).toMatchObject({ verdict: 'would-pass', schools: [] });
    w.model.truncate(w.school, 3);
    const before = w.messengerSim.counters();
    const members1A = membersOf(w.messengerSim, '1А');
    // ...and after the truncation, the very verdict the real run then gets: this school held.
    const preview = await sync({ dryRun: true });
    expect(preview.run.status).toBe('planned');
    expect(preview.run.guard).toMatchObject({ verdict: 'would-hold', threshold: 0.1, schools: [{ schoolExternalId: w.school }] });
    const held = await runSync(ctx(), { connectionId: w.connection.id, dryRun: false }, { untilAwaiting: true });
    expect(held.run.status).toBe('awaiting-confirmation');
    expect(held.run.guard?.verdict).toBe('held');
    expect(held.run.guard?.schools[0]?.share).toBeGreaterThan(0.1);
    expect(held.run.guard?.schools).toEqual(preview.run.guard?.schools);
    const sa = (await held.handle.describe()).typedSearchAttributes;
    expect(sa.get(HubWaitingOn)).toBe('operator');
    expect(sa.get(HubStage)).toBe('awaiting-confirmation');
    expect(w.messengerSim.counters().writeCalls).toBe(before.writeCalls);

    await decideRun(t.client, held.workflowId, 'discard', 'operator-1');
    await held.handle.result();
    expect((await runSync(ctx(), { connectionId: w.connection.id, dryRun: true })).run.status).toBe('planned');
    expect(membersOf(w.messengerSim, '1А')).toEqual(members1A);
    expect(w.messengerSim.counters().writeCalls).toBe(before.writeCalls);

    const again = await runSync(ctx(), { connectionId: w.connection.id, dryRun: false }, { untilAwaiting: true });
    expect(again.run.status).toBe('awaiting-confirmation');
    await expect(decideRun(t.client, (await sync({ dryRun: true })).workflowId, 'confirm', 'x')).rejects.toThrow();
    await decideRun(t.client, again.workflowId, 'confirm', 'operator-1');
    await again.handle.result();
    const { findSyncRun } = await import('../../db/repositories/sync-runs.js');
    const done = (await findSyncRun(db.pool, again.run.id))!;
    expect(done.status).toBe('applied');
    expect(done.decidedBy).toBe('operator-1');
    expect((membersOf(w.messengerSim, '1А') ?? []).length).toBeLessThan(members1A!.length);
  });
});
