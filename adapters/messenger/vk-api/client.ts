// The VK API over HTTP: POST https://api.vk.com/method/<method>, form body, `v=5.199`, the token in an
// `Authorization: Bearer` header (dev.vk.com/ru/api/api-requests), so it never lands in a URL or a log.
// Answers are `{"response": …}` or, at HTTP 200, `{"error": {"error_code", "error_msg", "request_params"}}`.
// Every request first passes the token's limiter; transient refusals (6, 9, 10, 5xx, timeouts) are
// retried with backoff; `execute` runs up to 25 calls in one request and reports each call's fate.
import { httpRequest, HttpNetworkError, HttpTimeoutError, type HttpResponse } from '../../../infra/http-client.js';
import { messengerErrors } from '../../../infra/metrics.js';
import { recordMessengerCall } from '../call-stats.js';
import { emptyStats, MessengerError, type MessengerCallStats, type MessengerErrorDetail } from '../port.js';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from '../retry.js';
import { meaningOf, type VkApiErrorBody, type VkErrorMeaning } from './errors.js';
import { limiterForToken, RequestLimiter, VK_REQUESTS_PER_SECOND } from './rate-limiter.js';
import { encodeParam, VK_API_VERSION, VK_METHODS, type VkMethod, type VkTokenType } from './schema.js';

export type ParamValue = number | string | boolean | readonly number[];
export type VkParams = Record<string, ParamValue | undefined>;

export interface VkApiClientOptions {
  /** Default https://api.vk.com/method (the simulator's `apiBase` in tests). */
  apiBase?: string;
  token: string;
  tokenType: VkTokenType;
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Requests per second for this token; default VK's documented limit for its type. */
  requestsPerSecond?: number;
  /** Wait after code 9 (flood control) before trying again. */
  floodRetryAfterMs?: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** For tests: a private limiter instead of the process-wide one of the token. */
  limiter?: RequestLimiter;
}

/** The API refused with its own error body. */
export class VkApiError extends Error {
  constructor(
    readonly method: string,
    readonly body: VkApiErrorBody,
    readonly meaning: VkErrorMeaning,
  ) {
    super(`${method}: VK error ${body.error_code}${body.error_msg ? ` (${body.error_msg})` : ''}`);
  }
  get code(): number {
    return this.body.error_code;
  }
}

/** One failed attempt below the API level (HTTP, network, timeout), before retry decisions. */
class TransportError extends Error {
  constructor(
    readonly detail: MessengerErrorDetail,
    message: string,
    readonly mayHaveApplied: boolean,
  ) {
    super(message);
  }
}

export type ExecuteResult = { ok: true; response: unknown } | { ok: false; error: VkApiError };

export interface ExecuteCall {
  method: VkMethod;
  params: Record<string, number | string>;
}

/** Most calls one `execute` may hold (dev.vk.com/ru/method/execute). */
export const EXECUTE_MAX_CALLS = 25;

export class VkApiClient {
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly limiter: RequestLimiter;
  private counters: MessengerCallStats = emptyStats();

  constructor(readonly opts: VkApiClientOptions) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
    this.timeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.limiter =
      opts.limiter ??
      limiterForToken(opts.token, opts.requestsPerSecond ?? VK_REQUESTS_PER_SECOND[opts.tokenType]);
  }

  stats(): MessengerCallStats {
    return { ...this.counters };
  }

  resetStats(): void {
    this.counters = emptyStats();
  }

  private count(change: (s: MessengerCallStats) => void): void {
    recordMessengerCall(this.counters, change);
  }

  /**
   * One method, retried on transient failures. A refusal for good is thrown as VkApiError; transport
   * failures after the retries as MessengerError (`unavailable`, `rate-limited`).
   * `retryMayHaveApplied` false: a request that may have reached VK is not sent again (createChat).
   */
  async call(method: VkMethod, params: VkParams, { retryMayHaveApplied = true } = {}): Promise<unknown> {
    return this.withRetries(method, () => this.once(method, params), retryMayHaveApplied);
  }

  /**
   * Up to 25 calls in one request (`execute`). Each call's answer, or its own error (a failed call
   * answers `false` and adds an entry to `execute_errors`, in the order the calls failed). Calls
   * refused for a transient reason (6, 9, 10) are sent again, in a later execute, within the retry budget.
   */
  async execute(calls: readonly ExecuteCall[]): Promise<ExecuteResult[]> {
    if (calls.length > EXECUTE_MAX_CALLS) throw new RangeError(`execute takes at most ${EXECUTE_MAX_CALLS} calls`);
    const results: (ExecuteResult | undefined)[] = calls.map(() => undefined);
    let todo = calls.map((_, i) => i);
    for (let round = 1; todo.length > 0; round++) {
      const code = `return [${todo.map((i) => `API.${calls[i]!.method}(${JSON.stringify(calls[i]!.params)})`).join(',')}];`;
      const body = (await this.withRetries('execute', () => this.once('execute', { code }, true), true)) as {
        response: unknown;
        execute_errors?: Array<VkApiErrorBody & { method?: string }>;
      };
      const answers = Array.isArray(body.response) ? body.response : [];
      const errors = (body.execute_errors ?? []).filter((e) => e.method !== 'execute');
      let nextError = 0;
      const again: number[] = [];
      let wait = 0;
      todo.forEach((i, k) => {
        const answer = answers[k];
        if (answer !== false && answer !== undefined) {
          results[i] = { ok: true, response: answer };
          return;
        }
        const e = errors[nextError++] ?? { error_code: 1, error_msg: 'execute: no error for a failed call' };
        const error = new VkApiError(calls[i]!.method, e, meaningOf(e, this.opts));
        const m = error.meaning;
        if (m.kind === 'transient' && round < this.policy.maxAttempts) {
          again.push(i);
          wait = Math.max(wait, m.detail.code === 'rate-limited' ? m.detail.retryAfterMs : this.policy.baseDelayMs);
        } else results[i] = { ok: false, error };
      });
      if (again.length > 0) {
        if (wait > this.policy.maxRetryAfterMs) {
          throw new MessengerError({ code: 'rate-limited', retryAfterMs: wait }, 'execute: calls refused by flood control');
        }
        this.count((c) => {
          c.retries++;
          c.waitedMs += wait;
        });
        await (this.opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))))(wait);
      }
      todo = again;
    }
    return results as ExecuteResult[];
  }

  private async withRetries(
    method: string,
    attempt: () => Promise<unknown>,
    retryMayHaveApplied: boolean,
  ): Promise<unknown> {
    let attempts = 0;
    try {
      return await withRetry(
        async () => {
          attempts++;
          return attempt();
        },
        (e) => {
          if (e instanceof VkApiError) {
            if (e.meaning.kind !== 'transient') return { retry: false };
            const d = e.meaning.detail;
            return d.code === 'rate-limited' ? { retry: true, afterMs: d.retryAfterMs } : { retry: true };
          }
          if (!(e instanceof TransportError)) return { retry: false };
          if (e.mayHaveApplied && !retryMayHaveApplied) return { retry: false };
          return { retry: true };
        },
        this.policy,
        {
          random: this.opts.random,
          sleep: this.opts.sleep,
          onRetry: ({ delayMs, error }) => {
            this.count((c) => {
              c.retries++;
              c.waitedMs += delayMs;
            });
            messengerErrors.inc({ code: codeOf(error), outcome: 'retried' });
          },
        },
      );
    } catch (e) {
      messengerErrors.inc({ code: codeOf(e), outcome: 'failed' });
      if (e instanceof VkApiError && e.meaning.kind === 'transient') {
        throw new MessengerError(e.meaning.detail, e.message, { method, attempts }, { code: e.code, message: e.body.error_msg ?? '' });
      }
      if (e instanceof TransportError) throw new MessengerError(e.detail, `${method}: ${e.message}`, { method, attempts });
      throw e;
    }
  }

  private async once(method: VkMethod, params: VkParams, isExecute = false): Promise<unknown> {
    const waited = await this.limiter.acquire();
    this.count((c) => {
      c.calls++;
      c.waitedMs += waited;
    });
    const form = new URLSearchParams({ v: VK_API_VERSION });
    for (const [k, v] of Object.entries(params)) if (v !== undefined) form.set(k, encodeParam(v));
    const url = `${(this.opts.apiBase ?? 'https://api.vk.com/method').replace(/\/$/, '')}/${method}`;
    let res: HttpResponse;
    try {
      res = await httpRequest(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.opts.token}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: form.toString(),
        timeoutMs: this.timeoutMs,
      });
    } catch (e) {
      const notSent = (e instanceof HttpTimeoutError || e instanceof HttpNetworkError) && e.notSent;
      if (e instanceof HttpTimeoutError) {
        this.count((c) => c.timeouts++);
        throw new TransportError({ code: 'unavailable', cause: 'timeout' }, `no answer within ${this.timeoutMs} ms`, !notSent);
      }
      this.count((c) => c.networkErrors++);
      throw new TransportError({ code: 'unavailable', cause: 'network' }, 'network error', !notSent);
    }
    if (res.status >= 500 || res.status === 429) {
      if (res.status === 429) this.count((c) => c.rateLimited++);
      else this.count((c) => c.serverErrors++);
      throw new TransportError(
        res.status === 429 ? { code: 'rate-limited', retryAfterMs: 1_000 } : { code: 'unavailable', cause: 'server-error' },
        `HTTP ${res.status}`,
        res.status !== 429,
      );
    }
    let body: { response?: unknown; error?: VkApiErrorBody; execute_errors?: unknown } | undefined;
    try {
      body = JSON.parse(res.text) as typeof body;
    } catch {
      body = undefined;
    }
    if (!body || typeof body !== 'object') {
      this.count((c) => c.serverErrors++);
      throw new TransportError({ code: 'unavailable', cause: 'server-error' }, `HTTP ${res.status}: not JSON`, true);
    }
    if (body.error && typeof body.error.error_code === 'number') {
      const meaning = meaningOf(body.error, this.opts);
      if (meaning.kind === 'transient') {
        if (meaning.detail.code === 'rate-limited') this.count((c) => c.rateLimited++);
        else this.count((c) => c.serverErrors++);
      }
      throw new VkApiError(method, body.error, meaning);
    }
    if (!('response' in body)) {
      this.count((c) => c.serverErrors++);
      throw new TransportError({ code: 'unavailable', cause: 'server-error' }, 'answer without response', true);
    }
    return isExecute ? body : body.response;
  }
}

function codeOf(e: unknown): string {
  if (e instanceof VkApiError) return `vk-${e.code}`;
  if (e instanceof TransportError) return e.detail.code;
  return 'unknown';
}

/** Every method the client may be asked to call is one the schema describes. */
export const isVkMethod = (m: string): m is VkMethod => Object.hasOwn(VK_METHODS, m);
