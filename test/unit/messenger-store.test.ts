// The messenger simulator's store (test infrastructure the benchmarks lean on): its change log is
// bounded, keeps the newest changes, and its counters stay exact past the bound.
import { describe, expect, it } from 'vitest';
import { MessengerStore } from '../../adapters/messenger/store.js';

describe('messenger simulator store', () => {
  it('keeps the last changes up to its limit while the counters count every change', () => {
    const store = new MessengerStore('bot', 10);
    const { chatId } = store.createChat('1А', '', undefined);
    const users = Array.from({ length: 35 }, (_, i) => `u${String(i).padStart(2, '0')}`);
    for (const u of users) store.add(chatId, [u]);
    const log = store.changes();
    expect(log).toHaveLength(10);
    expect(log.map((c) => c.userId)).toEqual(users.slice(-10));
    expect(store.counters()).toMatchObject({ chatsCreated: 1, membersAdded: 35, effectiveChanges: 36 });
    expect(store.memberIds(chatId)).toHaveLength(36); // the bot and 35 users
  });
});
