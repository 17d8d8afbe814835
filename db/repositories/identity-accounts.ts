import { hashPassword } from '../../infra/passwords.js';
import type { Queryable } from '../../infra/postgres.js';

export interface IdentityAccount {
  id: string;
  phone: string | null;
  passwordHash: string;
}

const columns = `id, phone, password_hash AS "passwordHash"`;

/** Dev seed and tests: an identity account (VK ID) that already owns a phone (R-A5). */
export async function insertIdentityAccount(db: Queryable, a: { phone: string; password: string }): Promise<IdentityAccount> {
  const { rows } = await db.query(
    `INSERT INTO identity_accounts (phone, password_hash) VALUES ($1, $2) RETURNING ${columns}`,
    [a.phone, await hashPassword(a.password)],
  );
  return rows[0] as IdentityAccount;
}

export async function findIdentityAccountByPhone(db: Queryable, phone: string): Promise<IdentityAccount | undefined> {
  const { rows } = await db.query(`SELECT ${columns} FROM identity_accounts WHERE phone = $1`, [phone]);
  return rows[0] as IdentityAccount | undefined;
}

export async function findIdentityAccount(db: Queryable, id: string): Promise<IdentityAccount | undefined> {
  const { rows } = await db.query(`SELECT ${columns} FROM identity_accounts WHERE id = $1`, [id]);
  return rows[0] as IdentityAccount | undefined;
}

export async function setIdentityPasswordHash(db: Queryable, id: string, passwordHash: string): Promise<void> {
  await db.query(`UPDATE identity_accounts SET password_hash = $2 WHERE id = $1`, [id, passwordHash]);
}

/** "This is not me": the account keeps its history but no longer owns the phone. */
export async function releaseIdentityPhone(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE identity_accounts SET released_phone = phone, phone = NULL, phone_released_at = now()
      WHERE id = $1 AND phone IS NOT NULL`,
    [id],
  );
  return (rowCount ?? 0) > 0;
}
