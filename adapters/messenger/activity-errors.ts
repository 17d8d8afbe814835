// At the activity edge (dust's cast_known_errors idea): a MessengerError becomes an
// ApplicationFailure Temporal understands: retryable or not, and "not before" for rate limits.
// (The adapter counts failures in hub_messenger_errors_total where they happen, not here.)
import { ApplicationFailure } from '@temporalio/common';
import { isMessengerError } from './port.js';

export function castMessengerError(e: unknown): unknown {
  if (!isMessengerError(e)) return e;
  return ApplicationFailure.create({
    type: `Messenger.${e.code}`,
    message: e.message,
    nonRetryable: !e.retryable,
    details: [{ detail: e.detail, progress: e.progress ?? null }],
    nextRetryDelay: e.detail.code === 'rate-limited' ? e.detail.retryAfterMs : undefined,
    cause: e,
  });
}
