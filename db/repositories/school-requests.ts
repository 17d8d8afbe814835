import type { Queryable } from '../../infra/postgres.js';

export interface SchoolRequestRow {
  id: string;
  personId: string;
  region: string | null;
  settlement: string;
  schoolName: string;
  role: 'student' | 'teacher';
  className: string | null;
  comment: string | null;
  status: string;
  createdAt: Date;
}

const columns = `id, person_id AS "personId", region, settlement, school_name AS "schoolName", role,
  class_name AS "className", comment, status, created_at AS "createdAt"`;

export async function insertSchoolRequest(
  db: Queryable,
  r: Pick<SchoolRequestRow, 'personId' | 'region' | 'settlement' | 'schoolName' | 'role' | 'className' | 'comment'>,
): Promise<SchoolRequestRow> {
  const { rows } = await db.query(
    `INSERT INTO school_requests (person_id, region, settlement, school_name, role, class_name, comment)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${columns}`,
    [r.personId, r.region, r.settlement, r.schoolName, r.role, r.className, r.comment],
  );
  return rows[0] as SchoolRequestRow;
}

/** Newest first; `region` null lists every region (support), otherwise one authority's own and the unplaced ones. */
export async function listSchoolRequests(db: Queryable, region: string | null, page: { limit: number; offset: number }) {
  const { rows } = await db.query(
    `SELECT ${columns} FROM school_requests WHERE ($1::text IS NULL OR region = $1 OR region IS NULL)
      ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
    [region, page.limit + 1, page.offset],
  );
  return rows as SchoolRequestRow[];
}

/** The region of a settlement the directory already knows, so the request reaches the right authority. */
export async function regionOfSettlement(db: Queryable, settlement: string): Promise<string | null> {
  const { rows } = await db.query(`SELECT region FROM schools WHERE hub_fold(settlement) = hub_fold($1) LIMIT 1`, [settlement]);
  return (rows[0] as { region: string } | undefined)?.region ?? null;
}
