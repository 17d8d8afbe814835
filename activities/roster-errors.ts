// Journal failures at the activity edge, like castMessengerError for the messenger: retryable ones
// stay retryable (rate limits with "not before"), bad keys and bad files fail for a human to fix.
import { ApplicationFailure } from '@temporalio/common';
import { castMessengerError } from '../adapters/messenger/activity-errors.js';
import { isJournalSourceError } from '../adapters/journals/errors.js';

export function castJournalError(e: unknown): unknown {
  if (!isJournalSourceError(e)) return e;
  return ApplicationFailure.create({
    type: `Journal.${e.code}`,
    message: e.text('en'),
    nonRetryable: !e.retryable,
    details: [{ detail: e.detail, ru: e.text('ru') }],
    nextRetryDelay: e.detail.code === 'rate-limited' ? e.detail.retryAfterMs : undefined,
    cause: e,
  });
}

/** Either edge's error in Temporal's terms; anything else is left as it is (retryable). */
export function castRosterError(e: unknown): unknown {
  return castJournalError(castMessengerError(e));
}
