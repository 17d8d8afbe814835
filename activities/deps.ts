import type { OtpSender } from '../adapters/otp/port.js';
import type { Messenger } from '../adapters/messenger/port.js';
import type { Logger } from '../infra/logger.js';
import type { Pool } from '../infra/postgres.js';
import type { JournalFactory } from '../sync/journal-factory.js';

/** What activities reach the outside world through; the worker wires real ones, tests their own. */
export interface ActivityDeps {
  pool: Pool;
  logger: Logger;
  /** Delivers one-time codes (signup, R-A4). */
  otp: OtpSender;
  /** The chat platform (adapters/messenger): reconciliation and linking apply memberships through it. */
  messenger: Messenger;
  /** A journal connection → its JournalSource (adapters/journals/registry.ts, credentials decrypted). */
  journals: JournalFactory;
}
