// Reconciliation runs and their reports (ARCHITECTURE "Reconciliation" step 5). The workflow is the
// source of truth for a run's progress; these rows are its read model for the API, console and CLI.
import type { MessengerCallStats } from '../../adapters/messenger/port.js';
import type { ChatCreatedAgainWarning, RosterWarning } from '../../domain/roster/chats.js';
import type { ExportCounts } from '../../adapters/journals/inspectable.js';
import type { CsvWarning } from '../../adapters/journals/oneroster-csv/warnings.js';
import type { RunSchoolSummary } from './run-summary.js';
import type { Queryable } from '../../infra/postgres.js';

export const SYNC_RUN_STATUSES = ['running', 'awaiting-confirmation', 'applied', 'planned', 'discarded', 'failed'] as const;
export type SyncRunStatus = (typeof SYNC_RUN_STATUSES)[number];
export type SyncRunKind = 'nightly' | 'on-demand';

export interface SyncRunTotals {
  schools?: number;
  rowsRead?: number;
  chats?: number;
  adds?: number;
  removes?: number;
  pending?: number;
  handKept?: number;
  errors?: number;
  appliedAdds?: number;
  appliedRemoves?: number;
  /** Issue 13 (migration 700): invitations handed out this run, invited members still waiting, invited members seen inside, people the messenger refused. */
  appliedInvites?: number;
  invitedWaiting?: number;
  joinedFromInvites?: number;
  refused?: number;
  /** What talking to the messenger took (issue 7): calls made, retries, and why they were retried. */
  messenger?: MessengerCallStats;
}

export interface SyncRunTimings {
  readMs?: number;
  planMs?: number;
  applyMs?: number;
  totalMs?: number;
}

export interface GuardReport {
  threshold: number;
  /**
   * `held`: this run waits for a human. A dry run says what the real run would get: `would-hold`
   * (the schools listed) or `would-pass`. Absent in reports written before it existed.
   */
  verdict?: 'held' | 'would-hold' | 'would-pass';
  schools: Array<{ schoolExternalId: string; removes: number; managedMembers: number; share: number | null }>;
}

export interface SyncRun {
  id: string;
  connectionId: string;
  workflowId: string;
  kind: SyncRunKind;
  scopeSchoolExternalId: string | null;
  scopePersonId: string | null;
  dryRun: boolean;
  status: SyncRunStatus;
  progress: {
    schoolsDone?: number;
    schoolsTotal?: number;
    rowsRead?: number;
    applied?: number;
    /** What the run's check of a file export read, and its warnings (issue 16 items 5, 6). */
    source?: { counts: ExportCounts; warnings: CsvWarning[]; warningsNotListed: number };
  };
  totals: SyncRunTotals;
  timings: SyncRunTimings;
  guard: GuardReport | null;
  requestedBy: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export interface SyncRunSchool {
  schoolExternalId: string;
  status: 'reading' | 'planned' | 'held' | 'applying' | 'applied' | 'discarded' | 'failed';
  rowsRead: number;
  managedMembers: number;
  removes: number;
  readMs: number;
  planMs: number;
  applyMs: number;
  warnings: RunWarning[];
  /** What was read and will be done, read and write calls apart (migration 780). */
  summary: RunSchoolSummary;
}

/** What a school's line of a run report may carry: the roster's, a recreated chat's, a failure's. */
export type RunWarning = RosterWarning | ChatCreatedAgainWarning | { code: 'failed'; message: string };

export interface SyncRunChat {
  schoolExternalId: string;
  chatKey: string;
  title: string;
  adds: number;
  removes: number;
  pending: number;
  handKept: number;
  errors: number;
  appliedAdds: number;
  appliedRemoves: number;
  appliedInvites: number;
  invitedWaiting: number;
  joinedFromInvites: number;
  refused: number;
  errorDetail: unknown;
}

const columns = `id, connection_id AS "connectionId", workflow_id AS "workflowId", kind,
  scope_school_external_id AS "scopeSchoolExternalId", scope_person_id AS "scopePersonId", dry_run AS "dryRun",
  status, progress, totals, timings, guard, requested_by AS "requestedBy", decided_by AS "decidedBy",
  decided_at AS "decidedAt", error, started_at AS "startedAt", finished_at AS "finishedAt"`;

export interface NewSyncRun {
  connectionId: string;
  workflowId: string;
  kind: SyncRunKind;
  scopeSchoolExternalId?: string | null;
  scopePersonId?: string | null;
  dryRun: boolean;
  requestedBy?: string | null;
}

/** Idempotent on the workflow id: an activity retry (or a continued-as-new run) gets the same row. */
export async function ensureSyncRun(db: Queryable, r: NewSyncRun): Promise<SyncRun> {
  const opened = await openSyncRun(db, r);
  if ('busy' in opened) throw new Error(`another run of the connection is live: ${opened.busy.workflowId}`);
  return opened.run;
}

const LIVE = `status IN ('running', 'awaiting-confirmation')`;

/**
 * Opens the run's row, unless another run that writes is live for the connection (migration 500:
 * one writer per connection); then that run is returned as `busy` and nothing is written.
 * Idempotent on the workflow id, like ensureSyncRun.
 */
export async function openSyncRun(db: Queryable, r: NewSyncRun): Promise<{ run: SyncRun } | { busy: SyncRun }> {
  const mine = await findSyncRunByWorkflowId(db, r.workflowId);
  if (mine) return { run: mine };
  try {
    const { rows } = await db.query(
      `INSERT INTO sync_runs (connection_id, workflow_id, kind, scope_school_external_id, scope_person_id, dry_run, requested_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (workflow_id) DO UPDATE SET workflow_id = EXCLUDED.workflow_id
       RETURNING ${columns}`,
      [r.connectionId, r.workflowId, r.kind, r.scopeSchoolExternalId ?? null, r.scopePersonId ?? null, r.dryRun, r.requestedBy ?? null],
    );
    return { run: rows[0] as SyncRun };
  } catch (e) {
    if ((e as { constraint?: string }).constraint !== 'sync_runs_one_writer') throw e;
    const busy = await liveWriterOf(db, r.connectionId);
    // The writer finished between the insert and this read: the caller tries again.
    if (!busy) throw e;
    return { busy };
  }
}

/** The connection's live run that writes (at most one: migration 500), if any. */
export async function liveWriterOf(db: Queryable, connectionId: string): Promise<SyncRun | undefined> {
  const { rows } = await db.query(
    `SELECT ${columns} FROM sync_runs WHERE connection_id = $1 AND NOT dry_run AND ${LIVE}`,
    [connectionId],
  );
  return rows[0] as SyncRun | undefined;
}

/** Closes a run whose workflow ended without closing it (terminated, timed out); false if it was closed meanwhile. */
export async function closeAbandonedRun(db: Queryable, id: string, error: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE sync_runs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1 AND ${LIVE}`,
    [id, error],
  );
  return (rowCount ?? 0) > 0;
}

export async function findSyncRun(db: Queryable, id: string): Promise<SyncRun | undefined> {
  const { rows } = await db.query(`SELECT ${columns} FROM sync_runs WHERE id = $1`, [id]);
  return rows[0] as SyncRun | undefined;
}

export async function findSyncRunByWorkflowId(db: Queryable, workflowId: string): Promise<SyncRun | undefined> {
  const { rows } = await db.query(`SELECT ${columns} FROM sync_runs WHERE workflow_id = $1`, [workflowId]);
  return rows[0] as SyncRun | undefined;
}

export async function listSyncRuns(db: Queryable, connectionId: string, limit = 50): Promise<SyncRun[]> {
  const { rows } = await db.query(
    `SELECT ${columns} FROM sync_runs WHERE connection_id = $1 ORDER BY started_at DESC LIMIT $2`,
    [connectionId, limit],
  );
  return rows as SyncRun[];
}

export async function setSyncRunStatus(
  db: Queryable,
  id: string,
  status: SyncRunStatus,
  extra: { guard?: GuardReport | null; decidedBy?: string; error?: string; finished?: boolean } = {},
): Promise<void> {
  await db.query(
    `UPDATE sync_runs SET status = $2,
       guard = CASE WHEN $3::boolean THEN $4::jsonb ELSE guard END,
       decided_by = coalesce($5, decided_by),
       decided_at = CASE WHEN $5::text IS NOT NULL THEN now() ELSE decided_at END,
       error = coalesce($6, error),
       finished_at = CASE WHEN $7::boolean THEN coalesce(finished_at, now()) ELSE finished_at END
     WHERE id = $1`,
    [
      id,
      status,
      extra.guard !== undefined,
      extra.guard === undefined ? null : JSON.stringify(extra.guard),
      extra.decidedBy ?? null,
      extra.error ?? null,
      extra.finished ?? false,
    ],
  );
}

export async function mergeSyncRunProgress(db: Queryable, id: string, progress: SyncRun['progress']): Promise<void> {
  await db.query(`UPDATE sync_runs SET progress = progress || $2::jsonb WHERE id = $1`, [id, JSON.stringify(progress)]);
}

/** Totals and timings recomputed from the per-school and per-chat rows (so retries never double count). */
export async function refreshSyncRunTotals(db: Queryable, id: string): Promise<SyncRun> {
  await db.query(
    `WITH s AS (
        SELECT count(*)::int AS schools, coalesce(sum(rows_read), 0)::int AS "rowsRead",
               coalesce(sum(read_ms), 0)::int AS "readMs", coalesce(sum(plan_ms), 0)::int AS "planMs",
               coalesce(sum(apply_ms), 0)::int AS "applyMs",
               json_build_object('calls', coalesce(sum(messenger_calls), 0), 'retries', coalesce(sum(messenger_retries), 0),
                 'rateLimited', coalesce(sum(messenger_rate_limited), 0), 'serverErrors', coalesce(sum(messenger_server_errors), 0),
                 'timeouts', coalesce(sum(messenger_timeouts), 0), 'networkErrors', coalesce(sum(messenger_network_errors), 0),
                 'waitedMs', coalesce(sum(messenger_waited_ms), 0)) AS messenger
          FROM sync_run_schools WHERE run_id = $1),
      c AS (
        SELECT count(*)::int AS chats, coalesce(sum(adds), 0)::int AS adds, coalesce(sum(removes), 0)::int AS removes,
               coalesce(sum(pending), 0)::int AS pending, coalesce(sum(hand_kept), 0)::int AS "handKept",
               coalesce(sum(errors), 0)::int AS errors, coalesce(sum(applied_adds), 0)::int AS "appliedAdds",
               coalesce(sum(applied_removes), 0)::int AS "appliedRemoves",
               coalesce(sum(applied_invites), 0)::int AS "appliedInvites", coalesce(sum(invited_waiting), 0)::int AS "invitedWaiting",
               coalesce(sum(joined_from_invites), 0)::int AS "joinedFromInvites", coalesce(sum(refused), 0)::int AS refused
          FROM sync_run_chats WHERE run_id = $1)
     UPDATE sync_runs r SET
       totals = json_build_object('schools', s.schools, 'rowsRead', s."rowsRead", 'chats', c.chats, 'adds', c.adds,
         'removes', c.removes, 'pending', c.pending, 'handKept', c."handKept", 'errors', c.errors,
         'appliedAdds', c."appliedAdds", 'appliedRemoves', c."appliedRemoves", 'appliedInvites', c."appliedInvites",
         'invitedWaiting', c."invitedWaiting", 'joinedFromInvites', c."joinedFromInvites", 'refused', c.refused,
         'messenger', s.messenger)::jsonb,
       timings = json_build_object('readMs', s."readMs", 'planMs', s."planMs", 'applyMs', s."applyMs",
         'totalMs', (extract(epoch FROM (coalesce(r.finished_at, now()) - r.started_at)) * 1000)::int)::jsonb
     FROM s, c WHERE r.id = $1`,
    [id],
  );
  return (await findSyncRun(db, id))!;
}

export async function listSyncRunSchools(db: Queryable, runId: string): Promise<SyncRunSchool[]> {
  const { rows } = await db.query(
    `SELECT school_external_id AS "schoolExternalId", status, rows_read AS "rowsRead", managed_members AS "managedMembers",
            removes, read_ms AS "readMs", plan_ms AS "planMs", apply_ms AS "applyMs", warnings, summary
       FROM sync_run_schools WHERE run_id = $1 ORDER BY school_external_id`,
    [runId],
  );
  return rows as SyncRunSchool[];
}

export async function listSyncRunChats(db: Queryable, runId: string, opts: { schoolExternalId?: string; limit?: number } = {}): Promise<SyncRunChat[]> {
  const { rows } = await db.query(
    `SELECT school_external_id AS "schoolExternalId", chat_key AS "chatKey", title, adds, removes, pending,
            hand_kept AS "handKept", errors, applied_adds AS "appliedAdds", applied_removes AS "appliedRemoves",
            applied_invites AS "appliedInvites", invited_waiting AS "invitedWaiting", joined_from_invites AS "joinedFromInvites",
            refused, error_detail AS "errorDetail"
       FROM sync_run_chats WHERE run_id = $1 AND ($2::text IS NULL OR school_external_id = $2)
      ORDER BY school_external_id, title LIMIT $3`,
    [runId, opts.schoolExternalId ?? null, opts.limit ?? 10_000],
  );
  return rows as SyncRunChat[];
}

/** The whole report: run, per school, per chat. */
export async function syncRunReport(db: Queryable, runId: string) {
  const run = await findSyncRun(db, runId);
  if (!run) return undefined;
  return { run, schools: await listSyncRunSchools(db, runId), chats: await listSyncRunChats(db, runId) };
}
