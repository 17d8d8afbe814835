// The Messenger port's contract, run against every implementation (in-memory fake, HTTP adapter
// over the simulator). A future real-platform adapter can be pointed at a sandbox with this too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectMembers, MessengerError, type Messenger } from '../../adapters/messenger/port.js';

export interface MessengerUnderTest {
  messenger: Messenger;
  botUserId: string;
  /** A person adds members in the messenger app, not via the hub. */
  addByHand(chatId: string, userIds: string[]): void;
  /** Someone takes the bot's admin rights away in the messenger app. */
  demoteBot(chatId: string): void;
  /** Effective changes the platform saw (API only). */
  effectiveChanges(): number;
  teardown(): Promise<void>;
}

const memberIds = async (m: Messenger, chatId: string) =>
  (await collectMembers(m, chatId)).map((x) => x.userId).sort();

export function messengerConformance(name: string, setup: () => Promise<MessengerUnderTest>): void {
  describe(`Messenger port contract: ${name}`, () => {
    let t: MessengerUnderTest;
    beforeAll(async () => {
      t = await setup();
    });
    afterAll(async () => {
      await t.teardown();
    });

    it('R-C1: createChat with the same idempotency key returns the same chat', async () => {
      const a = await t.messenger.createChat({ title: '1А', idempotencyKey: `${name}/class:c1a` });
      const b = await t.messenger.createChat({ title: '1А', idempotencyKey: `${name}/class:c1a` });
      const c = await t.messenger.createChat({ title: '1Б', idempotencyKey: `${name}/class:c1b` });
      expect(b).toBe(a);
      expect(c).not.toBe(a);
      expect(await memberIds(t.messenger, a)).toEqual([t.botUserId]);
    });

    it('R-C5: adds and removes are idempotent and change only what differs', async () => {
      const chat = await t.messenger.createChat({ title: '2А', idempotencyKey: `${name}/class:c2a` });
      const before = t.effectiveChanges();
      await t.messenger.addMembers(chat, ['u1', 'u2', 'u2']);
      await t.messenger.addMembers(chat, ['u1', 'u2', 'u3']);
      expect(t.effectiveChanges() - before).toBe(3);
      await t.messenger.removeMembers(chat, ['u2', 'nobody']);
      await t.messenger.removeMembers(chat, ['u2']);
      expect(t.effectiveChanges() - before).toBe(4);
      expect(await memberIds(t.messenger, chat)).toEqual([t.botUserId, 'u1', 'u3'].sort());
    });

    it('R-C5: long lists go in batches of at most maxBatchSize and list back complete across cursor pages', async () => {
      const chat = await t.messenger.createChat({ title: '3А', idempotencyKey: `${name}/class:c3a` });
      const ids = Array.from(
        { length: t.messenger.maxBatchSize * 2 + 7 },
        (_, i) => `s${String(i).padStart(4, '0')}`,
      );
      const out = await t.messenger.addMembers(chat, ids);
      expect(out).toEqual({ userIds: ids.length, batches: 3 });
      const pages: number[] = [];
      for await (const page of t.messenger.listMembers(chat)) pages.push(page.length);
      expect(pages.length).toBeGreaterThan(1);
      expect(pages.reduce((a, b) => a + b, 0)).toBe(ids.length + 1);
      expect(await memberIds(t.messenger, chat)).toEqual([...ids, t.botUserId].sort());
    });

    it('R-C7: members added by hand are listed like any other; the creator is marked', async () => {
      const chat = await t.messenger.createChat({ title: '4А', idempotencyKey: `${name}/class:c4a` });
      t.addByHand(chat, ['hand-1']);
      const members = await collectMembers(t.messenger, chat);
      expect(members).toContainEqual({ userId: 'hand-1', role: 'member' });
      expect(members).toContainEqual({ userId: t.botUserId, role: 'creator' });
    });

    it('R-C7: a chat where the bot lost its admin rights refuses member changes as forbidden, not retryable; it still lists', async () => {
      const chat = await t.messenger.createChat({ title: '5А', idempotencyKey: `${name}/class:c5a` });
      await t.messenger.addMembers(chat, ['u1']);
      t.demoteBot(chat);
      for (const call of [() => t.messenger.addMembers(chat, ['u2']), () => t.messenger.removeMembers(chat, ['u1'])]) {
        const err = await call().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(MessengerError);
        expect((err as MessengerError).detail).toEqual({ code: 'forbidden' });
        expect((err as MessengerError).retryable).toBe(false);
      }
      expect(await memberIds(t.messenger, chat)).toEqual([t.botUserId, 'u1'].sort());
    });

    it('R-C5: an unknown chat is a not-found error, not retryable', async () => {
      const err = await t.messenger.addMembers('no-such-chat', ['u1']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MessengerError);
      expect((err as MessengerError).detail).toEqual({ code: 'not-found' });
      expect((err as MessengerError).retryable).toBe(false);
    });
  });
}
