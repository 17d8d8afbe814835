// Unlinking a journal identity (R-L1, R-L2, R-C6, R-C7; docs/reconcile.md "Unlinking"), through the
// use case the API and support call: real Temporal, real PostgreSQL, the Eljur adapter and the
// VK Teams adapter over HTTP against their simulators.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditFor } from '../../db/repositories/audit.js';
import { linkJournalIdentity, unlinkJournalIdentity } from '../../sync/start-sync.js';
import { useTestDb } from '../helpers/db.js';
import { chatIdOf, expectedMembership, linkDirectly, membersOf, runSync, startRosterWorld, syncContext, userOf, type RosterWorld } from '../helpers/roster.js';
import { useTemporalWorker } from '../helpers/temporal.js';
import { signInProof } from '../helpers/journal-proofs.js';

const db = useTestDb();
let w: RosterWorld;
beforeAll(async () => {
  w = await startRosterWorld(db.pool, { seed: 31 });
  await linkDirectly(db.pool, w, w.model.persons.keys());
});
const t = useTemporalWorker(() => ({ pool: db.pool, messenger: w.messenger, journals: w.journals }));
afterAll(async () => {
  await w?.close();
});

const sync = () => runSync(syncContext(db.pool, t.client, t.taskQueue), { connectionId: w.connection.id, dryRun: false });
const unlink = (externalPersonId: string, actor = 'support-7') =>
  unlinkJournalIdentity(t.client, { connectionId: w.connection.id, externalPersonId, actor, reason: 'привязан по ошибке', taskQueue: t.taskQueue });
const classId = (name: string) => w.model.classesOf(w.school).find((c) => c.name === name)!.id;

// The class teacher of 1А: in the class chat, the parents' chat, the staff room and the core subject chats.
let teacher: string;
let personId: string;
let theirChats: string[];
const HAND_CHAT = '2Б';

describe('unlinking a journal identity', () => {
  it('R-L2, R-C7: unlinking takes the person out of every chat the hub put them in, keeps the one they were added to by hand, and is audited', async () => {
    await sync();
    teacher = w.model.classTeachers.get(classId('1А'))!.teacherId;
    const me = userOf(teacher);
    const expected = expectedMembership(w);
    theirChats = [...expected].filter(([, members]) => members.includes(me)).map(([title]) => title);
    expect(theirChats).toEqual(expect.arrayContaining(['1А', '1А Родители', 'Учительская', '1А - Русский язык']));
    for (const title of theirChats) expect(membersOf(w.messengerSim, title)).toContain(me);
    // Someone added them by hand to a chat the journal does not put them in.
    expect(expected.get(HAND_CHAT)).not.toContain(me);
    w.messengerSim.addMembersByHand(chatIdOf(w.messengerSim, HAND_CHAT), [me]);
    personId = ((await db.pool.query(`SELECT person_id AS id FROM journal_links WHERE external_person_id = $1`, [teacher])).rows[0] as { id: string }).id;

    const state = await unlink(teacher);

    expect(state.status).toBe('unlinked');
    for (const title of theirChats) {
      expect(membersOf(w.messengerSim, title)).not.toContain(me);
      // Everyone else stays.
      expect(membersOf(w.messengerSim, title)).toEqual(expected.get(title)!.filter((u) => u !== me));
    }
    expect(membersOf(w.messengerSim, HAND_CHAT)).toContain(me);
    const audit = (await auditFor(db.pool, 'person', personId)).filter((a) => a.action === 'journal.unlinked');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: 'support-7',
      reason: 'привязан по ошибке',
      details: { connectionId: w.connection.id, externalPersonId: teacher },
    });
  });

  it('R-L2, R-C6: the next run lists the unlinked person as pending in each of their chats and does not add them back', async () => {
    const me = userOf(teacher);
    const { run, report } = await sync();
    expect(run.status).toBe('applied');
    expect(run.totals.adds).toBe(0);
    expect(run.totals.removes).toBe(0);
    expect(run.totals.pending).toBe(theirChats.length);
    for (const title of theirChats) {
      expect(report.chats.find((c) => c.title === title)!.pending).toBe(1);
      expect(membersOf(w.messengerSim, title)).not.toContain(me);
    }
    expect(report.chats.find((c) => c.title === HAND_CHAT)!.handKept).toBe(1);
    expect(membersOf(w.messengerSim, HAND_CHAT)).toContain(me);
  });

  it('R-L1, R-L2: linking again puts the person back into every chat at once, before the next run', async () => {
    const me = userOf(teacher);
    const state = await linkJournalIdentity(t.client, {
      connectionId: w.connection.id,
      externalPersonId: teacher,
      personId,
      actor: personId,
      proof: { method: 'verified', proofId: await signInProof(db.pool, w, personId, teacher) },
      taskQueue: t.taskQueue,
    });
    expect(state.status).toBe('linked');
    expect(state.joinedChats).toBe(theirChats.length);
    for (const title of theirChats) expect(membersOf(w.messengerSim, title)).toContain(me);
    const { run } = await sync();
    expect(run.totals.adds).toBe(0);
    expect(run.totals.removes).toBe(0);
    expect(run.totals.pending).toBe(0);
    expect(membersOf(w.messengerSim, HAND_CHAT)).toContain(me);
  });

  it('R-L1: unlinking an identity that is not linked is refused (journal-identity-not-linked); nothing changes, nothing is audited', async () => {
    // A teacher hired since, never linked; and the class teacher, unlinked twice.
    const newcomer = w.model.hire(w.school, 'teacher');
    await sync();
    await unlink(teacher);
    const members = membersOf(w.messengerSim, 'Учительская');
    const writes = w.messengerSim.counters().writeCalls;
    const audited = (await auditFor(db.pool, 'person', personId)).length;

    await expect(unlink(newcomer)).rejects.toMatchObject({ cause: { type: 'journal-identity-not-linked' } });
    await expect(unlink(teacher)).rejects.toMatchObject({ cause: { type: 'journal-identity-not-linked' } });
    await expect(unlink('no-such-person')).rejects.toMatchObject({ cause: { type: 'journal-identity-not-linked' } });

    expect(w.messengerSim.counters().writeCalls).toBe(writes);
    expect(membersOf(w.messengerSim, 'Учительская')).toEqual(members);
    expect(await auditFor(db.pool, 'person', personId)).toHaveLength(audited);
  });
});
