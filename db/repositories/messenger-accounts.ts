// A person's messenger account (R-M1): their VK user id, set only by "Sign in with VK ID"
// (identity/vk-id-binding.ts), and the binding requests that wait for the person to come back.
import type { Queryable } from '../../infra/postgres.js';
import { writeAudit } from './audit.js';

export type BindingVia = 'signup' | 'profile';

export async function insertBindingRequest(
  db: Queryable,
  r: { stateDigest: string; personId: string; via: BindingVia; ttlMs: number },
): Promise<Date> {
  // The person's stale requests go with each new one: nothing else would ever read them.
  await db.query(`DELETE FROM vk_id_binding_requests WHERE person_id = $1 AND (used_at IS NOT NULL OR expires_at < now())`, [r.personId]);
  const { rows } = await db.query(
    `INSERT INTO vk_id_binding_requests (state_digest, person_id, via, expires_at)
     VALUES ($1, $2, $3, now() + make_interval(secs => $4::double precision / 1000)) RETURNING expires_at AS "expiresAt"`,
    [r.stateDigest, r.personId, r.via, r.ttlMs],
  );
  return (rows[0] as { expiresAt: Date }).expiresAt;
}

export type TakenRequest =
  | { status: 'taken'; personId: string; via: BindingVia }
  | { status: 'expired' }
  | { status: 'unknown' };

/** Uses a binding request up (once, whatever follows); an expired one is spent as well. */
export async function takeBindingRequest(db: Queryable, stateDigest: string): Promise<TakenRequest> {
  const { rows } = await db.query(
    `UPDATE vk_id_binding_requests SET used_at = now() WHERE state_digest = $1 AND used_at IS NULL
     RETURNING person_id AS "personId", via, expires_at < now() AS expired`,
    [stateDigest],
  );
  const row = rows[0] as { personId: string; via: BindingVia; expired: boolean } | undefined;
  if (!row) return { status: 'unknown' };
  return row.expired ? { status: 'expired' } : { status: 'taken', personId: row.personId, via: row.via };
}

export interface MessengerAccount {
  messengerUserId: string | null;
  boundAt: Date | null;
}

export async function messengerAccountOf(db: Queryable, personId: string): Promise<MessengerAccount | undefined> {
  const { rows } = await db.query(
    `SELECT messenger_user_id AS "messengerUserId", messenger_bound_at AS "boundAt" FROM people WHERE id = $1`,
    [personId],
  );
  return rows[0] as MessengerAccount | undefined;
}

export type BindOutcome =
  | { status: 'bound' }
  | { status: 'unchanged' }
  | { status: 'rebound'; previous: string }
  | { status: 'bound-elsewhere' };

interface Who {
  personId: string;
  actor: string;
  actorRole: string;
  requestId?: string | undefined;
}

const isUniqueViolation = (e: unknown): boolean => (e as { code?: unknown }).code === '23505';

/**
 * Binds a VK account to the person (run inside a transaction). One person per VK account: an account
 * another person holds is refused. The person's live journal links follow the new account, so the next
 * reconciliation moves their hub-managed memberships from the old account to it. Audited
 * (`messenger.bound`, or `messenger.rebound` with the previous account).
 */
export async function bindMessengerAccount(db: Queryable, who: Who & { messengerUserId: string; via: BindingVia }): Promise<BindOutcome> {
  const { rows } = await db.query(`SELECT messenger_user_id AS u FROM people WHERE id = $1 FOR UPDATE`, [who.personId]);
  if (rows.length === 0) throw new Error('person not found');
  const previous = (rows[0] as { u: string | null }).u;
  if (previous === who.messengerUserId) return { status: 'unchanged' };
  const { rows: holders } = await db.query(`SELECT 1 FROM people WHERE messenger_user_id = $1`, [who.messengerUserId]);
  if (holders.length > 0) return { status: 'bound-elsewhere' };
  try {
    await db.query(`SAVEPOINT bind`);
    await db.query(`UPDATE people SET messenger_user_id = $2, messenger_bound_at = now() WHERE id = $1`, [who.personId, who.messengerUserId]);
    await db.query(`RELEASE SAVEPOINT bind`);
  } catch (e) {
    // Another person's binding of the same account committed in between.
    if (!isUniqueViolation(e)) throw e;
    await db.query(`ROLLBACK TO SAVEPOINT bind`);
    return { status: 'bound-elsewhere' };
  }
  await db.query(`UPDATE journal_links SET messenger_user_id = $2 WHERE person_id = $1 AND unlinked_at IS NULL`, [who.personId, who.messengerUserId]);
  await writeAudit(db, {
    actor: who.actor,
    actorRole: who.actorRole,
    action: previous ? 'messenger.rebound' : 'messenger.bound',
    subjectType: 'person',
    subjectId: who.personId,
    details: { provider: 'vk-id', messengerUserId: who.messengerUserId, via: who.via, ...(previous ? { previousMessengerUserId: previous } : {}) },
    requestId: who.requestId,
  });
  return previous ? { status: 'rebound', previous } : { status: 'bound' };
}

/**
 * Unbinds the person's messenger account (run inside a transaction): their live journal links keep
 * the journal identity but lose the account, so the next reconciliation takes the account out of the
 * hub-managed chats and lists the person as pending (R-C6). Audited (`messenger.unbound`).
 */
export async function unbindMessengerAccount(db: Queryable, who: Who): Promise<string | undefined> {
  const { rows } = await db.query(
    `UPDATE people p SET messenger_user_id = NULL, messenger_bound_at = NULL
       FROM (SELECT id, messenger_user_id FROM people WHERE id = $1 FOR UPDATE) old
      WHERE p.id = old.id AND old.messenger_user_id IS NOT NULL
      RETURNING old.messenger_user_id AS previous`,
    [who.personId],
  );
  const previous = (rows[0] as { previous: string } | undefined)?.previous;
  if (!previous) return undefined;
  await db.query(`UPDATE journal_links SET messenger_user_id = NULL WHERE person_id = $1 AND unlinked_at IS NULL`, [who.personId]);
  await writeAudit(db, {
    actor: who.actor,
    actorRole: who.actorRole,
    action: 'messenger.unbound',
    subjectType: 'person',
    subjectId: who.personId,
    details: { provider: 'vk-id', previousMessengerUserId: previous },
    requestId: who.requestId,
  });
  return previous;
}
