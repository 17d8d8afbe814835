// In-memory chat platform state shared by the simulator (over HTTP) and the in-memory fake
// (direct calls), so both follow one set of semantics. Counts only EFFECTIVE changes: adding a
// present member or removing an absent one changes nothing and is not counted.

export type MemberRole = 'creator' | 'admin' | 'member';

export interface StoredChat {
  chatId: string;
  title: string;
  about: string;
  /** userId → role; the bot that created the chat is its creator. */
  members: Map<string, MemberRole>;
  /** Sorted member ids, rebuilt lazily after a change, so that paging a big chat is not quadratic. */
  sorted?: string[];
}

export type ChangeSource = 'api' | 'hand';

export interface ChangeEntry {
  seq: number;
  op: 'create' | 'add' | 'remove';
  chatId: string;
  userId?: string;
  source: ChangeSource;
}

export interface StoreCounters {
  chatsCreated: number;
  membersAdded: number;
  membersRemoved: number;
  /** API changes only (what the hub caused): chats created + members added + members removed. */
  effectiveChanges: number;
  /** Changes made "by hand" through the admin door (R-C7 tests). */
  handChanges: number;
}

const zeroCounters = (): StoreCounters => ({
  chatsCreated: 0,
  membersAdded: 0,
  membersRemoved: 0,
  effectiveChanges: 0,
  handChanges: 0,
});

export class ChatNotFound extends Error {
  constructor(readonly chatId: string) {
    super(`Chat not found: ${chatId}`);
  }
}

export class MessengerStore {
  readonly chats = new Map<string, StoredChat>();
  private readonly byKey = new Map<string, string>();
  private readonly log: ChangeEntry[] = [];
  private seq = 0;
  private totals = zeroCounters();
  private nextChat = 1;

  constructor(
    readonly botUserId = 'hub-bot',
    private readonly logLimit = 100_000,
    /** The platform's chat id for the n-th chat (VK Teams style by default; the VK API uses plain numbers). */
    private readonly formatChatId: (n: number) => string = (n) => `${String(n).padStart(6, '0')}@chat.agent`,
  ) {}

  createChat(
    title: string,
    about: string,
    idempotencyKey: string | undefined,
    /** Who creates it (and owns it); the bot unless a platform lets other accounts create chats. */
    creator: string = this.botUserId,
  ): { chatId: string; created: boolean } {
    if (idempotencyKey) {
      const existing = this.byKey.get(idempotencyKey);
      if (existing) return { chatId: existing, created: false };
    }
    const chatId = this.formatChatId(this.nextChat++);
    this.chats.set(chatId, { chatId, title, about, members: new Map([[creator, 'creator']]) });
    if (idempotencyKey) this.byKey.set(idempotencyKey, chatId);
    this.record('create', chatId, undefined, 'api');
    return { chatId, created: true };
  }

  /** The chat deleted in the messenger app (by hand): it is gone, its id answers "not found". */
  deleteChat(chatId: string): void {
    this.chat(chatId);
    this.chats.delete(chatId);
    for (const [key, id] of this.byKey) if (id === chatId) this.byKey.delete(key);
  }

  /** A role changed by hand in the messenger (e.g. someone took the bot's admin rights away). */
  setRole(chatId: string, userId: string, role: MemberRole): void {
    const chat = this.chat(chatId);
    if (!chat.members.has(userId)) throw new Error(`${userId} is not in ${chatId}`);
    chat.members.set(userId, role);
  }

  /** Whether the bot (or the given account) may still change the chat's members (creator or admin). */
  botCanManage(chatId: string, actor: string = this.botUserId): boolean {
    const role = this.chat(chatId).members.get(actor);
    return role === 'creator' || role === 'admin';
  }

  /** Returns how many were effectively added. */
  add(chatId: string, userIds: readonly string[], source: ChangeSource = 'api'): number {
    const chat = this.chat(chatId);
    let n = 0;
    for (const u of userIds) {
      if (chat.members.has(u)) continue;
      chat.members.set(u, 'member');
      chat.sorted = undefined;
      this.record('add', chatId, u, source);
      n++;
    }
    return n;
  }

  /** Returns how many were effectively removed. The creator cannot be removed. */
  remove(chatId: string, userIds: readonly string[], source: ChangeSource = 'api'): number {
    const chat = this.chat(chatId);
    let n = 0;
    for (const u of userIds) {
      const role = chat.members.get(u);
      if (role === undefined || role === 'creator') continue;
      chat.members.delete(u);
      chat.sorted = undefined;
      this.record('remove', chatId, u, source);
      n++;
    }
    return n;
  }

  /** Members sorted by user id, from just after `after` (keyset paging: stable while members change). */
  page(
    chatId: string,
    after: string | undefined,
    size: number,
  ): { members: { userId: string; role: MemberRole }[]; more: boolean } {
    const chat = this.chat(chatId);
    const ids = (chat.sorted ??= [...chat.members.keys()].sort());
    let lo = 0;
    if (after !== undefined) {
      let hi = ids.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ids[mid]! <= after) lo = mid + 1;
        else hi = mid;
      }
    }
    const slice = ids.slice(lo, lo + size);
    return {
      members: slice.map((userId) => ({ userId, role: chat.members.get(userId)! })),
      more: lo + size < ids.length,
    };
  }

  memberIds(chatId: string): string[] {
    return [...this.chat(chatId).members.keys()].sort();
  }

  chat(chatId: string): StoredChat {
    const c = this.chats.get(chatId);
    if (!c) throw new ChatNotFound(chatId);
    return c;
  }

  counters(): StoreCounters {
    return { ...this.totals };
  }

  /** Start counting afresh; chats and members stay. */
  clearLog(): void {
    this.log.length = 0;
    this.totals = zeroCounters();
  }

  /** The last changes (at most the log limit), oldest first. */
  changes(): readonly ChangeEntry[] {
    return this.log.length > this.logLimit ? this.log.slice(-this.logLimit) : this.log;
  }

  private record(
    op: ChangeEntry['op'],
    chatId: string,
    userId: string | undefined,
    source: ChangeSource,
  ): void {
    this.log.push({ seq: ++this.seq, op, chatId, userId, source });
    if (source === 'hand') this.totals.handChanges++;
    else {
      this.totals.effectiveChanges++;
      if (op === 'create') this.totals.chatsCreated++;
      else if (op === 'add') this.totals.membersAdded++;
      else this.totals.membersRemoved++;
    }
    // A long load test must not grow the log without bound; the counters stay exact regardless.
    // Trimmed in halves, not per entry: cutting one entry off the front of a 100k array on every
    // change made the simulator quadratic (most of its CPU in a 1M-membership first sync).
    if (this.log.length >= 2 * this.logLimit) this.log.splice(0, this.log.length - this.logLimit);
  }
}
