// The dispatcher's SQL over `notifications` and `notification_deliveries` (migration 730).
import type { Queryable } from '../infra/postgres.js';
import type { ChannelName } from './channels.js';

export interface Notice {
  id: string;
  kind: string;
  recipientKind: 'school_approvers' | 'authority' | 'person';
  recipientId: string;
  payload: Record<string, unknown>;
  /** Counted when taken, so a dispatcher killed mid-send also uses up an attempt. */
  attempts: number;
}

/**
 * Takes up to `limit` due notices for `leaseMs`. SKIP LOCKED lets several dispatchers share the table;
 * the lease lets a killed dispatcher's notices be taken again once it expires.
 */
export async function claimDue(db: Queryable, limit: number, leaseMs: number): Promise<Notice[]> {
  const { rows } = await db.query(
    `UPDATE notifications n
        SET claimed_until = now() + make_interval(secs => $2::double precision / 1000), attempts = n.attempts + 1
      WHERE n.id IN (
        SELECT id FROM notifications
         WHERE sent_at IS NULL AND gave_up_at IS NULL
           AND coalesce(next_attempt_at, created_at) <= now()
           AND (claimed_until IS NULL OR claimed_until < now())
         ORDER BY coalesce(next_attempt_at, created_at), id
         LIMIT $1
         FOR UPDATE SKIP LOCKED)
      RETURNING n.id::text, n.kind, n.recipient_kind AS "recipientKind", n.recipient_id AS "recipientId", n.payload, n.attempts`,
    [limit, leaseMs],
  );
  return (rows as Notice[]).sort((a, b) => Number(a.id) - Number(b.id));
}

export interface DeliveryRow {
  status: 'sending' | 'sent' | 'failed';
  attempts: number;
}

/**
 * Written and committed BEFORE the send. Returns the row as it was: 'sent' means skip (delivered
 * earlier); 'sending' means an earlier dispatcher died between handing over and recording.
 */
export async function beginDelivery(
  db: Queryable,
  d: { noticeId: string; recipientKey: string; channel: ChannelName; addressMasked: string },
): Promise<DeliveryRow | undefined> {
  const before = await db.query(`SELECT status, attempts FROM notification_deliveries WHERE notification_id = $1 AND recipient_key = $2`, [
    d.noticeId,
    d.recipientKey,
  ]);
  const prior = before.rows[0] as DeliveryRow | undefined;
  if (prior?.status === 'sent') return prior;
  await db.query(
    `INSERT INTO notification_deliveries (notification_id, recipient_key, channel, address_masked, status, attempts)
     VALUES ($1, $2, $3, $4, 'sending', 1)
     ON CONFLICT (notification_id, recipient_key) DO UPDATE
       SET status = 'sending', channel = EXCLUDED.channel, address_masked = EXCLUDED.address_masked,
           attempts = notification_deliveries.attempts + 1, error = NULL, updated_at = now()`,
    [d.noticeId, d.recipientKey, d.channel, d.addressMasked],
  );
  return prior;
}

export async function endDelivery(
  db: Queryable,
  d: { noticeId: string; recipientKey: string; status: 'sent' | 'failed'; gatewayId?: string | undefined; error?: string | undefined },
): Promise<void> {
  await db.query(
    `UPDATE notification_deliveries SET status = $3, gateway_id = $4, error = $5, updated_at = now()
      WHERE notification_id = $1 AND recipient_key = $2`,
    [d.noticeId, d.recipientKey, d.status, d.gatewayId ?? null, d.error ?? null],
  );
}

export async function markSent(db: Queryable, id: string, note: string | null): Promise<void> {
  await db.query(`UPDATE notifications SET sent_at = now(), claimed_until = NULL, last_error = $2 WHERE id = $1`, [id, note]);
}

export async function retryLater(db: Queryable, id: string, afterMs: number, error: string): Promise<void> {
  await db.query(
    `UPDATE notifications SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000), claimed_until = NULL, last_error = $3
      WHERE id = $1`,
    [id, afterMs, error],
  );
}

export async function giveUp(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(`UPDATE notifications SET gave_up_at = now(), claimed_until = NULL, last_error = $2 WHERE id = $1`, [id, error]);
}

export interface FailedNotice {
  id: string;
  kind: string;
  recipientKind: string;
  recipientId: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  gaveUpAt: Date | null;
  nextAttemptAt: Date | null;
  /** The zone of the school the notice is about, when it names one (times are shown there). */
  timezone: string | null;
  deliveries: { channel: string; address: string; status: string; attempts: number; error: string | null }[];
}

/**
 * For support (GET /v1/support/notices): notices given up, or failed and waiting for another try.
 * Addresses masked only; one row past the page tells whether there is a next one.
 */
export async function listFailed(db: Queryable, state: 'given-up' | 'retrying', page: { limit: number; offset: number }): Promise<FailedNotice[]> {
  const { rows } = await db.query(
    `SELECT n.id::text, n.kind, n.recipient_kind AS "recipientKind", n.recipient_id AS "recipientId", n.attempts,
            n.last_error AS "lastError", n.created_at AS "createdAt", n.gave_up_at AS "gaveUpAt", n.next_attempt_at AS "nextAttemptAt",
            (SELECT s.timezone FROM schools s
              WHERE s.id::text = coalesce(n.payload->>'schoolId', CASE WHEN n.recipient_kind = 'school_approvers' THEN n.recipient_id END)) AS timezone,
            coalesce((SELECT json_agg(json_build_object('channel', d.channel, 'address', d.address_masked, 'status', d.status,
                                                        'attempts', d.attempts, 'error', d.error) ORDER BY d.recipient_key)
                        FROM notification_deliveries d WHERE d.notification_id = n.id), '[]'::json) AS deliveries
       FROM notifications n
      WHERE CASE WHEN $1 = 'given-up' THEN n.gave_up_at IS NOT NULL
                 ELSE n.gave_up_at IS NULL AND n.sent_at IS NULL AND n.last_error IS NOT NULL END
      ORDER BY coalesce(n.gave_up_at, n.created_at) DESC, n.id DESC
      LIMIT $2 OFFSET $3`,
    [state, page.limit + 1, page.offset],
  );
  return rows as FailedNotice[];
}
