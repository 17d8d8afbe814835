// R-A5, R-M1: the identity-account step of signup is "Sign in with VK ID". A finished signup's answer
// says whether the profile has its messenger account yet and, if not, how to start binding it (with
// the token the same answer carries); the profile offers the same later (GET /v1/me/messenger-account).
import { messengerAccountOf } from '../db/repositories/messenger-accounts.js';
import type { Queryable } from '../infra/postgres.js';

export const VK_ID_START_PATH = '/v1/me/messenger-account/vk-id/start';

export async function messengerAccountStep(db: Queryable, personId: string) {
  const account = await messengerAccountOf(db, personId);
  const bound = !!account?.messengerUserId;
  return {
    bound,
    provider: 'vk-id' as const,
    ...(bound ? {} : { next: { method: 'POST', path: VK_ID_START_PATH, body: { via: 'signup' } } }),
  };
}
