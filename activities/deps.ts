import type { OtpSender } from '../adapters/otp/port.js';
import type { Messenger } from '../adapters/messenger/port.js';
import type { CodeMac } from '../infra/code-mac.js';
import type { Logger } from '../infra/logger.js';
import type { Pool } from '../infra/postgres.js';
import type { JournalFactory } from '../sync/journal-factory.js';

/** What activities reach the outside world through; the worker wires real ones, tests their own. */
export interface ActivityDeps {
  pool: Pool;
  logger: Logger;
  /** Delivers one-time codes (signup, R-A4). */
  otp: OtpSender;
  /**
   * Keys the MAC of one-time codes (infra/code-mac.ts); the API checks guesses with the same key.
   * Only signup's issueSignupCode needs it, and it refuses to make a code without it.
   */
  codeMac?: CodeMac;
  /** The chat platform (adapters/messenger): reconciliation and linking apply memberships through it. */
  messenger: Messenger;
  /** A journal connection → its JournalSource (adapters/journals/registry.ts, credentials decrypted). */
  journals: JournalFactory;
}
