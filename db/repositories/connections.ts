// Journal connections (an authority's journal system for some schools) and their schools.
// Credentials are sealed with infra/secrets.ts (AES-256-GCM) bound to the connection id; they never
// leave this module in clear except through readCredentials, which only the worker calls.
import { randomUUID } from 'node:crypto';
import type { JournalKind } from '../../adapters/journals/port.js';
import type { Queryable } from '../../infra/postgres.js';
import type { SecretBox } from '../../infra/secrets.js';

export type Credentials = Record<string, string>;

export interface ConnectionSchool {
  schoolExternalId: string;
  /** The hub school this journal school is, when known. */
  schoolId: string | null;
  /** null = the connection's strictMode. */
  strictMode: boolean | null;
  enabled: boolean;
}

export interface JournalConnection {
  id: string;
  name: string;
  kind: JournalKind;
  settings: Record<string, unknown>;
  hasCredentials: boolean;
  region: string | null;
  cron: string | null;
  timezone: string | null;
  enabled: boolean;
  paused: boolean;
  strictMode: boolean;
  massRemovalShare: number | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  schools: ConnectionSchool[];
}

export interface NewConnection {
  name: string;
  kind: JournalKind;
  settings?: Record<string, unknown>;
  credentials?: Credentials;
  region?: string | null;
  cron?: string | null;
  timezone?: string | null;
  enabled?: boolean;
  paused?: boolean;
  strictMode?: boolean;
  massRemovalShare?: number | null;
  createdBy?: string | null;
  schools?: Array<Pick<ConnectionSchool, 'schoolExternalId'> & Partial<Omit<ConnectionSchool, 'schoolExternalId'>>>;
}

export type ConnectionPatch = Partial<Omit<NewConnection, 'kind' | 'createdBy'>>;

const columns = `c.id, c.name, c.kind, c.settings, c.credentials_enc IS NOT NULL AS "hasCredentials", c.region, c.cron,
  c.timezone, c.enabled, c.paused, c.strict_mode AS "strictMode", c.mass_removal_share::float8 AS "massRemovalShare",
  c.created_by AS "createdBy", c.created_at AS "createdAt", c.updated_at AS "updatedAt",
  coalesce((SELECT json_agg(json_build_object('schoolExternalId', s.school_external_id, 'schoolId', s.school_id,
      'strictMode', s.strict_mode, 'enabled', s.enabled) ORDER BY s.school_external_id)
    FROM journal_connection_schools s WHERE s.connection_id = c.id), '[]'::json) AS schools`;

const seal = (box: SecretBox, id: string, c: Credentials) => box.seal(JSON.stringify(c), `journal_connections:${id}`);

export async function insertConnection(db: Queryable, box: SecretBox, c: NewConnection): Promise<JournalConnection> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO journal_connections (id, name, kind, settings, credentials_enc, region, cron, timezone, enabled, paused,
       strict_mode, mass_removal_share, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      id,
      c.name,
      c.kind,
      JSON.stringify(c.settings ?? {}),
      c.credentials ? seal(box, id, c.credentials) : null,
      c.region ?? null,
      c.cron ?? null,
      c.timezone ?? null,
      c.enabled ?? true,
      c.paused ?? false,
      c.strictMode ?? false,
      c.massRemovalShare ?? null,
      c.createdBy ?? null,
    ],
  );
  if (c.schools) await setConnectionSchools(db, id, c.schools);
  return (await findConnection(db, id))!;
}

export async function updateConnection(db: Queryable, box: SecretBox, id: string, p: ConnectionPatch): Promise<JournalConnection | undefined> {
  const sets: string[] = [];
  const values: unknown[] = [id];
  const set = (column: string, value: unknown) => {
    values.push(value);
    sets.push(`${column} = $${values.length}`);
  };
  if (p.name !== undefined) set('name', p.name);
  if (p.settings !== undefined) set('settings', JSON.stringify(p.settings));
  if (p.credentials !== undefined) set('credentials_enc', seal(box, id, p.credentials));
  if (p.region !== undefined) set('region', p.region);
  if (p.cron !== undefined) set('cron', p.cron);
  if (p.timezone !== undefined) set('timezone', p.timezone);
  if (p.enabled !== undefined) set('enabled', p.enabled);
  if (p.paused !== undefined) set('paused', p.paused);
  if (p.strictMode !== undefined) set('strict_mode', p.strictMode);
  if (p.massRemovalShare !== undefined) set('mass_removal_share', p.massRemovalShare);
  sets.push('updated_at = now()');
  const { rowCount } = await db.query(`UPDATE journal_connections SET ${sets.join(', ')} WHERE id = $1`, values);
  if (!rowCount) return undefined;
  if (p.schools) await setConnectionSchools(db, id, p.schools);
  return findConnection(db, id);
}

/** Makes the connection's school list equal to `schools` (others removed). */
export async function setConnectionSchools(db: Queryable, connectionId: string, schools: NonNullable<NewConnection['schools']>): Promise<void> {
  await db.query(`DELETE FROM journal_connection_schools WHERE connection_id = $1 AND NOT (school_external_id = ANY($2::text[]))`, [
    connectionId,
    schools.map((s) => s.schoolExternalId),
  ]);
  for (const s of schools) {
    await db.query(
      `INSERT INTO journal_connection_schools (connection_id, school_external_id, school_id, strict_mode, enabled)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (connection_id, school_external_id) DO UPDATE
         SET school_id = EXCLUDED.school_id, strict_mode = EXCLUDED.strict_mode, enabled = EXCLUDED.enabled`,
      [connectionId, s.schoolExternalId, s.schoolId ?? null, s.strictMode ?? null, s.enabled ?? true],
    );
  }
}

export async function findConnection(db: Queryable, id: string): Promise<JournalConnection | undefined> {
  const { rows } = await db.query(`SELECT ${columns} FROM journal_connections c WHERE c.id = $1`, [id]);
  return rows[0] as JournalConnection | undefined;
}

export async function listConnections(db: Queryable, opts: { region?: string } = {}): Promise<JournalConnection[]> {
  const { rows } = await db.query(
    `SELECT ${columns} FROM journal_connections c WHERE ($1::text IS NULL OR c.region = $1) ORDER BY c.created_at`,
    [opts.region ?? null],
  );
  return rows as JournalConnection[];
}

/** Connections the nightly scheduler runs: enabled and not paused. */
export async function listScheduledConnections(db: Queryable): Promise<JournalConnection[]> {
  const { rows } = await db.query(`SELECT ${columns} FROM journal_connections c WHERE c.enabled AND NOT c.paused ORDER BY c.id`);
  return rows as JournalConnection[];
}

/** The connection's secrets in clear; only the worker's journal factory should call this. */
export async function readCredentials(db: Queryable, box: SecretBox, id: string): Promise<Credentials | undefined> {
  const { rows } = await db.query(`SELECT credentials_enc AS enc FROM journal_connections WHERE id = $1`, [id]);
  const enc = (rows[0] as { enc: string | null } | undefined)?.enc;
  return enc ? (JSON.parse(box.open(enc, `journal_connections:${id}`)) as Credentials) : undefined;
}

export async function deleteConnection(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query(`DELETE FROM journal_connections WHERE id = $1`, [id]);
  return (rowCount ?? 0) > 0;
}
