import { describe, expect, it } from 'vitest';
import { backoffMs, parseRetryAfter, withRetry, type RetryPolicy } from '../../adapters/messenger/retry.js';
import { toBatches } from '../../adapters/messenger/port.js';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 10_000 };

describe('messenger retry helper', () => {
  it('R-C5: backoff grows exponentially, is capped, and is jittered within [0, cap]', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, policy, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(backoffMs(3, policy, () => 0)).toBe(0);
    expect(backoffMs(3, policy, () => 0.5)).toBe(200);
  });

  it('R-C5: retries retryable failures up to maxAttempts, then throws the last error', async () => {
    const slept: number[] = [];
    let calls = 0;
    const err = await withRetry(
      async () => {
        calls++;
        throw new Error(`fail ${calls}`);
      },
      () => ({ retry: true }),
      policy,
      { sleep: async (ms) => void slept.push(ms), random: () => 1 },
    ).catch((e: unknown) => e);
    expect(calls).toBe(4);
    expect((err as Error).message).toBe('fail 4');
    expect(slept).toEqual([100, 200, 400]);
  });

  it('R-C5: a server-given delay is waited out (plus small jitter) and a too-long one is handed back', async () => {
    const slept: number[] = [];
    let calls = 0;
    const out = await withRetry(
      async () => {
        if (++calls === 1) throw new Error('429');
        return 'ok';
      },
      () => ({ retry: true, afterMs: 2_000 }),
      policy,
      { sleep: async (ms) => void slept.push(ms), random: () => 1 },
    );
    expect(out).toBe('ok');
    expect(slept[0]).toBeGreaterThanOrEqual(2_000);
    expect(slept[0]).toBeLessThanOrEqual(2_100);
    const tooLong = await withRetry(
      async () => {
        throw new Error('429 for an hour');
      },
      () => ({ retry: true, afterMs: 3_600_000 }),
      policy,
      { sleep: async () => {} },
    ).catch((e: unknown) => e);
    expect((tooLong as Error).message).toBe('429 for an hour');
  });

  it('R-C5: non-retryable failures are thrown at once', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error('forbidden');
        },
        () => ({ retry: false }),
        policy,
      ),
    ).rejects.toThrow('forbidden');
    expect(calls).toBe(1);
  });

  it('R-C5: Retry-After is read as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const now = Date.parse('2025-09-01T10:00:00Z');
    expect(parseRetryAfter('Mon, 01 Sep 2025 10:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Mon, 01 Sep 2025 09:00:00 GMT', now)).toBe(0);
  });

  it('R-C5: batches de-duplicate and never exceed the size', () => {
    expect(toBatches(['a', 'b', 'a', 'c', 'd'], 2)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(toBatches([], 5)).toEqual([]);
    expect(() => toBatches(['a'], 0)).toThrow(RangeError);
  });
});

describe('messenger errors at the activity edge', async () => {
  const { castMessengerError } = await import('../../adapters/messenger/activity-errors.js');
  const { MessengerError } = await import('../../adapters/messenger/port.js');
  const { ApplicationFailure } = await import('@temporalio/common');

  it('R-C5: rate-limited stays retryable with the server delay; forbidden is not retried', () => {
    const limited = castMessengerError(
      new MessengerError({ code: 'rate-limited', retryAfterMs: 7_000 }, '429'),
    );
    expect(limited).toBeInstanceOf(ApplicationFailure);
    expect(limited).toMatchObject({
      type: 'Messenger.rate-limited',
      nonRetryable: false,
      nextRetryDelay: 7_000,
    });
    expect(castMessengerError(new MessengerError({ code: 'forbidden' }, 'token'))).toMatchObject({
      type: 'Messenger.forbidden',
      nonRetryable: true,
    });
    const other = new Error('x');
    expect(castMessengerError(other)).toBe(other);
  });
});
