// The VK ID simulator refuses what VK ID refuses (adapters/vk-id/README.md), and the hub's client
// reads its answers and faults as it must: over real HTTP, no hub in between.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VkIdClient, VkIdError } from '../../adapters/vk-id/client.js';
import { codeChallengeS256, newState, verifierForState } from '../../adapters/vk-id/pkce.js';
import { signInAt, startVkIdSimulator, type VkIdAccount, type VkIdSimulator } from '../../adapters/vk-id/simulator.js';

const REDIRECT = 'http://front.test/vk-id/back';
const SECRET = 'conformance-secret-conformance-secret';
let sim: VkIdSimulator;
let client: VkIdClient;
let anna: VkIdAccount;
beforeAll(async () => {
  sim = await startVkIdSimulator({ redirectUris: [REDIRECT] });
  client = new VkIdClient({ base: sim.url, clientId: sim.clientId, redirectUri: REDIRECT, scope: 'phone email', timeoutMs: 500 });
  anna = sim.addAccount({ firstName: 'Анна', lastName: 'Смирнова', phone: '79161234567', email: 'anna@example.ru' });
});
afterAll(async () => {
  await sim?.stop();
});

/** A sign-in up to VK ID's redirect back: what the hub holds when the browser returns. */
async function signedIn(as = anna.userId) {
  const state = newState();
  const verifier = verifierForState(SECRET, state);
  const back = await signInAt(client.authorizeUrl({ state, codeChallenge: codeChallengeS256(verifier) }), as);
  return { state, verifier, code: back.searchParams.get('code')!, deviceId: back.searchParams.get('device_id')!, back };
}

const refusedWith = async (p: Promise<unknown>, code: string) => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(VkIdError);
  expect((e as VkIdError).code).toBe(code);
};

describe('VK ID simulator and client (issue 13 item 4)', () => {
  it('authorize → code → tokens → user: the redirect carries code, state, device_id, type=code_v2; user_info gives the granted data', async () => {
    const s = await signedIn();
    expect(s.back.origin + s.back.pathname).toBe(REDIRECT);
    expect(s.back.searchParams.get('state')).toBe(s.state);
    expect(s.back.searchParams.get('type')).toBe('code_v2');
    const tokens = await client.exchangeCode({ code: s.code, codeVerifier: s.verifier, deviceId: s.deviceId, state: s.state });
    expect(tokens.userId).toBe(anna.userId);
    const user = await client.userInfo(tokens.accessToken);
    expect(user).toEqual({ userId: anna.userId, firstName: 'Анна', lastName: 'Смирнова', phone: '79161234567', email: 'anna@example.ru' });
  });

  it('PKCE: a verifier that is not the challenge\'s is invalid_grant, and so is a code used twice or after it expired', async () => {
    const s = await signedIn();
    await refusedWith(client.exchangeCode({ code: s.code, codeVerifier: verifierForState(SECRET, newState()), deviceId: s.deviceId, state: s.state }), 'invalid-grant');
    const ok = await signedIn();
    await client.exchangeCode({ code: ok.code, codeVerifier: ok.verifier, deviceId: ok.deviceId, state: ok.state });
    await refusedWith(client.exchangeCode({ code: ok.code, codeVerifier: ok.verifier, deviceId: ok.deviceId, state: ok.state }), 'invalid-grant');
    const old = await signedIn();
    sim.advance(10 * 60_000 + 1);
    await refusedWith(client.exchangeCode({ code: old.code, codeVerifier: old.verifier, deviceId: old.deviceId, state: old.state }), 'invalid-grant');
  });

  it('the exchange must name the same device_id, state and redirect_uri as the sign-in', async () => {
    const s = await signedIn();
    await refusedWith(client.exchangeCode({ code: s.code, codeVerifier: s.verifier, deviceId: 'another-device', state: s.state }), 'invalid-grant');
    await refusedWith(client.exchangeCode({ code: s.code, codeVerifier: s.verifier, deviceId: s.deviceId, state: newState() }), 'invalid-grant');
    const elsewhere = new VkIdClient({ base: sim.url, clientId: sim.clientId, redirectUri: 'http://evil.test/cb', timeoutMs: 500 });
    await refusedWith(elsewhere.exchangeCode({ code: s.code, codeVerifier: s.verifier, deviceId: s.deviceId, state: s.state }), 'invalid-grant');
  });

  it('authorize refuses an untrusted redirect URL, a missing challenge, a plain method, and an unknown app', async () => {
    const base = new URL(client.authorizeUrl({ state: newState(), codeChallenge: codeChallengeS256(verifierForState(SECRET, 'x')) }));
    const variants: Array<[string, (q: URLSearchParams) => void, string]> = [
      ['redirect', (q) => q.set('redirect_uri', 'http://evil.test/cb'), 'invalid_request'],
      ['challenge', (q) => q.delete('code_challenge'), 'invalid_request'],
      ['method', (q) => q.set('code_challenge_method', 'plain'), 'invalid_request'],
      ['client', (q) => q.set('client_id', '1'), 'invalid_client'],
    ];
    for (const [, change, error] of variants) {
      const u = new URL(base);
      change(u.searchParams);
      u.searchParams.set('sim_user_id', anna.userId);
      const res = await fetch(u, { redirect: 'manual' });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(((await res.json()) as { error: string }).error).toBe(error);
    }
  });

  it('faults: user_info rides out a 429 and a 5xx; an expired access token is invalid_token; a hung exchange is unavailable after the timeout and is not sent twice', async () => {
    const s = await signedIn();
    const tokens = await client.exchangeCode({ code: s.code, codeVerifier: s.verifier, deviceId: s.deviceId, state: s.state });
    sim.script('user_info', { kind: '429', retryAfterSeconds: 0 }, { kind: '503' });
    expect((await client.userInfo(tokens.accessToken)).userId).toBe(anna.userId);
    sim.advance(3600_000 + 1);
    await refusedWith(client.userInfo(tokens.accessToken), 'invalid-token');

    const h = await signedIn();
    const before = sim.counters().calls.token;
    sim.script('token', { kind: 'hang' });
    await refusedWith(client.exchangeCode({ code: h.code, codeVerifier: h.verifier, deviceId: h.deviceId, state: h.state }), 'unavailable');
    expect(sim.counters().calls.token - before).toBe(1);
  });
});
