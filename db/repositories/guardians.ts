import type { Queryable } from '../../infra/postgres.js';

/** R-G2: a new link replaces the child's earlier ones, so a link sent to the wrong person can be retired. */
export async function replaceParentLink(db: Queryable, childId: string, tokenHash: string): Promise<void> {
  await db.query(`DELETE FROM parent_links WHERE child_id = $1`, [childId]);
  await db.query(`INSERT INTO parent_links (token_hash, child_id) VALUES ($1, $2)`, [tokenHash, childId]);
}

export async function childOfLink(db: Queryable, tokenHash: string): Promise<string | undefined> {
  const { rows } = await db.query(`SELECT child_id AS "childId" FROM parent_links WHERE token_hash = $1`, [tokenHash]);
  return (rows[0] as { childId: string } | undefined)?.childId;
}

/** Returns whether the pair is new (a repeated confirmation by the same parent adds nothing). */
export async function addGuardianship(db: Queryable, childId: string, parentId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO guardianships (child_id, parent_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
    [childId, parentId],
  );
  return (rowCount ?? 0) > 0;
}

export async function parentsOf(db: Queryable, childId: string): Promise<string[]> {
  const { rows } = await db.query(`SELECT parent_id AS "parentId" FROM guardianships WHERE child_id = $1 ORDER BY confirmed_at`, [childId]);
  return (rows as { parentId: string }[]).map((r) => r.parentId);
}

export async function childrenOf(db: Queryable, parentId: string): Promise<string[]> {
  const { rows } = await db.query(`SELECT child_id AS "childId" FROM guardianships WHERE parent_id = $1 ORDER BY confirmed_at`, [parentId]);
  return (rows as { childId: string }[]).map((r) => r.childId);
}

export interface ConsentEvidence {
  childId: string;
  parentId: string;
  textVersion: string;
  textHash: string;
  requestId: string | undefined;
  corrections: Record<string, unknown>;
}

export async function recordConsent(db: Queryable, c: ConsentEvidence): Promise<void> {
  await db.query(
    `INSERT INTO consents (child_id, parent_id, text_version, text_hash, request_id, corrections)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (child_id, parent_id, text_version) DO NOTHING`,
    [c.childId, c.parentId, c.textVersion, c.textHash, c.requestId ?? null, c.corrections],
  );
}
