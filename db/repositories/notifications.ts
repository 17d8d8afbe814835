import type { Queryable } from '../../infra/postgres.js';

export interface NotificationInput {
  /** Same key, same notification: an activity retry does not write a second row. */
  dedupeKey: string;
  kind: string;
  recipientKind: 'school_approvers' | 'authority' | 'person';
  recipientId: string;
  payload: Record<string, unknown>;
}

export async function enqueueNotification(db: Queryable, n: NotificationInput): Promise<void> {
  await db.query(
    `INSERT INTO notifications (dedupe_key, kind, recipient_kind, recipient_id, payload)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (dedupe_key) DO NOTHING`,
    [n.dedupeKey, n.kind, n.recipientKind, n.recipientId, n.payload],
  );
}
