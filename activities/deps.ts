import type { OtpSender } from '../adapters/otp/port.js';
import type { Logger } from '../infra/logger.js';
import type { Pool } from '../infra/postgres.js';

/** What activities reach the outside world through; the worker wires real ones, tests their own. */
export interface ActivityDeps {
  pool: Pool;
  logger: Logger;
  /** Delivers one-time codes (signup, R-A4). */
  otp: OtpSender;
}
