// The chat platform behind one port (dust-tt connectors' interface.ts style: one abstract surface,
// a small closed union of error codes). The reconciler depends on this, never on an HTTP shape.
//
// Contract every implementation keeps (test/conformance/messenger.conformance.ts proves it):
// - createChat with an idempotency key already used returns the chat made the first time, where the
//   platform honours keys (the fake and the simulator do; the real VK Teams Bot API has none, so the
//   hub does not rely on it: activities/messenger-chats.ts, README "Idempotency of createChat");
// - addMembers of a present member and removeMembers of an absent one are no-ops, so a retried
//   batch is harmless;
// - long lists are split into batches of at most `maxBatchSize` user ids per call;
// - failures are thrown as MessengerError with one of the codes below.
// We throw rather than return a Result (as dust does) because Temporal retries hinge on thrown
// failures and an async iterable cannot return one.

export type MessengerErrorDetail =
  /** Slow down: try again after `retryAfterMs` (from Retry-After). Retryable. */
  | { code: 'rate-limited'; retryAfterMs: number }
  /** 5xx, timeout or network failure after the adapter's own retries. Retryable later. */
  | { code: 'unavailable'; cause: 'server-error' | 'timeout' | 'network' }
  /** The chat does not exist (deleted by hand, wrong id). Not retryable. */
  | { code: 'not-found' }
  /** The bot is no longer admin of the chat, or the chat refuses changes. Not retryable: a human must act. */
  | { code: 'forbidden' }
  /**
   * The token itself is refused (expired, revoked, wrong kind): every chat of the connection fails
   * alike, so the run stops as a whole instead of failing chat after chat. Not retryable.
   */
  | { code: 'auth-failed' }
  /** The request itself is wrong (too many members, missing field). Not retryable. */
  | { code: 'bad-request' };

export type MessengerErrorCode = MessengerErrorDetail['code'];

export const RETRYABLE_CODES: ReadonlySet<MessengerErrorCode> = new Set(['rate-limited', 'unavailable']);

export class MessengerError extends Error {
  override readonly name = 'MessengerError';
  constructor(
    readonly detail: MessengerErrorDetail,
    message: string,
    /** How far a batched call got before failing: the caller may retry the whole call safely. */
    readonly progress?: { method: string; chatId?: string; attempts: number; appliedUserIds?: number },
    /** The platform's own code and text (VK API `error_code`/`error_msg`), for the run report. */
    readonly platform?: { code: number; message: string },
  ) {
    super(message);
  }
  get code(): MessengerErrorCode {
    return this.detail.code;
  }
  get retryable(): boolean {
    return RETRYABLE_CODES.has(this.detail.code);
  }
}

export const isMessengerError = (e: unknown): e is MessengerError => e instanceof MessengerError;

export interface CreateChatRequest {
  title: string;
  about?: string;
  /**
   * Same key, same chat where the platform honours it: the hub passes its stable chat key (plus
   * connection and school), e.g. `<connection>/school-1/class:c1a`.
   */
  idempotencyKey: string;
}

export interface MessengerMember {
  userId: string;
  role: 'creator' | 'admin' | 'member';
}

/**
 * A person the platform would not let the hub add directly: the hub holds a link the person must
 * follow (VK API with a community token, adapters/messenger/vk-api/README.md).
 */
export interface InvitedMember {
  userId: string;
  inviteLink: string;
}

/** A person the platform refused (privacy settings, unknown user…): the platform's code and a sentence. */
export interface RefusedMember {
  userId: string;
  /** The platform's error code (VK `error_code`), as text so that every platform fits. */
  code: string;
  /** Russian sentence for the run report. */
  reason: string;
}

export interface BatchOutcome {
  /** User ids sent (after de-duplication). */
  userIds: number;
  /** Requests made to the platform for the change. */
  batches: number;
  /**
   * An add ends, per person, as added, invited or refused: those listed here were invited or refused,
   * every other id sent was added (or, for a removal, is out of the chat).
   */
  invited: InvitedMember[];
  refused: RefusedMember[];
}

/** How the platform lets the hub add people: directly, or only by handing them the chat's invite link. */
export type AddMode = 'direct' | 'invite-link';

export interface Messenger {
  readonly maxBatchSize: number;
  /** Absent means 'direct'. */
  readonly addMode?: AddMode;
  createChat(req: CreateChatRequest): Promise<string>;
  /** Pages as the platform's cursor gives them; a page is never empty unless the chat is. */
  listMembers(chatId: string): AsyncIterable<MessengerMember[]>;
  addMembers(chatId: string, userIds: readonly string[]): Promise<BatchOutcome>;
  removeMembers(chatId: string, userIds: readonly string[]): Promise<BatchOutcome>;
  /** The chat's title changed in the journal. Optional: a platform without it keeps the old title. */
  renameChat?(chatId: string, title: string): Promise<void>;
}

/** Counters a run report shows next to its adds and removes. */
export interface MessengerCallStats {
  calls: number;
  retries: number;
  rateLimited: number;
  timeouts: number;
  serverErrors: number;
  networkErrors: number;
  waitedMs: number;
}

export const emptyStats = (): MessengerCallStats => ({
  calls: 0,
  retries: 0,
  rateLimited: 0,
  timeouts: 0,
  serverErrors: 0,
  networkErrors: 0,
  waitedMs: 0,
});

/** Split after de-duplicating; order is kept so that batches are reproducible. */
export function toBatches(userIds: readonly string[], size: number): string[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`batch size must be a positive integer: ${size}`);
  const unique = [...new Set(userIds)];
  const out: string[][] = [];
  for (let i = 0; i < unique.length; i += size) out.push(unique.slice(i, i + size));
  return out;
}

export async function collectMembers(m: Messenger, chatId: string): Promise<MessengerMember[]> {
  const all: MessengerMember[] = [];
  for await (const page of m.listMembers(chatId)) all.push(...page);
  return all;
}
