// The school directory people search when applying (R-J1). Matching is case-insensitive and reads
// ё as е (hub_fold, migration 150), whatever the database's locale.
import type { Queryable } from '../../infra/postgres.js';

const likeEscape = (q: string): string => q.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface Page {
  limit: number;
  offset: number;
}

/** Settlements whose name contains `q`; those starting with it come first. */
export async function searchSettlements(db: Queryable, q: string, page: Page) {
  const { rows } = await db.query(
    `SELECT settlement AS name, region, count(*)::int AS schools
       FROM schools
      WHERE hub_fold(settlement) LIKE '%' || hub_fold($1) || '%'
      GROUP BY settlement, region
      ORDER BY (hub_fold(settlement) LIKE hub_fold($1) || '%') DESC, hub_fold(settlement), region
      LIMIT $2 OFFSET $3`,
    [likeEscape(q), page.limit + 1, page.offset],
  );
  return rows as { name: string; region: string; schools: number }[];
}

export async function searchSchools(db: Queryable, f: { settlement: string; region?: string | undefined; q: string }, page: Page) {
  const { rows } = await db.query(
    `SELECT id, name, settlement, region
       FROM schools
      WHERE hub_fold(settlement) = hub_fold($1)
        AND ($2::text IS NULL OR region = $2)
        AND hub_fold(name) LIKE '%' || hub_fold($3) || '%'
      ORDER BY hub_fold(name), id
      LIMIT $4 OFFSET $5`,
    [f.settlement, f.region ?? null, likeEscape(f.q), page.limit + 1, page.offset],
  );
  return rows as { id: string; name: string; settlement: string; region: string }[];
}

export async function classesOf(db: Queryable, schoolId: string, page: Page) {
  const { rows } = await db.query(
    `SELECT id, name, grade FROM classes WHERE school_id = $1
      ORDER BY grade NULLS LAST, name LIMIT $2 OFFSET $3`,
    [schoolId, page.limit + 1, page.offset],
  );
  return rows as { id: string; name: string; grade: number | null }[];
}
