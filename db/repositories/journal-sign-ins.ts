// Redirect sign-ins under way (R-L5, migration 750): state (hashed), nonce, person and the journal
// identity to prove; taken once when the provider sends the person back.
import type { Queryable } from '../../infra/postgres.js';

export interface PendingSignIn {
  personId: string;
  connectionId: string;
  externalPersonId: string | null;
  method: 'dnevnik-oauth' | 'esia';
  nonce: string;
}

export async function insertSignIn(db: Queryable, stateHash: string, s: PendingSignIn, ttlMs: number): Promise<Date> {
  const { rows } = await db.query(
    `INSERT INTO journal_sign_ins (state_hash, person_id, connection_id, external_person_id, method, nonce, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, now() + $7 * interval '1 millisecond') RETURNING expires_at AS "expiresAt"`,
    [stateHash, s.personId, s.connectionId, s.externalPersonId, s.method, s.nonce, ttlMs],
  );
  return (rows[0] as { expiresAt: Date }).expiresAt;
}

/** The open sign-in with this state for this person, marked used; undefined when unknown, used, expired or someone else's. */
export async function takeSignIn(db: Queryable, stateHash: string, personId: string, method: PendingSignIn['method']): Promise<PendingSignIn | undefined> {
  const { rows } = await db.query(
    `UPDATE journal_sign_ins SET used_at = now()
      WHERE state_hash = $1 AND person_id = $2 AND method = $3 AND used_at IS NULL AND expires_at > now()
      RETURNING person_id AS "personId", connection_id AS "connectionId", external_person_id AS "externalPersonId", method, nonce`,
    [stateHash, personId, method],
  );
  return rows[0] as PendingSignIn | undefined;
}
