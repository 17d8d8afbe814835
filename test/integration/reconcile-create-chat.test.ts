// Creating chats on a messenger whose createChat has no idempotency key (the real VK Teams Bot API):
// the simulator ignores keys, the hub's adapter does not retry an ambiguous create, and the hub's own
// marker (managed_chats.create_requested_at, migration 600) tells when a chat had to be created again.
// Real Temporal, real PostgreSQL, both adapters over HTTP against their simulators.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunWarning } from '../../db/repositories/sync-runs.js';
import { messengerChatsCreatedAgain } from '../../infra/metrics.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { expectedMembership, linkDirectly, runSync, schoolMembership, startRosterWorld, syncContext, type RosterWorld } from '../helpers/roster.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
let w: RosterWorld;
beforeAll(async () => {
  // A short client timeout, so that a `late` answer comes after the adapter gave up.
  w = await startRosterWorld(db.pool, { seed: 23, timeoutMs: 400, honourIdempotencyKeys: false, idempotentCreate: false });
  await linkDirectly(db.pool, w, w.model.persons.keys());
});
afterAll(async () => {
  await w?.close();
});
const t = useTemporalWorker(() => ({ pool: db.pool, messenger: w.messenger, journals: w.journals }));
const api = useTestApi(db, t);
const authority = { sub: 'operator-16', role: 'authority' as const, schools: [], classes: [], region: '16' };

const sync = () => runSync(syncContext(db.pool, t.client, t.taskQueue), { connectionId: w.connection.id, dryRun: false });
const createdAgain = (warnings: RunWarning[]) => warnings.filter((x) => x.code === 'chat-created-again');
const recreatedCount = async () => (await messengerChatsCreatedAgain.get()).values.find((v) => v.labels.via === 'reconcile')?.value ?? 0;
const managedChats = async () =>
  (
    await db.pool.query(
      `SELECT chat_key AS "chatKey", title, messenger_chat_id AS "chatId", create_requested_at AS "requestedAt" FROM managed_chats WHERE connection_id = $1 ORDER BY chat_key`,
      [w.connection.id],
    )
  ).rows as Array<{ chatKey: string; title: string; chatId: string | null; requestedAt: Date | null }>;
/** Titles the messenger holds more than once, with how many chats each. */
const duplicatedTitles = () => {
  const n = new Map<string, number>();
  for (const c of w.messengerSim.store.chats.values()) n.set(c.title, (n.get(c.title) ?? 0) + 1);
  return new Map([...n].filter(([, k]) => k > 1));
};

describe('creating chats without an idempotency key at the messenger', () => {
  let firstTitle: string;

  it('R-C1, R-C5: a createChat the messenger applied but answered too late is not retried in place; the run still converges and reports the chat created again, once', async () => {
    const recreatedBefore = await recreatedCount();
    // The first messenger call of the first run is its first createChat (no chat exists to list yet).
    w.messengerSim.script({ kind: 'late', delayMs: 1_500 });
    const { run, report } = await sync();
    expect(run.status).toBe('applied');
    const c = w.messengerSim.counters();
    expect(c.faults.late).toBe(1);
    const chats = await managedChats();
    // One chat more than the hub manages: the one the lost answer made. The adapter sent that create once
    // (no retry in place); the activity's retry created the chat again.
    expect(c.chatsCreated).toBe(chats.length + 1);
    expect(c.byMethod.createChat).toBe(chats.length + 1);
    const dup = duplicatedTitles();
    expect(dup.size).toBe(1);
    firstTitle = [...dup.keys()][0]!;
    expect(dup.get(firstTitle)).toBe(2);

    // Members exactly as the journal says, in the chats the hub recorded; every create is recorded.
    expect(await schoolMembership(db.pool, w, w.school)).toEqual(expectedMembership(w));
    expect(chats.every((x) => x.chatId !== null && x.requestedAt === null)).toBe(true);
    const recorded = chats.find((x) => x.title === firstTitle)!;
    const orphan = [...w.messengerSim.store.chats.values()].find((x) => x.title === firstTitle && x.chatId !== recorded.chatId)!;
    expect(w.messengerSim.store.memberIds(orphan.chatId)).toEqual([w.messengerSim.botUserId]);

    // The report says so, once, naming the chat; and so do the counter and the API.
    const school = report.schools.find((s) => s.schoolExternalId === w.school)!;
    expect(createdAgain(school.warnings)).toEqual([{ code: 'chat-created-again', ref: recorded.chatKey, title: firstTitle }]);
    expect(report.schools.flatMap((s) => createdAgain(s.warnings))).toHaveLength(1);
    expect((await recreatedCount()) - recreatedBefore).toBe(1);
    const shown = await api.call('GET', `/v1/sync-runs/${run.id}`, { as: authority });
    expect(shown.status).toBe(200);
    const shownWarnings = (shown.body.schools as Array<{ warnings: Array<{ code: string; message?: string }> }>).flatMap((s) => s.warnings);
    expect(shownWarnings.filter((x) => x.code === 'chat-created-again')).toEqual([
      {
        code: 'chat-created-again',
        ref: recorded.chatKey,
        title: firstTitle,
        message: `Чат «${firstTitle}» создан повторно: прежняя попытка могла создать его в мессенджере — проверьте, нет ли дубликата.`,
      },
    ]);
    const english = await api.call('GET', `/v1/sync-runs/${run.id}`, { as: authority, headers: { 'accept-language': 'en' } });
    expect(JSON.stringify(english.body.schools)).toContain(`Chat \\"${firstTitle}\\" was created again`);
  });

  it('R-C5 (idempotence): the next run creates no chat, writes nothing and warns of nothing', async () => {
    const before = w.messengerSim.counters();
    const { run, report } = await sync();
    expect(run.status).toBe('applied');
    const after = w.messengerSim.counters();
    expect(after.chatsCreated).toBe(before.chatsCreated);
    expect(after.writeCalls).toBe(before.writeCalls);
    expect(report.schools.flatMap((s) => createdAgain(s.warnings))).toEqual([]);
  });

  it('R-C5: a chat deleted in the messenger is created again by the next run without a warning', async () => {
    const staff = (await managedChats()).find((x) => x.chatKey.startsWith('staff:'))!;
    w.messengerSim.store.deleteChat(staff.chatId!);
    const before = w.messengerSim.counters().chatsCreated;
    const recreatedBefore = await recreatedCount();
    const { run, report } = await sync();
    expect(run.status).toBe('applied');
    expect(w.messengerSim.counters().chatsCreated).toBe(before + 1);
    const again = (await managedChats()).find((x) => x.chatKey === staff.chatKey)!;
    expect(again.chatId).not.toBeNull();
    expect(again.chatId).not.toBe(staff.chatId);
    expect(again.requestedAt).toBeNull();
    expect(await schoolMembership(db.pool, w, w.school)).toEqual(expectedMembership(w));
    expect(report.schools.flatMap((s) => createdAgain(s.warnings))).toEqual([]);
    expect(await recreatedCount()).toBe(recreatedBefore);
  });

  it('R-C5: a create the worker never recorded (it died between createChat and storing the id) is created again and reported', async () => {
    // What a worker killed right after the messenger made the chat leaves behind: the marker, no id.
    const chat = (await managedChats()).find((x) => x.chatKey.startsWith('class:'))!;
    await db.pool.query(
      `UPDATE managed_chats SET messenger_chat_id = NULL, create_requested_at = now() - interval '5 minutes'
        WHERE connection_id = $1 AND chat_key = $2`,
      [w.connection.id, chat.chatKey],
    );
    await db.pool.query(
      `DELETE FROM managed_memberships WHERE chat_id = (SELECT id FROM managed_chats WHERE connection_id = $1 AND chat_key = $2)`,
      [w.connection.id, chat.chatKey],
    );
    const before = w.messengerSim.counters().chatsCreated;
    const { run, report } = await sync();
    expect(run.status).toBe('applied');
    expect(w.messengerSim.counters().chatsCreated).toBe(before + 1);
    expect(await schoolMembership(db.pool, w, w.school)).toEqual(expectedMembership(w));
    expect(report.schools.flatMap((s) => createdAgain(s.warnings))).toEqual([
      { code: 'chat-created-again', ref: chat.chatKey, title: chat.title },
    ]);
    expect((await managedChats()).every((x) => x.requestedAt === null)).toBe(true);
  });
});
