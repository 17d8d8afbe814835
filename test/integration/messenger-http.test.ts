// The VK Teams HTTP adapter against the shipped simulator, over real HTTP on 127.0.0.1, with faults.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectMembers, MessengerError } from '../../adapters/messenger/port.js';
import { startMessengerSimulator, type MessengerSimulator } from '../../adapters/messenger/simulator.js';
import { VkTeamsHttpMessenger, type VkTeamsHttpOptions } from '../../adapters/messenger/vkteams-http.js';

let sim: MessengerSimulator;
beforeAll(async () => {
  sim = await startMessengerSimulator({ pageSize: 7, maxMembersPerCall: 20 });
});
afterAll(async () => {
  await sim.stop();
});
afterEach(() => {
  sim.resetCounters();
});

const client = (o: Partial<VkTeamsHttpOptions> = {}) =>
  new VkTeamsHttpMessenger({
    apiBase: sim.apiBase,
    token: sim.token,
    maxBatchSize: 20,
    requestTimeoutMs: 300,
    retry: { baseDelayMs: 10, maxDelayMs: 50, maxAttempts: 5 },
    ...o,
  });
let n = 0;
const newChat = (m: VkTeamsHttpMessenger) => m.createChat({ title: `Чат ${++n}`, idempotencyKey: `it/${n}` });
const ids = async (m: VkTeamsHttpMessenger, chat: string) =>
  (await collectMembers(m, chat)).map((x) => x.userId).sort();
const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => {
      if (!(e instanceof MessengerError)) throw e;
      return e;
    },
  );

describe('VK Teams HTTP adapter against the simulator', () => {
  it('issue 13 item 3: a numeric getMembers cursor pages on to the end, so extra members of a big chat are seen and removed', async () => {
    const numeric = await startMessengerSimulator({ pageSize: 7, maxMembersPerCall: 20, numericCursor: true });
    try {
      const m = new VkTeamsHttpMessenger({ apiBase: numeric.apiBase, token: numeric.token, maxBatchSize: 20 });
      const chat = await m.createChat({ title: '9А', idempotencyKey: 'numeric/1' });
      const people = Array.from({ length: 30 }, (_, i) => `p-${String(i).padStart(2, '0')}`);
      await m.addMembers(chat, people);
      let pages = 0;
      for await (const _ of m.listMembers(chat)) pages++;
      expect(pages).toBe(Math.ceil(31 / 7));
      const listed = await ids(m, chat);
      expect(listed).toEqual([numeric.botUserId, ...people].sort());
      // The last page's extra member is visible, hence removable.
      await m.removeMembers(chat, [listed.at(-1)!]);
      expect(numeric.store.memberIds(chat)).not.toContain(listed.at(-1));
    } finally {
      await numeric.stop();
    }
  });

  it('R-C1/R-C5: creates a chat, adds, removes and lists members across cursor pages', async () => {
    const m = client();
    const chat = await m.createChat({
      title: '1А - Русский язык',
      about: 'managed by the hub',
      idempotencyKey: 's/1',
    });
    expect(sim.store.chat(chat).title).toBe('1А - Русский язык');
    const students = Array.from({ length: 45 }, (_, i) => `st-${String(i).padStart(2, '0')}`);
    expect(await m.addMembers(chat, students)).toEqual({ userIds: 45, batches: 3, invited: [], refused: [] });
    await m.removeMembers(chat, ['st-00', 'st-44']);
    let pages = 0;
    for await (const _ of m.listMembers(chat)) pages++;
    expect(pages).toBe(Math.ceil(44 / 7));
    expect(await ids(m, chat)).toEqual([sim.botUserId, ...students.slice(1, 44)].sort());
    expect(sim.counters()).toMatchObject({
      chatsCreated: 1,
      membersAdded: 45,
      membersRemoved: 2,
      effectiveChanges: 48,
    });
    expect(sim.counters().byMethod).toMatchObject({ 'members/add': 3, 'members/delete': 1 });
  });

  it('R-C5: a change applied but answered too late is retried harmlessly: one effective change, two write calls', async () => {
    const m = client();
    const chat = await newChat(m);
    sim.resetCounters();
    sim.script({ kind: 'late', delayMs: 800 });
    await m.addMembers(chat, ['u1']);
    expect(m.stats()).toMatchObject({ timeouts: 1, retries: 1 });
    expect(sim.counters()).toMatchObject({ writeCalls: 2, membersAdded: 1, effectiveChanges: 1 });
    expect(await ids(m, chat)).toEqual([sim.botUserId, 'u1'].sort());
  });

  it('R-C1: with idempotentCreate, a createChat retried after a lost answer returns the same chat (idempotency key honoured)', async () => {
    const m = client({ idempotentCreate: true });
    sim.script({ kind: 'late', delayMs: 800 });
    const chat = await m.createChat({ title: 'Учительская', idempotencyKey: 'school-9/staff:school-9' });
    expect(sim.counters()).toMatchObject({ chatsCreated: 1 });
    expect(sim.counters().byMethod.createChat).toBe(2);
    expect(await m.createChat({ title: 'Учительская', idempotencyKey: 'school-9/staff:school-9' })).toBe(
      chat,
    );
  });

  it('R-C1, R-C5: without idempotentCreate (the real platform), a createChat answered too late is sent once and fails as retryable', async () => {
    const m = client({ idempotentCreate: false });
    sim.script({ kind: 'late', delayMs: 800 });
    const err = await failure(m.createChat({ title: '5А', idempotencyKey: 'school-9/class:5a' }));
    expect(err.detail).toEqual({ code: 'unavailable', cause: 'timeout' });
    expect(err.retryable).toBe(true);
    expect(err.progress).toMatchObject({ method: 'createChat', attempts: 1 });
    // The platform made the chat although the client gave up: one call, one chat, no retry.
    expect(sim.counters().byMethod.createChat).toBe(1);
    expect(sim.counters().chatsCreated).toBe(1);
    expect(m.stats()).toMatchObject({ calls: 1, timeouts: 1, retries: 0 });
  });

  it('R-C1, R-C5: without idempotentCreate, a 5xx to createChat is not retried in place; a 429 (not applied) is', async () => {
    const m = client({ idempotentCreate: false });
    sim.script({ kind: '503' });
    const err = await failure(m.createChat({ title: '6А', idempotencyKey: 'school-9/class:6a' }));
    expect(err.detail).toEqual({ code: 'unavailable', cause: 'server-error' });
    expect(err.retryable).toBe(true);
    expect(sim.counters().byMethod.createChat).toBe(1);
    sim.resetCounters();
    sim.script({ kind: '429', retryAfterSeconds: 0 });
    const chat = await m.createChat({ title: '6А', idempotencyKey: 'school-9/class:6a' });
    expect(sim.store.chat(chat).title).toBe('6А');
    expect(sim.counters().byMethod.createChat).toBe(2);
    expect(sim.counters().chatsCreated).toBe(1);
    // Member changes stay retried after a timeout: they are idempotent on any platform.
    sim.script({ kind: 'late', delayMs: 800 });
    await m.addMembers(chat, ['u1']);
    expect(sim.counters().byMethod['members/add']).toBe(2);
  });

  it('R-C5: a refused connection (nothing reached the platform) is retried even for createChat', async () => {
    const { createServer } = await import('node:net');
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((r) => closed.close(() => r()));
    const m = client({ apiBase: `http://127.0.0.1:${port}/bot/v1`, idempotentCreate: false, retry: { baseDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 } });
    const err = await failure(m.createChat({ title: '7А', idempotencyKey: 'school-9/class:7a' }));
    expect(err.detail).toEqual({ code: 'unavailable', cause: 'network' });
    expect(m.stats()).toMatchObject({ calls: 3, networkErrors: 3, retries: 2 });
  });

  it('R-C1: a simulator that does not honour idempotency keys (like the real platform) makes a chat per createChat', async () => {
    const real = await startMessengerSimulator({ honourIdempotencyKeys: false });
    try {
      const m = new VkTeamsHttpMessenger({ apiBase: real.apiBase, token: real.token });
      const a = await m.createChat({ title: '8А', idempotencyKey: 'school-9/class:8a' });
      const b = await m.createChat({ title: '8А', idempotencyKey: 'school-9/class:8a' });
      expect(a).not.toBe(b);
      expect(real.counters().chatsCreated).toBe(2);
    } finally {
      await real.stop();
    }
  });

  it('R-C5: 429 with Retry-After is honoured: the adapter waits at least that long, then succeeds', async () => {
    const m = client();
    const chat = await newChat(m);
    sim.script({ kind: '429', retryAfterSeconds: 1 });
    const started = performance.now();
    await m.addMembers(chat, ['u1', 'u2']);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(1_000);
    expect(waited).toBeLessThan(3_000);
    expect(m.stats()).toMatchObject({ rateLimited: 1, retries: 1 });
    expect(m.stats().waitedMs).toBeGreaterThanOrEqual(1_000);
    expect(await ids(m, chat)).toContain('u2');
  });

  it('R-C5: 5xx answers are retried with backoff until success', async () => {
    const m = client();
    const chat = await newChat(m);
    sim.script({ kind: '503' }, { kind: '500' }, { kind: '502' });
    const retries: number[] = [];
    const m2 = client({ onRetry: (r) => retries.push(r.attempt) });
    await m2.addMembers(chat, ['u1']);
    expect(retries).toEqual([1, 2, 3]);
    expect(m2.stats()).toMatchObject({ serverErrors: 3, retries: 3, calls: 4 });
    expect(await ids(m, chat)).toContain('u1');
  });

  it('R-C5: a server that never answers is timed out per request and retried to success', async () => {
    const m = client({ requestTimeoutMs: 200 });
    const chat = await newChat(m);
    sim.script({ kind: 'hang' }, { kind: 'hang' });
    const started = performance.now();
    await m.removeMembers(chat, ['nobody']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(400);
    expect(m.stats()).toMatchObject({ timeouts: 2, retries: 2 });
    expect(sim.counters().faults.hung).toBe(2);
  });

  it('R-C5: slow answers within the timeout are just slow', async () => {
    const m = client({ requestTimeoutMs: 500 });
    const chat = await newChat(m);
    sim.script({ kind: 'slow', delayMs: 150 });
    await m.addMembers(chat, ['u1']);
    expect(m.stats()).toMatchObject({ retries: 0, timeouts: 0 });
  });

  it('R-C5: a duplicated delivery is harmless: the change counts once', async () => {
    const m = client();
    const chat = await newChat(m);
    sim.resetCounters();
    sim.script({ kind: 'duplicate' }, { kind: 'duplicate' });
    await m.addMembers(chat, ['u1', 'u2']);
    await m.removeMembers(chat, ['u1']);
    expect(sim.counters()).toMatchObject({
      writeCalls: 2,
      writesApplied: 4,
      membersAdded: 2,
      membersRemoved: 1,
      effectiveChanges: 3,
    });
  });

  it('R-C5: when retries run out the error is typed: unavailable with the attempts made', async () => {
    const m = client({ retry: { baseDelayMs: 5, maxDelayMs: 10, maxAttempts: 3 } });
    const chat = await newChat(m);
    sim.setFaults({ serverErrorShare: 1 });
    const err = await failure(m.addMembers(chat, ['u1']));
    expect(err.detail).toEqual({ code: 'unavailable', cause: 'server-error' });
    expect(err.retryable).toBe(true);
    expect(err.progress).toMatchObject({
      method: 'members/add',
      chatId: chat,
      attempts: 3,
      appliedUserIds: 0,
    });
  });

  it('R-C5: a Retry-After longer than the adapter may wait comes back as rate-limited with the delay', async () => {
    const m = client({ retry: { maxRetryAfterMs: 5_000 } });
    const chat = await newChat(m);
    sim.script({ kind: '429', retryAfterSeconds: 120 });
    const started = performance.now();
    const err = await failure(m.addMembers(chat, ['u1']));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(err.detail).toEqual({ code: 'rate-limited', retryAfterMs: 120_000 });
  });

  it('R-C5: a failure mid-way through batches reports how many user ids were already applied', async () => {
    const m = client({ retry: { maxAttempts: 1 } });
    const chat = await newChat(m);
    const users = Array.from({ length: 50 }, (_, i) => `b${String(i).padStart(2, '0')}`);
    const before = sim.counters().byMethod['members/add'];
    // The first batch of 20 goes through (slowly), the second meets a 503 and retries are off.
    sim.script({ kind: 'slow', delayMs: 1 }, { kind: '503' });
    const err = await failure(m.addMembers(chat, users));
    expect(sim.counters().byMethod['members/add'] - before).toBe(2);
    expect(err.progress?.appliedUserIds).toBe(20);
    expect(await ids(m, chat)).toEqual([sim.botUserId, ...users.slice(0, 20)].sort());
  });

  it('R-C5: refusals are typed and not retried: bad token, unknown chat, too many members', async () => {
    const bad = client({ token: 'wrong' });
    expect((await failure(bad.createChat({ title: 'x', idempotencyKey: 'k' }))).detail).toEqual({
      code: 'forbidden',
    });
    const m = client();
    expect((await failure(m.addMembers('nope@chat.agent', ['u1']))).detail).toEqual({ code: 'not-found' });
    const chat = await newChat(m);
    const big = client({ maxBatchSize: 21 });
    const err = await failure(
      big.addMembers(
        chat,
        Array.from({ length: 21 }, (_, i) => `x${i}`),
      ),
    );
    expect(err.detail).toEqual({ code: 'bad-request' });
    expect(big.stats().retries).toBe(0);
  });

  it('R-C5: under a random mix of faults the final membership and the effective change count are exact', async () => {
    const m = client({ requestTimeoutMs: 150, retry: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 12 } });
    const chat = await newChat(m);
    sim.resetCounters();
    sim.setFaults({
      seed: 42,
      rateLimitShare: 0.1,
      retryAfterSeconds: 0,
      serverErrorShare: 0.1,
      hangShare: 0.05,
      lateShare: 0.05,
      lateMs: 300,
      slowShare: 0.1,
      slowMs: 20,
      duplicateShare: 0.1,
    });
    const users = Array.from({ length: 200 }, (_, i) => `m${String(i).padStart(3, '0')}`);
    await m.addMembers(chat, users);
    await m.addMembers(chat, users.slice(0, 50)); // a whole retried run: no effect
    await m.removeMembers(chat, users.slice(150));
    sim.setFaults({
      rateLimitShare: 0,
      serverErrorShare: 0,
      hangShare: 0,
      lateShare: 0,
      slowShare: 0,
      duplicateShare: 0,
    });
    expect(await ids(m, chat)).toEqual([sim.botUserId, ...users.slice(0, 150)].sort());
    const c = sim.counters();
    expect(c).toMatchObject({ membersAdded: 200, membersRemoved: 50, effectiveChanges: 250 });
    expect(m.stats().retries).toBeGreaterThan(0);
    expect(c.writeCalls).toBeGreaterThan(10 + 3 + 3);
  });

  it('R-C7: the admin door adds members by hand and switches faults at runtime', async () => {
    const m = client();
    const chat = await newChat(m);
    const hand = await fetch(`${sim.url}/admin/chats/${encodeURIComponent(chat)}/members`, {
      method: 'POST',
      body: JSON.stringify({ userIds: ['teacher-friend'] }),
    });
    expect(hand.status).toBe(200);
    expect(await ids(m, chat)).toContain('teacher-friend');
    expect(sim.counters()).toMatchObject({ handChanges: 1 });
    const put = await fetch(`${sim.url}/admin/faults`, {
      method: 'PUT',
      body: JSON.stringify({ serverErrorShare: 1 }),
    });
    expect(put.status).toBe(200);
    const err = await failure(client({ retry: { maxAttempts: 2, baseDelayMs: 1 } }).addMembers(chat, ['u1']));
    expect(err.code).toBe('unavailable');
    const state = (await (await fetch(`${sim.url}/admin/state`)).json()) as {
      faults: { serverErrors: number };
    };
    expect(state.faults.serverErrors).toBe(2);
  });
});
