import type { Queryable } from '../../infra/postgres.js';

export interface School {
  id: string;
  name: string;
  settlement: string;
  region: string;
  timezone: string;
}

export interface SchoolClass {
  id: string;
  schoolId: string;
  name: string;
  grade: number | null;
}

export async function insertSchool(db: Queryable, s: Omit<School, 'id'> & { id?: string }): Promise<School> {
  const { rows } = await db.query(
    `INSERT INTO schools (id, name, settlement, region, timezone)
     VALUES (coalesce($1::uuid, gen_random_uuid()), $2, $3, $4, $5)
     RETURNING id, name, settlement, region, timezone`,
    [s.id ?? null, s.name, s.settlement, s.region, s.timezone],
  );
  return rows[0] as School;
}

export async function insertClass(db: Queryable, c: Omit<SchoolClass, 'id'>): Promise<SchoolClass> {
  const { rows } = await db.query(
    `INSERT INTO classes (school_id, name, grade) VALUES ($1, $2, $3)
     RETURNING id, school_id AS "schoolId", name, grade`,
    [c.schoolId, c.name, c.grade],
  );
  return rows[0] as SchoolClass;
}

export async function findSchool(db: Queryable, id: string): Promise<School | undefined> {
  const { rows } = await db.query(`SELECT id, name, settlement, region, timezone FROM schools WHERE id = $1`, [id]);
  return rows[0] as School | undefined;
}

export async function findClass(db: Queryable, id: string): Promise<SchoolClass | undefined> {
  const { rows } = await db.query(
    `SELECT id, school_id AS "schoolId", name, grade FROM classes WHERE id = $1`,
    [id],
  );
  return rows[0] as SchoolClass | undefined;
}
