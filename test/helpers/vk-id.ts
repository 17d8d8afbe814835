// A person's messenger account the way production sets it (R-M1): "Sign in with VK ID" against the
// project's VK ID simulator. Over the HTTP API (start → VK ID authorize → callback) where a test has
// one; through the same use case the callback runs (identity/vk-id-binding.ts) where it has none.
import { VkIdClient } from '../../adapters/vk-id/client.js';
import { signInAt, startVkIdSimulator, type VkIdAccount, type VkIdSimulator } from '../../adapters/vk-id/simulator.js';
import type { Principal } from '../../api/auth.js';
import { completeVkIdBinding, startVkIdBinding, type BindingResult } from '../../identity/vk-id-binding.js';
import type { Pool } from '../../infra/postgres.js';
import { TEST_JWT_SECRET, type ApiResponse, type TestApi } from './api.js';

/** The front end's page VK ID sends people back to; the tests post its query to the API's callback, as that page does. */
export const TEST_VK_ID_REDIRECT = 'http://hub.test/vk-id/return';

export const startTestVkId = (): Promise<VkIdSimulator> => startVkIdSimulator({ redirectUris: [TEST_VK_ID_REDIRECT] });

/** API settings that point the hub at the simulator. */
export const vkIdEnv = (sim: VkIdSimulator): Record<string, string> => ({
  VK_ID_BASE: sim.url,
  VK_ID_CLIENT_ID: sim.clientId,
  VK_ID_REDIRECT_URI: TEST_VK_ID_REDIRECT,
});

/** The simulator's account with this id (made on first use), or a new one. */
export function vkAccount(sim: VkIdSimulator, a: Partial<VkIdAccount> = {}): VkIdAccount {
  const existing = a.userId ? sim.account(a.userId) : undefined;
  return existing ?? sim.addAccount({ firstName: 'Иван', lastName: 'Петров', ...a });
}

/** Start over the API, sign in at VK ID as `userId`, and hand VK ID's redirect to the API's callback. */
export async function bindOverApi(api: TestApi, sim: VkIdSimulator, as: Principal, userId: string, via: 'signup' | 'profile' = 'profile'): Promise<ApiResponse> {
  vkAccount(sim, { userId });
  const start = await api.call('POST', '/v1/me/messenger-account/vk-id/start', { as, body: { via } });
  if (start.status !== 200) throw new Error(`start refused: ${start.status} ${JSON.stringify(start.body)}`);
  const back = await signInAt(start.body.authorizeUrl as string, userId);
  return postBack(api, as, back);
}

/** The front end's return page: posts what VK ID appended to the redirect URL, with the person's token. */
export const postBack = (api: TestApi, as: Principal, back: URL, headers: Record<string, string> = {}): Promise<ApiResponse> =>
  api.call('POST', '/v1/me/messenger-account/vk-id/callback', { as, body: Object.fromEntries(back.searchParams), headers });

/** Binds through the callback's use case, for arrange steps of tests that run no API. */
export async function bindThroughUseCase(pool: Pool, sim: VkIdSimulator, personId: string, userId: string): Promise<BindingResult> {
  vkAccount(sim, { userId });
  const deps = {
    pool,
    vkId: new VkIdClient({ base: sim.url, clientId: sim.clientId, redirectUri: TEST_VK_ID_REDIRECT, scope: 'phone', timeoutMs: 5_000 }),
    secret: TEST_JWT_SECRET,
    stateTtlMs: 60_000,
  };
  const { authorizeUrl } = await startVkIdBinding(deps, { personId, via: 'profile' });
  const back = await signInAt(authorizeUrl, userId);
  const q = back.searchParams;
  return completeVkIdBinding(deps, { personId, state: q.get('state')!, code: q.get('code') ?? undefined, deviceId: q.get('device_id') ?? undefined });
}
