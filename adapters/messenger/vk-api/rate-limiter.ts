// Client-side request limiter per access token, at the limits VK documents (dev.vk.com/ru/api/api-requests,
// "Ограничения и рекомендации"): a user token at most 3 requests a second, a community token 20.
// Every adapter in the process that holds the same token shares one limiter, since VK counts per token.
import { createHash } from 'node:crypto';
import type { VkTokenType } from './schema.js';

export const VK_REQUESTS_PER_SECOND: Record<VkTokenType, number> = { user: 3, group: 20 };

export interface LimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: LimiterClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/**
 * Sliding window: at most `perSecond` requests started in any window of `windowMs`. The window is a
 * little longer than a second so that network jitter cannot make VK see one request too many.
 */
export class RequestLimiter {
  private readonly started: number[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly perSecond: number,
    private readonly clock: LimiterClock = realClock,
    private readonly windowMs = 1_100,
  ) {
    if (!Number.isInteger(perSecond) || perSecond < 1) throw new RangeError(`requests per second: ${perSecond}`);
  }

  /** Resolves when a request may start; answers how long it waited, ms. */
  acquire(): Promise<number> {
    const turn = this.queue.then(async () => {
      let waited = 0;
      for (;;) {
        const now = this.clock.now();
        while (this.started.length > 0 && this.started[0]! <= now - this.windowMs) this.started.shift();
        if (this.started.length < this.perSecond) {
          this.started.push(now);
          return waited;
        }
        const wait = this.started[0]! + this.windowMs - now;
        waited += wait;
        await this.clock.sleep(wait);
      }
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}

const shared = new Map<string, RequestLimiter>();

/** The process's limiter for this token (keyed by a hash: the token itself is not kept as a key). */
export function limiterForToken(token: string, perSecond: number): RequestLimiter {
  const key = `${createHash('sha256').update(token).digest('base64url')}/${perSecond}`;
  let l = shared.get(key);
  if (!l) shared.set(key, (l = new RequestLimiter(perSecond)));
  return l;
}
