// Issue 13 item 1: Сферум chats over the VK API with a community token, end to end (real Temporal, real
// PostgreSQL, the Eljur adapter over HTTP, the VK API adapter over HTTP against the VK API simulator).
// A community token cannot add anyone (messages.addChatUser takes user tokens only): people are handed
// the chat's invite link and stay `invited` until a listing shows them inside.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestLimiter } from '../../adapters/messenger/vk-api/rate-limiter.js';
import { VkApiMessenger } from '../../adapters/messenger/vk-api/messenger.js';
import { startVkApiSimulator, type VkApiSimulator } from '../../adapters/messenger/vk-api/simulator.js';
import { decideRun } from '../../sync/start-sync.js';
import { useTestDb } from '../helpers/db.js';
import { linkDirectly, runSync, startRosterWorld, syncContext, userOf, type RosterWorld } from '../helpers/roster.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
let w: RosterWorld;
let vk: VkApiSimulator;
let messenger: VkApiMessenger;
beforeAll(async () => {
  w = await startRosterWorld(db.pool);
  vk = await startVkApiSimulator();
  messenger = new VkApiMessenger({
    apiBase: vk.apiBase,
    token: vk.groupToken.token,
    tokenType: 'group',
    groupId: vk.groupToken.groupId,
    pageSize: 50,
    requestTimeoutMs: 2_000,
    retry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 200, maxRetryAfterMs: 1_500 },
    limiter: new RequestLimiter(20),
  });
});
const t = useTemporalWorker(() => ({ pool: db.pool, messenger, journals: w.journals }));
afterAll(async () => {
  await w?.close();
  await vk?.stop();
});

/** Everyone signs in with VK ID (numeric VK ids) and is linked to their journal identity. */
const linkEveryone = (): Promise<void> => linkDirectly(db.pool, w, w.model.persons.keys());

const sync = () => runSync(syncContext(db.pool, t.client, t.taskQueue), { connectionId: w.connection.id, dryRun: false });
const chatOf = async (title: string) =>
  (await db.pool.query(`SELECT id, messenger_chat_id AS "vkChat" FROM managed_chats WHERE title = $1`, [title])).rows[0] as { id: string; vkChat: string };
const states = async () =>
  Object.fromEntries(
    (await db.pool.query(`SELECT state, count(*)::int AS n FROM managed_memberships GROUP BY state`)).rows.map((r: { state: string; n: number }) => [r.state, r.n]),
  ) as Record<string, number>;
const outbox = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM messenger_invite_outbox`)).rows[0].n as number;
let invitedAtFirst = 0;
let joinedIn1A = 0;

describe('reconciliation over the VK API with a community token (issue 13)', () => {
  it('issue 13: the first run creates the chats and invites everyone by the chat\'s link; nobody is counted as added; the links wait in the outbox', async () => {
    await linkEveryone();
    const { run, report } = await sync();
    expect(run.status).toBe('applied');
    const t1 = run.totals;
    expect(t1.adds).toBeGreaterThan(50);
    expect(t1.appliedInvites).toBe(t1.adds);
    expect(t1.appliedAdds).toBe(0);
    expect(t1.refused).toBe(0);
    invitedAtFirst = t1.appliedInvites!;
    expect(await states()).toEqual({ invited: invitedAtFirst });
    expect(await outbox()).toBe(invitedAtFirst);
    // The chats hold only the community; VK was never asked to add anyone directly.
    for (const c of vk.store.chats.values()) expect(vk.store.memberIds(c.chatId)).toEqual([vk.communityMemberId]);
    expect(vk.counters().byMethod['messages.addChatUser'] ?? 0).toBe(0);
    expect(report.chats.find((c) => c.title === '1А')!.appliedInvites).toBeGreaterThan(0);
    // The benchmark's figure: requests per run, each one counted.
    expect(t1.messenger?.calls).toBeGreaterThan(0);
  });

  it('issue 13: people who followed the link are joined at the next run; the others stay invited and are not invited again', async () => {
    const chat = await chatOf('1А');
    const link = vk.inviteLinkOf(chat.vkChat);
    const { rows } = await db.pool.query(`SELECT messenger_user_id AS u FROM managed_memberships WHERE chat_id = $1`, [chat.id]);
    for (const r of rows as Array<{ u: string }>) vk.joinByLink(link, r.u);
    joinedIn1A = rows.length;

    const { run } = await sync();
    expect(run.status).toBe('applied');
    expect(run.totals.joinedFromInvites).toBe(joinedIn1A);
    expect(run.totals.invitedWaiting).toBe(invitedAtFirst - joinedIn1A);
    expect(run.totals.adds).toBe(0);
    expect(run.totals.appliedInvites).toBe(0);
    expect(await states()).toEqual({ joined: joinedIn1A, invited: invitedAtFirst - joinedIn1A });
    expect(await outbox()).toBe(invitedAtFirst);
  });

  it('issue 13, mass-change guard: unused invitations neither count as removals nor dilute the share; removing half the joined members stops the run', async () => {
    const cls = w.model.classesOf(w.school).find((c) => c.name === '1А')!;
    const students = w.model.enrollmentsOf(w.school, { classId: cls.id }).map((e) => e.studentId);
    for (const s of students.slice(0, 3)) w.model.expel(s);

    const held = await runSync(syncContext(db.pool, t.client, t.taskQueue), { connectionId: w.connection.id, dryRun: false }, { untilAwaiting: true });
    expect(held.run.status).toBe('awaiting-confirmation');
    const school = held.run.guard!.schools[0]!;
    // The denominator is the joined members only; the expelled students' unused invitations elsewhere
    // are withdrawn, not removed.
    expect(school.managedMembers).toBe(joinedIn1A);
    expect(school.removes).toBe(3);
    await decideRun(t.client, held.workflowId, 'confirm', 'test');
    await held.handle.result();
    const chat = await chatOf('1А');
    expect(vk.store.memberIds(chat.vkChat)).toHaveLength(1 + joinedIn1A - 3);
    const left = await db.pool.query(
      `SELECT count(*)::int AS n FROM managed_memberships WHERE messenger_user_id = ANY($1::text[])`,
      [students.slice(0, 3).map(userOf)],
    );
    expect(left.rows[0].n).toBe(0);
  });

  it('issue 13: a revoked community token (VK code 5) fails the run with a Russian sentence, not chat by chat', async () => {
    vk.revokeToken(vk.groupToken.token);
    try {
      const { run, report } = await sync();
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/ВКонтакте отклонил ключ доступа \(код 5\)/);
      expect(report.chats.reduce((n, c) => n + c.errors, 0)).toBe(0);
    } finally {
      vk.revokeToken(vk.groupToken.token, false);
    }
  });

  it('issue 13: a subject renamed in the journal renames its chats at VK once (messages.editChat), no chat made again', async () => {
    const subject = [...w.model.subjects.values()].find((x) => x.schoolId === w.school && x.name === 'Математика')!;
    subject.name = 'Алгебра';
    subject.modifiedAt = Date.now();
    const chatsBefore = vk.store.chats.size;
    vk.resetCounters();
    const { run } = await sync();
    expect(run.status).toBe('applied');
    const titles = [...vk.store.chats.values()].map((c) => c.title);
    expect(titles.filter((t) => t.endsWith(' - Алгебра')).length).toBe(w.model.classesOf(w.school).length);
    expect(titles.some((t) => t.endsWith(' - Математика'))).toBe(false);
    expect(vk.store.chats.size).toBe(chatsBefore);
    expect(vk.counters().byMethod['messages.editChat']).toBe(w.model.classesOf(w.school).length);
    vk.resetCounters();
    await sync();
    expect(vk.counters().byMethod['messages.editChat'] ?? 0).toBe(0);
  });
});
