import type { Queryable } from '../../infra/postgres.js';

export type SchoolRole = 'admin' | 'class_teacher' | 'teacher' | 'student' | 'parent';

export interface SchoolRoleRow {
  personId: string;
  schoolId: string;
  classId: string | null;
  role: SchoolRole;
}

/** Idempotent: the unique index makes a repeated grant a no-op. Returns whether a row was added. */
export async function grantSchoolRole(db: Queryable, r: SchoolRoleRow): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO school_roles (person_id, school_id, class_id, role) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
    [r.personId, r.schoolId, r.classId, r.role],
  );
  return (rowCount ?? 0) > 0;
}

export async function rolesOf(db: Queryable, personId: string): Promise<SchoolRoleRow[]> {
  const { rows } = await db.query(
    `SELECT person_id AS "personId", school_id AS "schoolId", class_id AS "classId", role
       FROM school_roles WHERE person_id = $1 ORDER BY created_at`,
    [personId],
  );
  return rows as SchoolRoleRow[];
}
