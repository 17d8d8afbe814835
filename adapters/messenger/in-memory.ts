// The Messenger port over an in-process store: for workflow tests and the conformance suite.
import type { BatchOutcome, CreateChatRequest, Messenger, MessengerMember } from './port.js';
import { MessengerError, toBatches } from './port.js';
import { ChatNotFound, MessengerStore } from './store.js';

export class InMemoryMessenger implements Messenger {
  constructor(
    readonly store = new MessengerStore(),
    readonly maxBatchSize = 100,
    private readonly pageSize = 50,
  ) {}

  async createChat(req: CreateChatRequest): Promise<string> {
    if (!req.title.trim()) throw new MessengerError({ code: 'bad-request' }, 'title is required');
    return this.store.createChat(req.title, req.about ?? '', req.idempotencyKey).chatId;
  }

  async *listMembers(chatId: string): AsyncIterable<MessengerMember[]> {
    let after: string | undefined;
    for (;;) {
      const { members, more } = this.guard(chatId, () => this.store.page(chatId, after, this.pageSize));
      if (members.length > 0 || after === undefined) yield members;
      if (!more || members.length === 0) return;
      after = members[members.length - 1]!.userId;
    }
  }

  async addMembers(chatId: string, userIds: readonly string[]): Promise<BatchOutcome> {
    return this.batched(chatId, userIds, (b) => this.store.add(chatId, b));
  }

  async removeMembers(chatId: string, userIds: readonly string[]): Promise<BatchOutcome> {
    return this.batched(chatId, userIds, (b) => this.store.remove(chatId, b));
  }

  async renameChat(chatId: string, title: string): Promise<void> {
    this.guard(chatId, () => {
      if (!this.store.botCanManage(chatId))
        throw new MessengerError({ code: 'forbidden' }, `the bot is not an admin of ${chatId}`);
      this.store.chat(chatId).title = title;
    });
  }

  private batched(chatId: string, userIds: readonly string[], apply: (b: string[]) => void): BatchOutcome {
    const batches = toBatches(userIds, this.maxBatchSize);
    for (const b of batches)
      this.guard(chatId, () => {
        if (!this.store.botCanManage(chatId))
          throw new MessengerError({ code: 'forbidden' }, `the bot is not an admin of ${chatId}`);
        apply(b);
      });
    return {
      userIds: batches.reduce((n, b) => n + b.length, 0),
      batches: batches.length,
      invited: [],
      refused: [],
    };
  }

  private guard<T>(chatId: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof ChatNotFound)
        throw new MessengerError({ code: 'not-found' }, `chat not found: ${chatId}`);
      throw e;
    }
  }
}
