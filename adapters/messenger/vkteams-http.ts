// The Messenger port over HTTP, modelled on the VK Teams Bot API chat methods (README.md here).
// Honours 429 + Retry-After, retries 5xx / timeouts / network errors with bounded backoff, gives
// every request its own timeout, counts what it did (MessengerCallStats, and failed requests in the
// process's hub_messenger_errors_total) and maps failures to the port's error union.
// createChat is the one write that is not idempotent on the real platform: unless `idempotentCreate`
// says the platform honours our key, it is not sent again once a request may have reached it.
import { httpRequest, HttpNetworkError, HttpTimeoutError, type HttpResponse } from '../../infra/http-client.js';
import type {
  BatchOutcome,
  CreateChatRequest,
  Messenger,
  MessengerCallStats,
  MessengerErrorDetail,
  MessengerMember,
} from './port.js';
import { messengerErrors } from '../../infra/metrics.js';
import { emptyStats, MessengerError, toBatches } from './port.js';
import { recordMessengerCall } from './call-stats.js';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, withRetry, type RetryPolicy } from './retry.js';

export interface VkTeamsHttpOptions {
  /** e.g. https://api.example.ru/bot/v1 (the simulator's `apiBase`). */
  apiBase: string;
  token: string;
  maxBatchSize?: number;
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** For tests: a deterministic jitter source or a fake clock. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: { method: string; attempt: number; delayMs: number; code: string }) => void;
  /**
   * The platform honours createChat's `idempotencyKey` (our extension: the simulator does, the real
   * VK Teams Bot API has no such parameter). Only then is a createChat that may have reached the
   * platform (timeout, 5xx, network error after sending) retried here; otherwise it fails at once as
   * `unavailable` and the hub's own marker (managed_chats.create_requested_at) tells whether a retry
   * may have made a second chat. A 429, or a connection never made, is retried either way.
   * Default false (MESSENGER_IDEMPOTENT_CREATE).
   */
  idempotentCreate?: boolean;
}

interface WireMember {
  userId: string;
  creator?: boolean;
  admin?: boolean;
}

/** One failed attempt, before retry decisions. */
class AttemptError extends Error {
  constructor(
    readonly detail: MessengerErrorDetail,
    message: string,
    /** The request may have reached the platform and been applied although no good answer came back. */
    readonly mayHaveApplied = false,
  ) {
    super(message);
  }
}

// The API answers most refusals as HTTP 200 with {ok:false, description}; the text is all we get.
function detailFromDescription(description: string): MessengerErrorDetail {
  const d = description.toLowerCase();
  if (/not found|no such chat|unknown chat/.test(d)) return { code: 'not-found' };
  if (/token|permission|forbidden|not allowed|not an admin|access denied/.test(d))
    return { code: 'forbidden' };
  if (/rate limit|too many requests/.test(d)) return { code: 'rate-limited', retryAfterMs: 1_000 };
  return { code: 'bad-request' };
}

/**
 * The next-page cursor as the platform sent it: public clients type it as a string (bot-python) or a
 * number (the Rust crate). A numeric cursor read as "no cursor" stopped listings after page one, so a
 * big chat's extra members were never seen, nor removed (issue 13 item 3). 0 and '' mean "no more".
 */
export function cursorOf(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw === '' ? undefined : raw;
  if (typeof raw === 'number' && Number.isFinite(raw) && raw !== 0) return String(raw);
  return undefined;
}

export class VkTeamsHttpMessenger implements Messenger {
  readonly maxBatchSize: number;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private counters: MessengerCallStats = emptyStats();

  constructor(private readonly opts: VkTeamsHttpOptions) {
    this.maxBatchSize = opts.maxBatchSize ?? 100;
    this.timeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
  }

  private count(change: (s: MessengerCallStats) => void): void {
    recordMessengerCall(this.counters, change);
  }

  stats(): MessengerCallStats {
    return { ...this.counters };
  }

  resetStats(): void {
    this.counters = emptyStats();
  }

  async createChat(req: CreateChatRequest): Promise<string> {
    // `idempotencyKey` is our extension (README.md): where the platform honours it a create retried
    // after a lost answer returns the first chat. Where it does not (the real Bot API), an ambiguous
    // failure is not retried here (idempotentCreate false): it is thrown as `unavailable`.
    // The key is sent either way: harmless where the platform ignores it.
    const body = await this.call(
      'createChat',
      {
        name: req.title,
        about: req.about ?? '',
        members: '[]',
        idempotencyKey: req.idempotencyKey,
      },
      undefined,
      { retryMayHaveApplied: this.opts.idempotentCreate ?? false },
    );
    if (typeof body.sn !== 'string' || body.sn === '') {
      throw new MessengerError(
        { code: 'unavailable', cause: 'server-error' },
        'createChat answered without a chat id',
      );
    }
    return body.sn;
  }

  async *listMembers(chatId: string): AsyncIterable<MessengerMember[]> {
    let cursor: string | undefined;
    const seen = new Set<string>();
    for (;;) {
      const body = await this.call('getMembers', cursor ? { chatId, cursor } : { chatId }, chatId);
      const wire = Array.isArray(body.members) ? (body.members as WireMember[]) : [];
      yield wire.map((m) => ({
        userId: m.userId,
        role: m.creator ? 'creator' : m.admin ? 'admin' : 'member',
      }));
      const next = cursorOf(body.cursor);
      // A cursor that comes back again would loop forever: stop and say so.
      if (next === undefined) return;
      if (seen.has(next)) {
        throw new MessengerError(
          { code: 'unavailable', cause: 'server-error' },
          'getMembers repeated a cursor',
        );
      }
      seen.add(next);
      cursor = next;
    }
  }

  addMembers(chatId: string, userIds: readonly string[]): Promise<BatchOutcome> {
    return this.batched('members/add', chatId, userIds);
  }

  removeMembers(chatId: string, userIds: readonly string[]): Promise<BatchOutcome> {
    return this.batched('members/delete', chatId, userIds);
  }

  private async batched(method: string, chatId: string, userIds: readonly string[]): Promise<BatchOutcome> {
    const batches = toBatches(userIds, this.maxBatchSize);
    let applied = 0;
    for (const batch of batches) {
      try {
        await this.call(method, { chatId, members: JSON.stringify(batch.map((sn) => ({ sn }))) }, chatId);
      } catch (e) {
        if (e instanceof MessengerError) {
          throw new MessengerError(e.detail, e.message, { ...e.progress!, appliedUserIds: applied });
        }
        throw e;
      }
      applied += batch.length;
    }
    return { userIds: applied, batches: batches.length, invited: [], refused: [] };
  }

  private async call(
    method: string,
    params: Record<string, string>,
    chatId?: string,
    /** Whether an attempt that may have been applied is sent again (member changes are idempotent: yes). */
    { retryMayHaveApplied = true }: { retryMayHaveApplied?: boolean } = {},
  ): Promise<Record<string, unknown>> {
    let attempts = 0;
    try {
      return await withRetry(
        (attempt) => {
          attempts = attempt;
          return this.once(method, params);
        },
        (e) => {
          if (!(e instanceof AttemptError)) return { retry: false };
          if (e.detail.code === 'rate-limited') return { retry: true, afterMs: e.detail.retryAfterMs };
          if (e.mayHaveApplied && !retryMayHaveApplied) return { retry: false };
          return { retry: e.detail.code === 'unavailable' };
        },
        this.policy,
        {
          random: this.opts.random,
          sleep: this.opts.sleep,
          onRetry: ({ attempt, delayMs, error }) => {
            this.count((c) => c.retries++);
            this.count((c) => (c.waitedMs += delayMs));
            const code = error instanceof AttemptError ? error.detail.code : 'unknown';
            messengerErrors.inc({ code, outcome: 'retried' });
            this.opts.onRetry?.({ method, attempt, delayMs, code });
          },
        },
      );
    } catch (e) {
      messengerErrors.inc({ code: e instanceof AttemptError ? e.detail.code : 'unknown', outcome: 'failed' });
      if (e instanceof AttemptError) {
        throw new MessengerError(e.detail, `${method}: ${e.message}`, { method, chatId, attempts });
      }
      throw e;
    }
  }

  private async once(method: string, params: Record<string, string>): Promise<Record<string, unknown>> {
    this.count((c) => c.calls++);
    const url = new URL(`${this.opts.apiBase.replace(/\/$/, '')}/chats/${method}`);
    url.searchParams.set('token', this.opts.token);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    let res: HttpResponse;
    try {
      res = await httpRequest(url, { timeoutMs: this.timeoutMs });
    } catch (e) {
      const notSent = (e instanceof HttpTimeoutError || e instanceof HttpNetworkError) && e.notSent;
      if (e instanceof HttpTimeoutError) {
        this.count((c) => c.timeouts++);
        throw new AttemptError({ code: 'unavailable', cause: 'timeout' }, `no answer within ${this.timeoutMs} ms`, !notSent);
      }
      this.count((c) => c.networkErrors++);
      throw new AttemptError({ code: 'unavailable', cause: 'network' }, 'network error', !notSent);
    }
    let body: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(res.text);
      if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    const description = typeof body?.description === 'string' ? body.description : `HTTP ${res.status}`;
    if (res.status === 429) {
      this.count((c) => c.rateLimited++);
      const after = parseRetryAfter(res.header('retry-after')) ?? this.policy.baseDelayMs;
      throw new AttemptError({ code: 'rate-limited', retryAfterMs: after }, description);
    }
    if (res.status >= 500) {
      // A 5xx may come from a gateway after the platform acted (or from the platform half-way through).
      this.count((c) => c.serverErrors++);
      throw new AttemptError({ code: 'unavailable', cause: 'server-error' }, description, true);
    }
    if (res.status === 401 || res.status === 403) throw new AttemptError({ code: 'forbidden' }, description);
    if (res.status === 404) throw new AttemptError({ code: 'not-found' }, description);
    if (res.status >= 400 || !body) throw new AttemptError({ code: 'bad-request' }, description);
    if (body.ok !== true) throw new AttemptError(detailFromDescription(description), description);
    return body;
  }
}
