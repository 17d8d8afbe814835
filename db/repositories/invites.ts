import type { InviteRole, InviteStatus } from '../../domain/invites.js';
import type { Queryable } from '../../infra/postgres.js';

export interface InviteRow {
  id: string;
  tokenHash: string;
  schoolId: string;
  classId: string | null;
  role: InviteRole;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  status: InviteStatus;
  statusChangedAt: Date | null;
}

const columns = `id, token_hash AS "tokenHash", school_id AS "schoolId", class_id AS "classId", role,
  created_by AS "createdBy", created_at AS "createdAt", expires_at AS "expiresAt", status,
  status_changed_at AS "statusChangedAt"`;

export async function insertInvite(
  db: Queryable,
  i: Pick<InviteRow, 'tokenHash' | 'schoolId' | 'classId' | 'role' | 'createdBy' | 'expiresAt'>,
): Promise<InviteRow> {
  const { rows } = await db.query(
    `INSERT INTO invites (token_hash, school_id, class_id, role, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${columns}`,
    [i.tokenHash, i.schoolId, i.classId, i.role, i.createdBy, i.expiresAt],
  );
  return rows[0] as InviteRow;
}

export async function findInviteByHash(db: Queryable, tokenHash: string): Promise<InviteRow | undefined> {
  const { rows } = await db.query(`SELECT ${columns} FROM invites WHERE token_hash = $1`, [tokenHash]);
  return rows[0] as InviteRow | undefined;
}

export async function findInviteById(db: Queryable, id: string): Promise<InviteRow | undefined> {
  const { rows } = await db.query(`SELECT ${columns} FROM invites WHERE id = $1`, [id]);
  return rows[0] as InviteRow | undefined;
}

export async function listInvites(db: Queryable, schoolId: string, limit = 100): Promise<InviteRow[]> {
  const { rows } = await db.query(
    `SELECT ${columns} FROM invites WHERE school_id = $1 ORDER BY created_at DESC LIMIT $2`,
    [schoolId, limit],
  );
  return rows as InviteRow[];
}

/** Moves an active invite to its final status; a repeated call (activity retry) changes nothing. */
export async function setInviteStatus(db: Queryable, id: string, status: InviteStatus): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE invites SET status = $2, status_changed_at = now() WHERE id = $1 AND status = 'active'`,
    [id, status],
  );
  return (rowCount ?? 0) > 0;
}

/** Moves an active invite's end later (support's extendInvite); returns whether it changed. */
export async function setInviteExpiry(db: Queryable, id: string, expiresAt: Date): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE invites SET expires_at = $2 WHERE id = $1 AND status = 'active' AND expires_at IS DISTINCT FROM $2`,
    [id, expiresAt],
  );
  return (rowCount ?? 0) > 0;
}
