// A signup workflow's refusal (an ApplicationFailure from an Update validator or handler) as
// problem+json with the same stable type, seconds instead of instants. Used by the signup routes and
// by support's "resend code", which meets the same countdown and cap (R-A4).
import { ApplicationFailure } from '@temporalio/client';
import { SIGNUP_REFUSALS, type RefusalDetails, type SignupRefusal } from '../workflows/signup-definitions.js';
import { Problem } from './problem.js';

const refusalStatus: Record<SignupRefusal, number> = {
  'signup-closed': 410,
  'wrong-stage': 409,
  'channel-not-allowed': 400,
  'wrong-code': 422,
  'code-expired': 422,
  'code-locked': 429,
  'resend-too-early': 429,
  'too-many-codes': 429,
  'wrong-password': 422,
  'password-locked': 429,
  'profile-invalid': 422,
  'code-delivery-failed': 503,
  'code-recipient-rejected': 422,
  'code-channel-unavailable': 409,
  'try-again-later': 503,
};
const refusalTypes = new Set<string>(Object.values(SIGNUP_REFUSALS));

export const secondsUntil = (at: string | null, now: number): number =>
  at === null ? 0 : Math.max(0, Math.ceil((Date.parse(at) - now) / 1000));

/** The workflow's refusal as problem+json: the same type, seconds instead of instants. */
export function problemFromRefusal(err: unknown): Problem | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ApplicationFailure && e.type && refusalTypes.has(e.type)) {
      const type = e.type as SignupRefusal;
      const d = (e.details?.[0] ?? {}) as RefusalDetails;
      const extra: Record<string, unknown> = {};
      const params: Record<string, string | number> = {};
      const headers: Record<string, string> = {};
      if (d.attemptsLeft !== undefined) extra.attemptsLeft = params.attemptsLeft = d.attemptsLeft;
      if (d.retryAt !== undefined) {
        const seconds = secondsUntil(d.retryAt, Date.now());
        extra.retryAfterSeconds = params.retryAfterSeconds = seconds;
        headers['Retry-After'] = String(seconds);
      }
      if (d.problems) extra.errors = d.problems;
      return new Problem(refusalStatus[type], type, params, extra, headers);
    }
  }
  return undefined;
}

