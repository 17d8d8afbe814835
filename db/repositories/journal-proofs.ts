// Verified journal proofs (R-L5, migration 750): written by the hub after its own verification,
// read once by the link activity in the transaction that writes the link.
import type { Queryable } from '../../infra/postgres.js';

export type StoredProofMethod = 'journal-login' | 'dnevnik-oauth' | 'esia' | 'linking-code';

/** What a verification established beyond the journal id; compared by sync/link-rules.ts. */
export interface ProofFacts {
  birthDate?: string;
  snilsMatched?: boolean;
  roles?: string[];
  children?: string[];
  isParentAccount?: boolean;
}

export interface StoredProof {
  id: string;
  method: StoredProofMethod;
  facts: ProofFacts;
}

export async function insertProof(
  db: Queryable,
  p: { personId: string; connectionId: string; externalPersonId: string; method: StoredProofMethod; facts: ProofFacts; ttlMs: number },
): Promise<{ id: string; expiresAt: Date }> {
  const { rows } = await db.query(
    `INSERT INTO journal_proofs (person_id, connection_id, external_person_id, method, facts, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + $6 * interval '1 millisecond') RETURNING id, expires_at AS "expiresAt"`,
    [p.personId, p.connectionId, p.externalPersonId, p.method, p.facts, p.ttlMs],
  );
  return rows[0] as { id: string; expiresAt: Date };
}

export type ProofCheck = { ok: true; proof: StoredProof } | { ok: false; why: 'not-verified' | 'other-identity' };

/**
 * Takes the proof for this link, once: it must be the person's own, unexpired, unused, and for
 * this very journal identity. Runs inside the link's transaction, so a refused or rolled-back link
 * leaves the proof as it was.
 */
export async function takeProof(
  tx: Queryable,
  p: { proofId: string; personId: string; connectionId: string; externalPersonId: string },
): Promise<ProofCheck> {
  const { rows } = await tx.query(
    `SELECT id, method, facts, person_id AS "personId", connection_id AS "connectionId", external_person_id AS "externalPersonId",
            used_at IS NULL AND expires_at > now() AS "open"
       FROM journal_proofs WHERE id = $1 FOR UPDATE`,
    [p.proofId],
  );
  const row = rows[0] as (StoredProof & { personId: string; connectionId: string; externalPersonId: string; open: boolean }) | undefined;
  if (!row || row.personId !== p.personId || !row.open) return { ok: false, why: 'not-verified' };
  if (row.connectionId !== p.connectionId || row.externalPersonId !== p.externalPersonId) return { ok: false, why: 'other-identity' };
  await tx.query(`UPDATE journal_proofs SET used_at = now() WHERE id = $1`, [p.proofId]);
  return { ok: true, proof: { id: row.id, method: row.method, facts: row.facts } };
}
