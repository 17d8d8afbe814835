// "Sign in with VK ID" binds a person's messenger account (R-M1, R-A5): the person starts it (from
// the end of signup or from their profile), VK ID sends them back with a code, the hub exchanges the
// code (PKCE), reads the VK user, checks it and binds it. The route layer only translates.
import { normalisePhone } from '../domain/contact.js';
import { codeChallengeS256, newState, stateDigest, verifierForState } from '../adapters/vk-id/pkce.js';
import { isVkIdError, type VkIdClient } from '../adapters/vk-id/client.js';
import { findPerson } from '../db/repositories/people.js';
import {
  bindMessengerAccount,
  insertBindingRequest,
  takeBindingRequest,
  unbindMessengerAccount,
  type BindingVia,
} from '../db/repositories/messenger-accounts.js';
import { inTransaction, type Pool } from '../infra/postgres.js';

export interface VkIdBindingDeps {
  pool: Pool;
  vkId: VkIdClient;
  /** Server secret the PKCE verifier is derived from (never stored). */
  secret: string;
  stateTtlMs: number;
}

export type BindingRefusal =
  | 'vk-id-state-invalid'
  | 'vk-id-state-expired'
  | 'vk-id-denied'
  | 'vk-id-code-invalid'
  | 'vk-id-unavailable'
  | 'vk-id-account-bound-elsewhere'
  | 'vk-id-phone-mismatch';

export class BindingRefused extends Error {
  constructor(
    readonly code: BindingRefusal,
    readonly retryAfterSeconds?: number,
  ) {
    super(code);
  }
}

export async function startVkIdBinding(deps: VkIdBindingDeps, r: { personId: string; via: BindingVia }): Promise<{ authorizeUrl: string; expiresAt: Date }> {
  const state = newState();
  const expiresAt = await insertBindingRequest(deps.pool, { stateDigest: stateDigest(state), personId: r.personId, via: r.via, ttlMs: deps.stateTtlMs });
  const authorizeUrl = deps.vkId.authorizeUrl({ state, codeChallenge: codeChallengeS256(verifierForState(deps.secret, state)) });
  return { authorizeUrl, expiresAt };
}

export interface CallbackParams {
  /** The signed-in person the front end posts for: only the person who started may complete. */
  personId: string;
  state: string;
  code?: string | undefined;
  deviceId?: string | undefined;
  /** VK ID's `error` when the person declined (access_denied) or the request failed. */
  error?: string | undefined;
}

export interface BindingResult {
  personId: string;
  messengerUserId: string;
  status: 'bound' | 'unchanged' | 'rebound';
  previousMessengerUserId: string | null;
}

/** Same number, whatever the format VK ID or the profile keeps it in (R-A5). */
function samePhone(vkPhone: string, profilePhone: string): boolean {
  const vk = normalisePhone(vkPhone.startsWith('+') ? vkPhone : `+${vkPhone}`);
  return vk !== undefined && vk === normalisePhone(profilePhone);
}

function vkIdFailure(e: unknown): never {
  if (!isVkIdError(e)) throw e;
  if (e.code === 'invalid-grant' || e.code === 'state-mismatch') throw new BindingRefused('vk-id-code-invalid');
  throw new BindingRefused('vk-id-unavailable', Math.max(1, Math.ceil((e.retryAfterMs ?? 5_000) / 1000)));
}

/** The person came back from VK ID: the request is spent whatever happens next (a code is good once). */
export async function completeVkIdBinding(deps: VkIdBindingDeps, p: CallbackParams, requestId?: string): Promise<BindingResult> {
  const taken = await takeBindingRequest(deps.pool, stateDigest(p.state));
  // Someone else's sign-in (a link passed on to this person) is spent and refused like a forged one.
  if (taken.status === 'unknown' || (taken.status === 'taken' && taken.personId !== p.personId)) throw new BindingRefused('vk-id-state-invalid');
  if (taken.status === 'expired') throw new BindingRefused('vk-id-state-expired');
  if (p.error || !p.code || !p.deviceId) throw new BindingRefused('vk-id-denied');

  const tokens = await deps.vkId
    .exchangeCode({ code: p.code, codeVerifier: verifierForState(deps.secret, p.state), deviceId: p.deviceId, state: p.state })
    .catch(vkIdFailure);
  const user = await deps.vkId.userInfo(tokens.accessToken).catch(vkIdFailure);
  if (user.userId !== tokens.userId) throw new BindingRefused('vk-id-code-invalid');

  const person = await findPerson(deps.pool, taken.personId);
  if (!person) throw new BindingRefused('vk-id-state-invalid');
  // R-A5: the hub proved the profile's phone itself; a VK ID verified for another number is not this person's.
  if (user.phone && person.phone && !samePhone(user.phone, person.phone)) throw new BindingRefused('vk-id-phone-mismatch');

  const outcome = await inTransaction(deps.pool, (tx) =>
    bindMessengerAccount(tx, { personId: person.id, actor: person.id, actorRole: 'person', requestId, messengerUserId: user.userId, via: taken.via }),
  );
  if (outcome.status === 'bound-elsewhere') throw new BindingRefused('vk-id-account-bound-elsewhere');
  return {
    personId: person.id,
    messengerUserId: user.userId,
    status: outcome.status,
    previousMessengerUserId: outcome.status === 'rebound' ? outcome.previous : null,
  };
}

export async function unbindVkId(pool: Pool, r: { personId: string; requestId?: string }): Promise<string | undefined> {
  return inTransaction(pool, (tx) => unbindMessengerAccount(tx, { personId: r.personId, actor: r.personId, actorRole: 'person', requestId: r.requestId }));
}
