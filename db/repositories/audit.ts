import type { Queryable } from '../../infra/postgres.js';

export interface AuditEntry {
  actor: string;
  actorRole?: string | undefined;
  action: string;
  subjectType: string;
  subjectId: string;
  reason?: string | undefined;
  details?: Record<string, unknown>;
  requestId?: string | undefined;
}

export async function writeAudit(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (actor, actor_role, action, subject_type, subject_id, reason, details, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [e.actor, e.actorRole ?? null, e.action, e.subjectType, e.subjectId, e.reason ?? null, e.details ?? {}, e.requestId ?? null],
  );
}

export interface AuditRow {
  at: Date;
  actor: string;
  actorRole: string | null;
  action: string;
  reason: string | null;
  details: Record<string, unknown>;
}

export async function auditFor(db: Queryable, subjectType: string, subjectId: string): Promise<AuditRow[]> {
  const { rows } = await db.query(
    `SELECT at, actor, actor_role AS "actorRole", action, reason, details
       FROM audit_log WHERE subject_type = $1 AND subject_id = $2 ORDER BY at, id`,
    [subjectType, subjectId],
  );
  return rows as AuditRow[];
}
