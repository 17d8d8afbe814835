// Stand-ins for processes (and tests of other journeys) that reconcile nothing: they fail clearly,
// and for good (non-retryable), if a roster activity ever reaches them.
import { MessengerError, type Messenger } from '../adapters/messenger/port.js';
import type { JournalFactory } from './journal-factory.js';

const refuse = (): never => {
  throw new MessengerError({ code: 'forbidden' }, 'no messenger configured in this process (MESSENGER_API_BASE, MESSENGER_TOKEN)');
};

export const unwiredMessenger: Messenger = {
  maxBatchSize: 100,
  createChat: async () => refuse(),
  listMembers: () => ({ [Symbol.asyncIterator]: () => ({ next: async () => refuse() }) }),
  addMembers: async () => refuse(),
  removeMembers: async () => refuse(),
};

export const unwiredJournals: JournalFactory = () => Promise.reject(new Error('no journal sources configured in this process'));
