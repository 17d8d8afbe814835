// Refusals of "Sign in with VK ID" (identity/vk-id-binding.ts) as problem+json: one status each,
// used by the callback route and published in the route table (OpenAPI).
import type { BindingRefusal } from '../identity/vk-id-binding.js';
import type { MessageCode } from './messages.js';

export const BINDING_REFUSAL_STATUS: Record<BindingRefusal, number> = {
  // The state is unknown or used: a replayed or forged callback.
  'vk-id-state-invalid': 400,
  'vk-id-state-expired': 410,
  // The person declined at VK ID.
  'vk-id-denied': 403,
  // VK ID refused the code (spent, expired, PKCE verifier or redirect not matching).
  'vk-id-code-invalid': 400,
  'vk-id-unavailable': 503,
  // One person per VK account.
  'vk-id-account-bound-elsewhere': 409,
  // R-A5: VK ID's verified phone is not the profile's.
  'vk-id-phone-mismatch': 409,
};

/** Route table entries: what the callback answers with besides the common problems. */
export const CALLBACK_PROBLEMS: ReadonlyArray<readonly [number, MessageCode]> = [
  ...(Object.entries(BINDING_REFUSAL_STATUS) as [BindingRefusal, number][]).map(([code, status]) => [status, code] as const),
  [503, 'vk-id-not-configured'],
];
