// The per-school summary of a run's report (migration 780, issue 16 item 6): what was read per kind,
// what the plan will do, and the messenger's read and write calls counted apart.
import type { Queryable } from '../../infra/postgres.js';

export interface ReadCounts {
  classes: number;
  students: number;
  teachers: number;
  staff: number;
  parents: number;
  enrollments: number;
  guardianships: number;
}
export interface PlanCounts {
  chatsToCreate: number;
  adds: number;
  removes: number;
  /** People the plan would place but who have not joined the hub yet (invitations to send). */
  pending: number;
}
export interface RunSchoolSummary {
  read?: ReadCounts;
  plan?: PlanCounts;
  calls?: { messengerReads: number; messengerWrites: number };
}

/** Sets what was read and planned (a re-plan replaces it). */
export async function setRunSchoolPlanSummary(db: Queryable, runId: string, school: string, read: ReadCounts, plan: PlanCounts): Promise<void> {
  await db.query(
    `UPDATE sync_run_schools SET summary = summary || jsonb_build_object('read', $3::jsonb, 'plan', $4::jsonb)
      WHERE run_id = $1 AND school_external_id = $2`,
    [runId, school, JSON.stringify(read), JSON.stringify(plan)],
  );
}

/** Adds messenger calls of one attempt to the school's read or write count (attempts add up). */
export async function addRunSchoolCalls(db: Queryable, runId: string, school: string, kind: 'messengerReads' | 'messengerWrites', calls: number): Promise<void> {
  await db.query(
    `UPDATE sync_run_schools SET summary = jsonb_set(summary, '{calls}',
        coalesce(summary->'calls', '{"messengerReads":0,"messengerWrites":0}'::jsonb)
        || jsonb_build_object($3::text, coalesce((summary->'calls'->>$3)::int, 0) + $4::int))
      WHERE run_id = $1 AND school_external_id = $2`,
    [runId, school, kind, calls],
  );
}

/** The run's summary: every school line's added up. */
export function sumSummaries(lines: ReadonlyArray<{ summary?: RunSchoolSummary }>): Required<RunSchoolSummary> {
  const read: ReadCounts = { classes: 0, students: 0, teachers: 0, staff: 0, parents: 0, enrollments: 0, guardianships: 0 };
  const plan: PlanCounts = { chatsToCreate: 0, adds: 0, removes: 0, pending: 0 };
  const calls = { messengerReads: 0, messengerWrites: 0 };
  for (const { summary } of lines) {
    for (const k of Object.keys(read) as Array<keyof ReadCounts>) read[k] += summary?.read?.[k] ?? 0;
    for (const k of Object.keys(plan) as Array<keyof PlanCounts>) plan[k] += summary?.plan?.[k] ?? 0;
    calls.messengerReads += summary?.calls?.messengerReads ?? 0;
    calls.messengerWrites += summary?.calls?.messengerWrites ?? 0;
  }
  return { read, plan, calls };
}
