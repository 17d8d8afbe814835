// Bounded retries with exponential backoff and full jitter, honouring a server-given delay
// (Retry-After). Kept tiny on purpose: p-retry and friends compute their own delays and cannot
// take "wait exactly what the server said" per attempt.

export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited out here: the error goes to the caller (Temporal retries later). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
};

export type RetryDecision = { retry: false } | { retry: true; afterMs?: number };

export interface RetryHooks {
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Backoff before retry number `attempt` (1-based): random in [0, min(max, base·2^(attempt-1))]. */
export function backoffMs(attempt: number, p: RetryPolicy, random: () => number = Math.random): number {
  const cap = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(random() * cap);
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  classify: (error: unknown) => RetryDecision,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  hooks: RetryHooks = {},
): Promise<T> {
  const sleep = hooks.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const d = classify(error);
      if (!d.retry || attempt >= policy.maxAttempts) throw error;
      if (d.afterMs !== undefined && d.afterMs > policy.maxRetryAfterMs) throw error;
      // A server-given delay is a floor; a little jitter on top spreads replicas that got the same one.
      const delayMs =
        d.afterMs !== undefined
          ? d.afterMs +
            backoffMs(1, { ...policy, maxDelayMs: Math.min(policy.baseDelayMs, 250) }, hooks.random)
          : backoffMs(attempt, policy, hooks.random);
      hooks.onRetry?.({ attempt, delayMs, error });
      await sleep(delayMs);
    }
  }
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
