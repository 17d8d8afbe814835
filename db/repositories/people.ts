import type { Contact } from '../../domain/contact.js';
import type { SignupProfile } from '../../domain/signup.js';
import type { Queryable } from '../../infra/postgres.js';

export interface Person {
  id: string;
  phone: string | null;
  email: string | null;
  firstName: string;
  lastName: string;
  patronymic: string | null;
  gender: 'male' | 'female' | null;
  /** ISO calendar date (YYYY-MM-DD) or null. */
  birthDate: string | null;
  restricted: boolean;
  identityAccountId: string | null;
}

export type PersonRow = Person;

const columns = `id, phone, email, first_name AS "firstName", last_name AS "lastName", patronymic, gender,
  to_char(birth_date, 'YYYY-MM-DD') AS "birthDate", restricted, identity_account_id AS "identityAccountId"`;

export async function insertPerson(
  db: Queryable,
  p: Omit<Person, 'id' | 'restricted' | 'email' | 'patronymic' | 'gender' | 'identityAccountId'> &
    Partial<Pick<Person, 'email' | 'patronymic' | 'gender'>>,
): Promise<Person> {
  const { rows } = await db.query(
    `INSERT INTO people (phone, email, first_name, last_name, patronymic, gender, birth_date)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${columns}`,
    [p.phone, p.email ?? null, p.firstName, p.lastName, p.patronymic ?? null, p.gender ?? null, p.birthDate],
  );
  return rows[0] as Person;
}

export async function findPerson(db: Queryable, id: string): Promise<Person | undefined> {
  const { rows } = await db.query(`SELECT ${columns} FROM people WHERE id = $1`, [id]);
  return rows[0] as Person | undefined;
}

/** R-A7: returns whether the flag changed, so a retried activity audits once. */
export async function setRestricted(db: Queryable, id: string, restricted: boolean): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE people SET restricted = $2, restricted_at = CASE WHEN $2 THEN now() ELSE NULL END
      WHERE id = $1 AND restricted IS DISTINCT FROM $2`,
    [id, restricted],
  );
  return (rowCount ?? 0) > 0;
}

export interface PersonCorrections {
  firstName?: string | undefined;
  lastName?: string | undefined;
  patronymic?: string | null | undefined;
  birthDate?: string | undefined;
  gender?: 'male' | 'female' | undefined;
}

/** R-G6: a parent corrects the child's data; only the fields given change. */
export async function correctPerson(db: Queryable, id: string, c: PersonCorrections): Promise<void> {
  await db.query(
    `UPDATE people SET
       first_name = coalesce($2, first_name),
       last_name  = coalesce($3, last_name),
       patronymic = CASE WHEN $4::boolean THEN $5 ELSE patronymic END,
       birth_date = coalesce($6::date, birth_date),
       gender     = coalesce($7, gender)
     WHERE id = $1`,
    [id, c.firstName ?? null, c.lastName ?? null, c.patronymic !== undefined, c.patronymic ?? null, c.birthDate ?? null, c.gender ?? null],
  );
}

export async function findPersonByContact(db: Queryable, c: Contact): Promise<PersonRow | undefined> {
  const { rows } = await db.query(
    c.kind === 'phone' ? `SELECT ${columns} FROM people WHERE phone = $1` : `SELECT ${columns} FROM people WHERE email = $1`,
    [c.kind === 'phone' ? c.phone : c.email],
  );
  return rows[0] as PersonRow | undefined;
}

/**
 * Inserts the profile unless the phone (or e-mail) already has one (R-A1, enforced by the unique
 * constraint). `created` is true also when a retry finds the row this same signup inserted before.
 */
export async function insertPersonOnce(
  db: Queryable,
  p: { contact: Contact; profile: SignupProfile; identityAccountId: string | null; createdBy: string },
): Promise<{ personId: string; created: boolean }> {
  const phone = p.contact.kind === 'phone' ? p.contact.phone : null;
  const email = p.contact.kind === 'email' ? p.contact.email : null;
  const inserted = await db.query(
    `INSERT INTO people (phone, email, first_name, last_name, patronymic, gender, birth_date, identity_account_id, created_by_signup)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT DO NOTHING RETURNING id`,
    [phone, email, p.profile.firstName, p.profile.lastName, p.profile.patronymic ?? null, p.profile.gender, p.profile.birthDate, p.identityAccountId, p.createdBy],
  );
  const row = inserted.rows[0] as { id: string } | undefined;
  if (row) return { personId: row.id, created: true };
  const { rows } = await db.query(
    `SELECT id, created_by_signup AS "createdBy" FROM people WHERE ${phone ? 'phone' : 'email'} = $1`,
    [phone ?? email],
  );
  const existing = rows[0] as { id: string; createdBy: string | null } | undefined;
  if (!existing) throw new Error('person insert conflicted but no row holds the contact');
  return { personId: existing.id, created: existing.createdBy === p.createdBy };
}

/** "This is not me" on a recycled number: the old profile keeps the number as released. */
export async function releasePersonPhone(db: Queryable, phone: string): Promise<string | undefined> {
  const { rows } = await db.query(
    `UPDATE people SET released_phone = phone, phone = NULL, phone_released_at = now() WHERE phone = $1 RETURNING id`,
    [phone],
  );
  return (rows[0] as { id: string } | undefined)?.id;
}
