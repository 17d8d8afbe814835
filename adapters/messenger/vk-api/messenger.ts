// The Messenger port over the VK API `messages.*` methods (Сферум chats are VK Messenger chats).
// README.md here has the method table. Chat ids are VK's chat_id as text; user ids are VK user ids as
// text; the community itself appears in its chats as member -<group_id>.
//
// With a community token (`group`) messages.addChatUser is not available (schema: user tokens only):
// adding a person means handing them the chat's invite link, so an add ends as `invited`. With a user
// token (a school admin's VK ID token with access to messages) people are added directly.
import { MessengerError, toBatches, type AddMode, type BatchOutcome, type CreateChatRequest, type InvitedMember, type Messenger, type MessengerCallStats, type MessengerMember, type RefusedMember } from '../port.js';
import { EXECUTE_MAX_CALLS, VkApiClient, VkApiError, type ExecuteCall, type VkApiClientOptions } from './client.js';
import { CallCoalescer } from './coalescer.js';
import { CHAT_PEER_OFFSET, VK_ERRORS, type VkMethod } from './schema.js';

export interface VkApiMessengerOptions extends VkApiClientOptions {
  /** The community's id; required with a community token (createChat and listings name it). */
  groupId?: number;
  /** Members per getConversationMembers page (schema: 1..1000). */
  pageSize?: number;
}

interface WireMember {
  member_id: number;
  is_owner?: boolean;
  is_admin?: boolean;
}

interface MembersPage {
  items: WireMember[];
  count: number;
}

const roleOf = (m: WireMember): MessengerMember['role'] => (m.is_owner ? 'creator' : m.is_admin ? 'admin' : 'member');

export class VkApiMessenger implements Messenger {
  /** Calls per `execute`: adds and removes go one person per call, 25 to a request. */
  readonly maxBatchSize = EXECUTE_MAX_CALLS;
  readonly addMode: AddMode;
  /** How the hub's account appears in member listings. */
  readonly botUserId: string | undefined;
  private readonly client: VkApiClient;
  private readonly pageSize: number;
  /** First pages of listings asked for at about the same time go to VK together (one execute). */
  private readonly firstPages: CallCoalescer;

  constructor(private readonly opts: VkApiMessengerOptions) {
    if (opts.tokenType === 'group' && !(Number.isInteger(opts.groupId) && opts.groupId! > 0))
      throw new Error('VK_GROUP_ID is required with a community token (VK_TOKEN_TYPE=group)');
    this.client = new VkApiClient(opts);
    this.addMode = opts.tokenType === 'group' ? 'invite-link' : 'direct';
    this.botUserId = opts.tokenType === 'group' ? String(-opts.groupId!) : undefined;
    this.pageSize = Math.min(1000, Math.max(1, opts.pageSize ?? 200));
    this.firstPages = new CallCoalescer(this.client, 'messages.getConversationMembers');
  }

  stats(): MessengerCallStats {
    return this.client.stats();
  }

  resetStats(): void {
    this.client.resetStats();
  }

  private get groupParam(): { group_id?: number } {
    return this.opts.tokenType === 'group' ? { group_id: this.opts.groupId! } : {};
  }

  async createChat(req: CreateChatRequest): Promise<string> {
    if (!req.title.trim()) throw new MessengerError({ code: 'bad-request' }, 'title is required');
    // The VK API has no idempotency key: a create that may have reached VK is not sent again here; the
    // hub's own marker (managed_chats.create_requested_at) accounts for it (../README.md).
    const response = await this.guard('messages.createChat', undefined, () =>
      this.client.call('messages.createChat', { title: req.title, ...this.groupParam }, { retryMayHaveApplied: false }),
    );
    const chatId = (response as { chat_id?: unknown } | null)?.chat_id;
    if (typeof chatId !== 'number')
      throw new MessengerError({ code: 'unavailable', cause: 'server-error' }, 'messages.createChat answered without chat_id');
    return String(chatId);
  }

  async renameChat(chatId: string, title: string): Promise<void> {
    const chat = this.chatNumber(chatId);
    await this.guard('messages.editChat', chatId, () => this.client.call('messages.editChat', { chat_id: chat, title }));
  }

  /**
   * Offset/count pages. The first page says how many members there are; the rest are fetched up to 25
   * pages per `execute`. Offsets shift when someone joins or leaves mid-listing, so ids seen twice are
   * dropped; one missed this run is seen the next.
   */
  async *listMembers(chatId: string): AsyncIterable<MessengerMember[]> {
    const peer = CHAT_PEER_OFFSET + this.chatNumber(chatId);
    const seen = new Set<number>();
    const fresh = (items: WireMember[]) =>
      items.filter((m) => !seen.has(m.member_id) && seen.add(m.member_id)).map((m) => ({ userId: String(m.member_id), role: roleOf(m) }));
    const pageParams = (offset: number) => ({ peer_id: peer, offset, count: this.pageSize, ...this.groupParam });
    const first = (await this.guard('messages.getConversationMembers', chatId, () => this.firstPages.get(pageParams(0)))) as MembersPage;
    yield fresh(first.items ?? []);
    const offsets: number[] = [];
    for (let o = this.pageSize; o < (first.count ?? 0); o += this.pageSize) offsets.push(o);
    for (let i = 0; i < offsets.length; i += EXECUTE_MAX_CALLS) {
      const calls: ExecuteCall[] = offsets
        .slice(i, i + EXECUTE_MAX_CALLS)
        .map((o) => ({ method: 'messages.getConversationMembers', params: pageParams(o) }));
      const results = await this.guard('execute', chatId, () => this.client.execute(calls));
      for (const r of results) {
        if (!r.ok) throw await this.chatFailure(r.error, chatId);
        const page = fresh((r.response as MembersPage).items ?? []);
        if (page.length > 0) yield page;
      }
    }
  }

  async addMembers(chatId: string, userIds: readonly string[]): Promise<BatchOutcome> {
    return this.addMode === 'direct' ? this.addDirectly(chatId, userIds) : this.invite(chatId, userIds);
  }

  async removeMembers(chatId: string, userIds: readonly string[]): Promise<BatchOutcome> {
    const chat = this.chatNumber(chatId);
    return this.perPerson(chatId, userIds, 'messages.removeChatUser', (u) => ({ chat_id: chat, user_id: u }), {
      // Already out of the chat: the removal has nothing to do.
      done: new Set([VK_ERRORS.userNotInChat]),
    });
  }

  private addDirectly(chatId: string, userIds: readonly string[]): Promise<BatchOutcome> {
    const chat = this.chatNumber(chatId);
    return this.perPerson(chatId, userIds, 'messages.addChatUser', (u) => ({ chat_id: chat, user_id: u }), {
      done: new Set(),
    });
  }

  /**
   * Community token: the people not in the chat yet get its invite link (one request for the link,
   * plus the listing that tells who is in already). They count as added only once a listing shows them.
   */
  private async invite(chatId: string, userIds: readonly string[]): Promise<BatchOutcome> {
    const unique = [...new Set(userIds)];
    const before = this.client.stats().calls;
    const present = new Set<string>();
    for await (const page of this.listMembers(chatId)) for (const m of page) present.add(m.userId);
    const invited: InvitedMember[] = [];
    const absent = unique.filter((u) => !present.has(u));
    if (absent.length > 0) {
      const peer = CHAT_PEER_OFFSET + this.chatNumber(chatId);
      const link = (await this.guard('messages.getInviteLink', chatId, () =>
        this.client.call('messages.getInviteLink', { peer_id: peer, ...this.groupParam }),
      )) as { link?: unknown };
      if (typeof link?.link !== 'string' || link.link === '')
        throw new MessengerError({ code: 'unavailable', cause: 'server-error' }, 'messages.getInviteLink answered without a link');
      for (const userId of absent) invited.push({ userId, inviteLink: link.link });
    }
    return { userIds: unique.length, batches: this.client.stats().calls - before, invited, refused: [] };
  }

  /** One call per person, 25 to an `execute`; per-person refusals are reported, chat-level ones thrown. */
  private async perPerson(
    chatId: string,
    userIds: readonly string[],
    method: VkMethod,
    params: (userId: number) => Record<string, number>,
    { done }: { done: ReadonlySet<number> },
  ): Promise<BatchOutcome> {
    const refused: RefusedMember[] = [];
    const batches = toBatches(userIds, this.maxBatchSize);
    let applied = 0;
    for (const batch of batches) {
      const valid = batch.filter((u) => /^\d+$/.test(u));
      for (const u of batch)
        if (!/^\d+$/.test(u)) refused.push({ userId: u, code: 'invalid-id', reason: 'идентификатор пользователя ВКонтакте — число' });
      const results = await this.guard(method, chatId, () =>
        this.client.execute(valid.map((u) => ({ method, params: params(Number(u)) }))),
        applied,
      );
      for (const [k, r] of results.entries()) {
        if (r.ok || done.has(r.error.code)) continue;
        if (r.error.meaning.kind === 'person') {
          refused.push({ userId: valid[k]!, code: String(r.error.code), reason: r.error.meaning.ru });
          continue;
        }
        const failure = await this.chatFailure(r.error, chatId);
        throw new MessengerError(failure.detail, failure.message, { method, chatId, attempts: 1, appliedUserIds: applied }, failure.platform);
      }
      applied += batch.length;
    }
    return { userIds: applied, batches: batches.length, invited: [], refused };
  }

  /** Runs one request; a VK refusal becomes the port's error (chat-level, or the whole connection). */
  private async guard<T>(method: string, chatId: string | undefined, work: () => Promise<T>, applied?: number): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof VkApiError) {
        const failure = await this.chatFailure(e, chatId);
        throw new MessengerError(failure.detail, failure.message, { method, chatId, attempts: 1, appliedUserIds: applied }, failure.platform);
      }
      if (e instanceof MessengerError && applied !== undefined)
        throw new MessengerError(e.detail, e.message, { ...(e.progress ?? { method, attempts: 1 }), chatId, appliedUserIds: applied }, e.platform);
      throw e;
    }
  }

  /**
   * The port's error for a VK refusal. "Not admin" (925) is also what a write to a chat that no longer
   * exists can meet (the schema lists no "chat does not exist" for writes), so one listing tells them
   * apart: 927 there means the chat is gone.
   */
  private async chatFailure(e: VkApiError, chatId: string | undefined): Promise<MessengerError> {
    const platform = { code: e.code, message: e.body.error_msg ?? '' };
    const m = e.meaning;
    if (m.kind === 'transient') return new MessengerError(m.detail, e.message, undefined, platform);
    if (m.kind === 'connection') return new MessengerError({ code: 'auth-failed' }, m.ru, undefined, platform);
    if (m.kind === 'person') return new MessengerError({ code: 'bad-request' }, `${e.method}: ${m.ru}`, undefined, platform);
    if (e.code === VK_ERRORS.chatNotAdmin && chatId !== undefined && e.method !== 'messages.getConversationMembers') {
      try {
        await this.client.call('messages.getConversationMembers', {
          peer_id: CHAT_PEER_OFFSET + this.chatNumber(chatId),
          count: 1,
          ...this.groupParam,
        });
      } catch (probe) {
        if (probe instanceof VkApiError && probe.code === VK_ERRORS.chatNotExist)
          return new MessengerError({ code: 'not-found' }, `беседа ${chatId} не существует`, undefined, { code: probe.code, message: probe.body.error_msg ?? '' });
      }
    }
    return new MessengerError(m.detail, `${e.method}: ${m.ru} (код ВКонтакте ${e.code})`, undefined, platform);
  }

  private chatNumber(chatId: string): number {
    const n = /^\d+$/.test(chatId) ? Number(chatId) : NaN;
    if (!Number.isSafeInteger(n)) throw new MessengerError({ code: 'not-found' }, `not a VK chat id: ${chatId}`);
    return n;
  }
}
