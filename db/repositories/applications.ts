import type { ApplicationRole, ApplicationStatus } from '../../domain/applications.js';
import type { Queryable } from '../../infra/postgres.js';

export interface ApplicationRow {
  id: string;
  personId: string;
  schoolId: string;
  classId: string | null;
  role: ApplicationRole;
  via: 'invite' | 'directory';
  inviteId: string | null;
  status: ApplicationStatus;
  createdAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
  reason: string | null;
}

const columns = `id, person_id AS "personId", school_id AS "schoolId", class_id AS "classId", role, via,
  invite_id AS "inviteId", status, created_at AS "createdAt", decided_at AS "decidedAt", decided_by AS "decidedBy", reason`;

export const isUniqueViolation = (e: unknown): boolean => (e as { code?: string }).code === '23505';

export async function insertApplication(
  db: Queryable,
  a: Pick<ApplicationRow, 'personId' | 'schoolId' | 'classId' | 'role' | 'via' | 'inviteId'>,
): Promise<ApplicationRow> {
  const { rows } = await db.query(
    `INSERT INTO applications (person_id, school_id, class_id, role, via, invite_id)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${columns}`,
    [a.personId, a.schoolId, a.classId, a.role, a.via, a.inviteId],
  );
  return rows[0] as ApplicationRow;
}

export async function findApplication(db: Queryable, id: string): Promise<ApplicationRow | undefined> {
  const { rows } = await db.query(`SELECT ${columns} FROM applications WHERE id = $1`, [id]);
  return rows[0] as ApplicationRow | undefined;
}

export async function findPendingApplication(db: Queryable, personId: string, schoolId: string): Promise<ApplicationRow | undefined> {
  const { rows } = await db.query(
    `SELECT ${columns} FROM applications WHERE person_id = $1 AND school_id = $2 AND status = 'pending'`,
    [personId, schoolId],
  );
  return rows[0] as ApplicationRow | undefined;
}

export async function listApplicationsOfPerson(db: Queryable, personId: string): Promise<ApplicationRow[]> {
  const { rows } = await db.query(`SELECT ${columns} FROM applications WHERE person_id = $1 ORDER BY created_at DESC`, [personId]);
  return rows as ApplicationRow[];
}

/** Applications of a school, narrowed to some classes for a class teacher (null: all). */
export async function listApplicationsOfSchool(
  db: Queryable,
  schoolId: string,
  opts: { status?: ApplicationStatus | undefined; classIds: string[] | null; limit: number; offset: number },
): Promise<ApplicationRow[]> {
  const { rows } = await db.query(
    `SELECT ${columns} FROM applications
      WHERE school_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::uuid[] IS NULL OR class_id = ANY($3))
      ORDER BY created_at LIMIT $4 OFFSET $5`,
    [schoolId, opts.status ?? null, opts.classIds, opts.limit, opts.offset],
  );
  return rows as ApplicationRow[];
}

/** Moves a pending application to its end; a repeated call (activity retry) changes nothing. */
export async function closeApplication(
  db: Queryable,
  id: string,
  status: Exclude<ApplicationStatus, 'pending'>,
  decidedBy: string,
  reason: string | undefined,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE applications SET status = $2, decided_at = now(), decided_by = $3, reason = $4 WHERE id = $1 AND status = 'pending'`,
    [id, status, decidedBy, reason ?? null],
  );
  return (rowCount ?? 0) > 0;
}
