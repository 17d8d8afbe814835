// Personal data and counters kept no longer than needed (issue 17 item 7): an old outbox row keeps only
// its masked recipient (the count of codes sent stays for support), and rate-limit rows whose window
// ended long ago go. Idempotent: several scheduler replicas may run it the same night.
import type { Queryable } from '../../infra/postgres.js';

export interface RetentionAges {
  otpOutboxMs: number;
  rateLimitsMs: number;
}

export async function purgeExpiredPersonalData(db: Queryable, ages: RetentionAges, now = new Date()): Promise<{ outboxRows: number; rateLimitRows: number }> {
  const outbox = await db.query(
    `UPDATE otp_outbox SET recipient = recipient_masked, code = NULL
      WHERE created_at < $1 AND (recipient <> recipient_masked OR code IS NOT NULL)`,
    [new Date(now.getTime() - ages.otpOutboxMs)],
  );
  // rate-limiter-flexible stores `expire` as epoch milliseconds (NULL: never expires, kept).
  const limits = await db.query(`DELETE FROM rate_limits WHERE expire IS NOT NULL AND expire < $1`, [now.getTime() - ages.rateLimitsMs]);
  return { outboxRows: outbox.rowCount ?? 0, rateLimitRows: limits.rowCount ?? 0 };
}
