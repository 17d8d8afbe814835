// Issue 13: the pure parts of the VK API messenger — invited memberships in a plan, the per-token
// request limiter, and what each VK error code means for the hub.
import { describe, expect, it } from 'vitest';
import { meaningOf } from '../../adapters/messenger/vk-api/errors.js';
import { RequestLimiter } from '../../adapters/messenger/vk-api/rate-limiter.js';
import { splitInvited } from '../../domain/roster/invites.js';

describe('invited memberships in a chat plan (issue 13)', () => {
  it('an invited person listed inside has joined; one still wanted waits and is not invited again; one no longer wanted is withdrawn', () => {
    const out = splitInvited({ invited: ['1', '2', '3'], actual: ['0', '1'], adds: ['2', '4'] });
    expect(out).toEqual({ adds: ['4'], waiting: ['2'], joined: ['1'], withdrawn: ['3'] });
  });
});

describe('per-token request limiter (issue 13: VK allows 3 requests a second with a user token, 20 with a community token)', () => {
  it('lets `perSecond` requests start in any window and makes the next one wait for the window to pass', async () => {
    let now = 0;
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
    };
    const limiter = new RequestLimiter(3, clock, 1_000);
    const waits = [];
    for (let i = 0; i < 7; i++) waits.push(await limiter.acquire());
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBe(1_000);
    expect(waits.slice(4, 6)).toEqual([0, 0]);
    expect(waits[6]).toBe(1_000);
    expect(now).toBe(2_000);
  });
});

describe('VK error codes (errors.json) as the hub reads them (issue 13)', () => {
  it.each([
    [6, 'transient'],
    [9, 'transient'],
    [10, 'transient'],
    [5, 'connection'],
    [27, 'connection'],
    [925, 'chat'],
    [945, 'chat'],
    [927, 'chat'],
    [936, 'person'],
    [947, 'person'],
    [902, 'person'],
  ])('code %i is a %s matter', (code, kind) => {
    expect(meaningOf({ error_code: code }).kind).toBe(kind);
  });

  it('code 5 carries a Russian sentence naming the setting to fix; 9 waits the configured flood back-off', () => {
    const auth = meaningOf({ error_code: 5 });
    expect(auth.kind === 'connection' && auth.ru).toMatch(/VK_ACCESS_TOKEN/);
    expect(meaningOf({ error_code: 9 }, { floodRetryAfterMs: 1234 })).toEqual({
      kind: 'transient',
      detail: { code: 'rate-limited', retryAfterMs: 1234 },
    });
    expect(meaningOf({ error_code: 927 })).toMatchObject({ kind: 'chat', detail: { code: 'not-found' } });
  });
});
