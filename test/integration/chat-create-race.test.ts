// Issue 13 item 5: chat creation cannot duplicate when replicas race, and a person already in a chat by
// hand when they link stays unmanaged (R-C7). Two real worker processes on one task queue, real
// Temporal, real PostgreSQL; the Eljur and VK Teams adapters over HTTP against their simulators. The
// messenger ignores createChat's idempotency key (like the real platform) and answers createChat
// slowly, so that the window in which two workers both find the chat missing is real.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { insertPerson } from '../../db/repositories/people.js';
import { projectRoot } from '../../infra/paths.js';
import { linkJournalIdentity } from '../../sync/start-sync.js';
import { useTestDb } from '../helpers/db.js';
import { chatIdOf, expectedMembership, linkDirectly, membersOf, rosterWorkerEnv, runSync, startRosterWorld, syncContext, userOf, type RosterWorld } from '../helpers/roster.js';
import { useTemporalWorker } from '../helpers/temporal.js';
import { signInProof } from '../helpers/journal-proofs.js';
import { bindThroughUseCase } from '../helpers/vk-id.js';

const db = useTestDb();
let w: RosterWorld;
beforeAll(async () => {
  w = await startRosterWorld(db.pool, { seed: 47, grades: 4, studentsPerClass: 4, honourIdempotencyKeys: false });
});
const t = useTemporalWorker(() => ({ pool: db.pool, messenger: w.messenger, journals: w.journals }));
const workers: ChildProcess[] = [];
afterAll(async () => {
  for (const child of workers) {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  }
  await w?.close();
});

const RACED = '4Б Родители';
const HAND_CLASS = '3А';
const classId = (name: string) => w.model.classesOf(w.school).find((c) => c.name === name)!.id;
const studentsOf = (name: string) => w.model.enrollmentsOf(w.school, { classId: classId(name) }).map((e) => e.studentId);
const parentsOfClass = (name: string) => [...new Set(studentsOf(name).flatMap((s) => w.model.guardiansOf(s).map((g) => g.parentId)))];
const classTeacherOf = (name: string) => w.model.classTeachers.get(classId(name))!.teacherId;

/** A worker in its own process (test/fixtures/roster-worker.ts); its JSON log lines are kept. */
async function startWorkerProcess(taskQueue: string): Promise<{ log: () => string[] }> {
  const lines: string[] = [];
  let partial = '';
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test/fixtures/roster-worker.ts')], {
    cwd: projectRoot,
    env: rosterWorkerEnv(db, w, inject('temporalAddress'), taskQueue, { MESSENGER_IDEMPOTENT_CREATE: 'false', LOG_LEVEL: 'debug' }),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  workers.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const text = partial + d.toString();
      const all = text.split('\n');
      partial = all.pop()!;
      lines.push(...all);
      if (lines.some((l) => l.includes('worker ready'))) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited ${code}`)));
  });
  return { log: () => lines.filter((l) => l.startsWith('{')) };
}

/** A hub person with a messenger account, linked through the journal-link workflow (R-L1, R-L2). */
async function linkThroughHub(externalId: string, taskQueue: string) {
  const p = w.model.persons.get(externalId)!;
  const person = await insertPerson(db.pool, { phone: null, email: `${externalId}@race.example`, firstName: p.firstName, lastName: p.lastName, birthDate: p.birthDate ?? null });
  await bindThroughUseCase(db.pool, w.vkIdSim, person.id, userOf(externalId));
  const proofId = await signInProof(db.pool, w, person.id, externalId);
  return linkJournalIdentity(t.client, {
    connectionId: w.connection.id,
    externalPersonId: externalId,
    personId: person.id,
    actor: person.id,
    proof: { method: 'verified', proofId },
    taskQueue,
  });
}

const managedChat = async (title: string) =>
  (
    await db.pool.query(
      `SELECT id, messenger_chat_id AS "chatId", create_requested_at AS "requestedAt" FROM managed_chats WHERE connection_id = $1 AND title = $2`,
      [w.connection.id, title],
    )
  ).rows[0] as { id: string; chatId: string | null; requestedAt: Date | null };
const managedMembersOf = async (chatRowId: string) =>
  ((await db.pool.query(`SELECT messenger_user_id AS u FROM managed_memberships WHERE chat_id = $1 ORDER BY 1`, [chatRowId])).rows as Array<{ u: string }>).map((r) => r.u);
const chatsTitled = (title: string) => [...w.messengerSim.store.chats.values()].filter((c) => c.title === title);

// Left unlinked by the first run: the parents of 4Б and its class teacher (nobody the parents' chat
// would hold is linked, so that chat is not created), and one 3А student.
let racers: string[];
let handStudent: string;

describe('replicas creating the same chat (issue 13 item 5)', () => {
  it('issue 13 item 5: a run and six journal links on two worker processes racing for the same missing chat create it exactly once, with no duplicate warning, everyone in the right chat', async () => {
    racers = parentsOfClass('4Б');
    handStudent = studentsOf(HAND_CLASS)[0]!;
    const teacher = classTeacherOf('4Б');
    expect(racers.length).toBeGreaterThanOrEqual(6);
    await linkDirectly(db.pool, w, [...w.model.persons.keys()].filter((p) => !racers.includes(p) && p !== teacher && p !== handStudent));
    const first = await runSync(syncContext(db.pool, t.client, t.taskQueue), { connectionId: w.connection.id, dryRun: false });
    expect(first.run.status).toBe('applied');
    expect(chatsTitled(RACED)).toHaveLength(0);
    expect((await managedChat(RACED)).chatId).toBeNull();

    const queue = `${t.taskQueue}-replicas`;
    const [a, b] = await Promise.all([startWorkerProcess(queue), startWorkerProcess(queue)]);
    // The class teacher is linked now: the next run adds them to the parents' chat, so it creates it too.
    await linkDirectly(db.pool, w, [teacher]);
    w.messengerSim.setFaults({ slowShare: 1, slowMs: 700, methods: ['createChat'] });
    const createsBefore = w.messengerSim.counters().byMethod.createChat;

    const [sync, ...links] = await Promise.all([
      runSync(syncContext(db.pool, t.client, queue), { connectionId: w.connection.id, dryRun: false }),
      ...racers.map((p) => linkThroughHub(p, queue)),
    ]);
    w.messengerSim.setFaults({ slowShare: 0 });

    // Exactly one chat, made by one createChat, and it is the one the hub stored.
    expect(w.messengerSim.counters().byMethod.createChat - createsBefore).toBe(1);
    expect(chatsTitled(RACED)).toHaveLength(1);
    const stored = await managedChat(RACED);
    expect(stored.chatId).toBe(chatIdOf(w.messengerSim, RACED));
    expect(stored.requestedAt).toBeNull();
    // Everyone in it; and the hub records as its members exactly who is in it.
    expect(sync.run.status).toBe('applied');
    for (const l of links) expect(l.status).toBe('linked');
    expect(membersOf(w.messengerSim, RACED)).toEqual(expectedMembership(w).get(RACED));
    expect(await managedMembersOf(stored.id)).toEqual(membersOf(w.messengerSim, RACED));
    // No one was told to look for a duplicate: not the authority (run report), not the logs.
    expect(sync.report.schools.flatMap((s) => s.warnings).filter((x) => x.code === 'chat-created-again')).toEqual([]);
    const logs = [...a.log(), ...b.log()];
    expect(logs.filter((l) => /never recorded|created twice/.test(l))).toEqual([]);
    // The race was real: some worker found the chat being created by another and waited for it.
    expect(logs.filter((l) => l.includes('waiting for another worker creating the chat')).length).toBeGreaterThan(0);
    // Both processes worked.
    expect(a.log().length).toBeGreaterThan(0);
    expect(b.log().length).toBeGreaterThan(0);
  });

  it('R-C7: someone already in a chat by hand when they link stays unmanaged there, so that a later expulsion leaves them in', async () => {
    const me = userOf(handStudent);
    const classChat = chatIdOf(w.messengerSim, HAND_CLASS);
    w.messengerSim.addMembersByHand(classChat, [me]);
    const subject = `${HAND_CLASS} - Математика`;
    expect(membersOf(w.messengerSim, subject)).not.toContain(me);

    const state = await linkThroughHub(handStudent, t.taskQueue);
    expect(state.status).toBe('linked');
    // Joined every chat they were pending for: the subject chats by the hub, the class chat already theirs.
    expect(membersOf(w.messengerSim, subject)).toContain(me);
    expect(await managedMembersOf((await managedChat(subject)).id)).toContain(me);
    expect(await managedMembersOf((await managedChat(HAND_CLASS)).id)).not.toContain(me);

    w.model.expel(handStudent);
    const { run, report } = await runSync(syncContext(db.pool, t.client, t.taskQueue), { connectionId: w.connection.id, dryRun: false });
    expect(run.status).toBe('applied');
    expect(membersOf(w.messengerSim, subject)).not.toContain(me);
    expect(membersOf(w.messengerSim, HAND_CLASS)).toContain(me);
    expect(report.chats.find((c) => c.title === HAND_CLASS)!.handKept).toBe(1);
  });
});
