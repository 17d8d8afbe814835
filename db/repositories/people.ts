import type { Contact } from '../../domain/contact.js';
import type { SignupProfile } from '../../domain/signup.js';
import type { Queryable } from '../../infra/postgres.js';

export interface PersonRow {
  id: string;
  phone: string | null;
  email: string | null;
  firstName: string;
  lastName: string;
  patronymic: string | null;
  gender: string | null;
  birthDate: string | null;
  restricted: boolean;
  identityAccountId: string | null;
}

const columns = `id, phone, email, first_name AS "firstName", last_name AS "lastName", patronymic, gender,
  to_char(birth_date, 'YYYY-MM-DD') AS "birthDate", restricted, identity_account_id AS "identityAccountId"`;

export async function findPersonByContact(db: Queryable, c: Contact): Promise<PersonRow | undefined> {
  const { rows } = await db.query(
    c.kind === 'phone' ? `SELECT ${columns} FROM people WHERE phone = $1` : `SELECT ${columns} FROM people WHERE email = $1`,
    [c.kind === 'phone' ? c.phone : c.email],
  );
  return rows[0] as PersonRow | undefined;
}

export async function findPerson(db: Queryable, id: string): Promise<PersonRow | undefined> {
  const { rows } = await db.query(`SELECT ${columns} FROM people WHERE id = $1`, [id]);
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
