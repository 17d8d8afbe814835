// School-issued one-time linking codes (R-L5, migration 750). Only the code's SHA-256 is stored.
import type { Queryable } from '../../infra/postgres.js';

/** A new code for one journal person; the person's earlier open codes are void (one open code at a time). */
export async function insertLinkingCode(
  db: Queryable,
  c: { connectionId: string; externalPersonId: string; schoolId: string; codeHash: string; issuedBy: string; issuedRole: string; ttlMs: number },
): Promise<{ id: string; expiresAt: Date }> {
  await db.query(
    `UPDATE journal_linking_codes SET voided_at = now()
      WHERE connection_id = $1 AND external_person_id = $2 AND used_at IS NULL AND voided_at IS NULL`,
    [c.connectionId, c.externalPersonId],
  );
  const { rows } = await db.query(
    `INSERT INTO journal_linking_codes (connection_id, external_person_id, school_id, code_hash, issued_by, issued_role, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, now() + $7 * interval '1 millisecond') RETURNING id, expires_at AS "expiresAt"`,
    [c.connectionId, c.externalPersonId, c.schoolId, c.codeHash, c.issuedBy, c.issuedRole, c.ttlMs],
  );
  return rows[0] as { id: string; expiresAt: Date };
}

export type CodeCheck = { ok: true; codeId: string } | { ok: false; why: 'wrong' | 'none-open' | 'now-void' };

/**
 * Redeems the code for this journal person, once. A wrong code counts against every open code of
 * the person; at `maxFailures` they are void, so guessing ends long before it could succeed. Call
 * inside a transaction (rows are locked while counted).
 */
export async function redeemLinkingCode(
  tx: Queryable,
  c: { connectionId: string; externalPersonId: string; codeHash: string; personId: string; maxFailures: number },
): Promise<CodeCheck> {
  const { rows } = await tx.query(
    `SELECT id, code_hash AS "codeHash" FROM journal_linking_codes
      WHERE connection_id = $1 AND external_person_id = $2 AND used_at IS NULL AND voided_at IS NULL AND expires_at > now()
      FOR UPDATE`,
    [c.connectionId, c.externalPersonId],
  );
  const open = rows as Array<{ id: string; codeHash: string }>;
  if (open.length === 0) return { ok: false, why: 'none-open' };
  const hit = open.find((r) => r.codeHash === c.codeHash);
  if (hit) {
    await tx.query(`UPDATE journal_linking_codes SET used_at = now(), used_by = $2 WHERE id = $1`, [hit.id, c.personId]);
    return { ok: true, codeId: hit.id };
  }
  const { rows: voided } = await tx.query(
    `UPDATE journal_linking_codes SET failed_attempts = failed_attempts + 1,
            voided_at = CASE WHEN failed_attempts + 1 >= $2 THEN now() END
      WHERE id = ANY($1::uuid[]) RETURNING voided_at IS NOT NULL AS void`,
    [open.map((r) => r.id), c.maxFailures],
  );
  return { ok: false, why: (voided as Array<{ void: boolean }>).some((r) => r.void) ? 'now-void' : 'wrong' };
}

/** The school's connection school id for a journal person, when the connection serves that hub school and the journal lists them there. */
export async function journalPersonOfSchool(
  db: Queryable,
  p: { schoolId: string; connectionId: string; externalPersonId: string },
): Promise<{ roles: string[] } | undefined> {
  const { rows } = await db.query(
    `SELECT jp.roles FROM journal_connection_schools s
       JOIN journal_people jp ON jp.connection_id = s.connection_id AND jp.school_external_id = s.school_external_id
      WHERE s.connection_id = $1 AND s.school_id = $2 AND jp.external_id = $3 LIMIT 1`,
    [p.connectionId, p.schoolId, p.externalPersonId],
  );
  return rows[0] as { roles: string[] } | undefined;
}
