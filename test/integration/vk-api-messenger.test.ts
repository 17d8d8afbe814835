// Issue 13 item 1: the VK API adapter against the shipped VK API simulator over real HTTP — request
// limits per token, execute batching, the error codes (6, 9, 5, chat- and person-level refusals), 5xx
// and timeouts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { castMessengerError } from '../../adapters/messenger/activity-errors.js';
import { collectMembers, MessengerError } from '../../adapters/messenger/port.js';
import { RequestLimiter } from '../../adapters/messenger/vk-api/rate-limiter.js';
import { VkApiMessenger, type VkApiMessengerOptions } from '../../adapters/messenger/vk-api/messenger.js';
import { startVkApiSimulator, type VkApiSimulator } from '../../adapters/messenger/vk-api/simulator.js';

let sim: VkApiSimulator;
beforeAll(async () => {
  sim = await startVkApiSimulator();
});
afterAll(async () => {
  await sim.stop();
});
afterEach(() => {
  sim.resetCounters();
});

const community = (o: Partial<VkApiMessengerOptions> = {}) =>
  new VkApiMessenger({
    apiBase: sim.apiBase,
    token: sim.groupToken.token,
    tokenType: 'group',
    groupId: sim.groupToken.groupId,
    pageSize: 10,
    requestTimeoutMs: 300,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    limiter: new RequestLimiter(20),
    ...o,
  });
const admin = (o: Partial<VkApiMessengerOptions> = {}) =>
  community({ token: sim.userToken.token, tokenType: 'user', limiter: new RequestLimiter(3), ...o });
const ids = (n: number, from = 300_000) => Array.from({ length: n }, (_, i) => String(from + i));
const failure = async (p: Promise<unknown>): Promise<MessengerError> => {
  const e = await p.then(
    () => new Error('expected a failure'),
    (err: unknown) => err,
  );
  if (!(e instanceof MessengerError)) throw e;
  return e;
};

describe('VK API adapter against the simulator', () => {
  it('issue 13: execute cuts requests — 50 removals take 2 requests, a 121-member listing 2 requests', async () => {
    const m = community();
    const chat = await m.createChat({ title: '6А', idempotencyKey: 'x' });
    sim.addMembersByHand(chat, ids(120));
    m.resetStats();
    const pages = [];
    for await (const page of m.listMembers(chat)) pages.push(page.length);
    expect(pages.reduce((a, b) => a + b, 0)).toBe(121);
    expect(m.stats().calls).toBe(2);
    m.resetStats();
    const out = await m.removeMembers(chat, ids(50));
    expect(out).toEqual({ userIds: 50, batches: 2, invited: [], refused: [] });
    expect(m.stats().calls).toBe(2);
    expect(sim.store.memberIds(chat)).toHaveLength(71);
  });

  it('issue 13: listings asked for together go to VK together — 30 chats in 2 requests; a deleted chat fails only its own listing', async () => {
    const m = community();
    const chats: string[] = [];
    for (let i = 0; i < 29; i++) chats.push(await m.createChat({ title: `Чат ${i}`, idempotencyKey: 'x' }));
    sim.addMembersByHand(chats[3]!, ids(4));
    chats.push('777777');
    m.resetStats();
    const results = await Promise.allSettled(chats.map((c) => collectMembers(m, c)));
    expect(m.stats().calls).toBe(2);
    expect(results.slice(0, 29).every((r) => r.status === 'fulfilled')).toBe(true);
    expect((results[3] as PromiseFulfilledResult<unknown[]>).value).toHaveLength(5);
    const gone = results[29] as PromiseRejectedResult;
    expect((gone.reason as MessengerError).code).toBe('not-found');
  });

  it('issue 13: the per-token limiter keeps a user token at 3 requests a second, so VK never answers code 6', async () => {
    const m = admin();
    const chat = await m.createChat({ title: '6Б', idempotencyKey: 'x' });
    const started = Date.now();
    for (let i = 0; i < 9; i++) await collectMembers(m, chat);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(sim.counters().overLimit).toBe(0);
  });

  it('issue 13: without the limiter VK answers code 6; the adapter backs off, retries and the work completes', async () => {
    const m = admin({ limiter: new RequestLimiter(1000), retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 8 } });
    const chat = await m.createChat({ title: '6В', idempotencyKey: 'x' });
    // Removals are not gathered together: six at once are six requests, over the 3 a second VK allows.
    await Promise.all(Array.from({ length: 6 }, (_, i) => m.removeMembers(chat, [String(900_000 + i)])));
    expect(sim.counters().overLimit).toBeGreaterThan(0);
    expect(m.stats().rateLimited).toBeGreaterThan(0);
    expect(m.stats().retries).toBeGreaterThan(0);
  });

  it('issue 13: code 9 (flood control) is waited out and retried; one that lasts longer than the adapter waits is a retryable rate-limit for the next attempt', async () => {
    const m = community({ floodRetryAfterMs: 30 });
    const chat = await m.createChat({ title: '6Г', idempotencyKey: 'x' });
    sim.script({ kind: 'vk-error', code: 9 });
    expect(await collectMembers(m, chat)).toHaveLength(1);
    const long = community({ floodRetryAfterMs: 120_000, retry: { maxRetryAfterMs: 1_000 } });
    sim.script({ kind: 'vk-error', code: 9 });
    const err = await failure(collectMembers(long, chat));
    expect(err.detail).toEqual({ code: 'rate-limited', retryAfterMs: 120_000 });
    expect(err.retryable).toBe(true);
    // A flood-controlled call inside an execute is sent again, the others are not repeated.
    sim.addMembersByHand(chat, ids(5));
    sim.scriptInner(9);
    const out = await m.removeMembers(chat, ids(5));
    expect(out.refused).toEqual([]);
    expect(sim.store.memberIds(chat)).toEqual([sim.communityMemberId]);
  });

  it('issue 13: code 5 fails the whole connection with a Russian sentence, not retryable, not a chat-level refusal', async () => {
    const m = community();
    const chat = await m.createChat({ title: '6Д', idempotencyKey: 'x' });
    sim.script({ kind: 'vk-error', code: 5 });
    const err = await failure(m.removeMembers(chat, ids(3)));
    expect(err.code).toBe('auth-failed');
    expect(err.platform?.code).toBe(5);
    expect(err.message).toMatch(/ключ доступа/);
    const failureForTemporal = castMessengerError(err) as ApplicationFailure;
    expect(failureForTemporal.nonRetryable).toBe(true);
    const wrong = await failure(collectMembers(community({ token: 'revoked' }), chat));
    expect(wrong.code).toBe('auth-failed');
  });

  it('issue 13: 5xx and timeouts are retried; a createChat that may have reached VK is not sent again (no idempotency key)', async () => {
    const m = community();
    const chat = await m.createChat({ title: '6Е', idempotencyKey: 'x' });
    sim.script({ kind: '503' }, { kind: 'hang' });
    expect(await collectMembers(m, chat)).toHaveLength(1);
    expect(m.stats()).toMatchObject({ serverErrors: 1, timeouts: 1 });
    const before = sim.store.chats.size;
    sim.script({ kind: 'late', delayMs: 600 });
    const err = await failure(m.createChat({ title: '6Ж', idempotencyKey: 'y' }));
    expect(err.detail).toEqual({ code: 'unavailable', cause: 'timeout' });
    await new Promise((r) => setTimeout(r, 700));
    expect(sim.store.chats.size).toBe(before + 1);
  });

  it('issue 13: with a user token, people VK refuses are reported with the VK code and a sentence; the rest are added', async () => {
    const m = admin();
    const chat = await m.createChat({ title: '6З', idempotencyKey: 'x' });
    const people = ids(4, 310_000);
    sim.refuseAddsOf(people[1]!, 936);
    sim.refuseAddsOf(people[2]!, 947);
    const out = await m.addMembers(chat, people);
    expect(out.invited).toEqual([]);
    expect(out.refused).toEqual([
      { userId: people[1], code: '936', reason: 'пользователь не найден' },
      { userId: people[2], code: '947', reason: 'у пользователя нет доступа к сообществу' },
    ]);
    expect(sim.store.memberIds(chat)).toEqual([String(sim.userToken.userId), people[0], people[3]].sort());
  });

  it('issue 13: a disabled chat refuses as forbidden with VK code 945; the port says which', async () => {
    const m = admin();
    const chat = await m.createChat({ title: '6И', idempotencyKey: 'x' });
    sim.disableChat(chat);
    const err = await failure(m.addMembers(chat, ids(2)));
    expect(err.detail).toEqual({ code: 'forbidden' });
    expect(err.platform?.code).toBe(945);
    expect(err.message).toMatch(/беседа отключена/);
  });

  it('issue 13: a community token invites: one link for the chat, kept until VK resets it', async () => {
    const m = community();
    const chat = await m.createChat({ title: '6К', idempotencyKey: 'x' });
    const a = await m.addMembers(chat, ids(2));
    const b = await m.addMembers(chat, ids(1, 400_000));
    expect(a.invited[0]!.inviteLink).toBe(sim.inviteLinkOf(chat));
    expect(b.invited[0]!.inviteLink).toBe(a.invited[0]!.inviteLink);
    expect(sim.counters().byMethod['messages.addChatUser'] ?? 0).toBe(0);
  });
});
