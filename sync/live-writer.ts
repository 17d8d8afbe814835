// One run that writes per connection (migration 500). A run's row says "running" until its workflow
// closes it; a workflow that was terminated or timed out never does, so before a row is trusted to
// block a new run, its workflow is asked whether it still lives, and an abandoned row is closed.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { closeAbandonedRun, liveWriterOf, type SyncRun } from '../db/repositories/sync-runs.js';
import type { Queryable } from '../infra/postgres.js';
import type { BusyRun } from '../workflows/roster-definitions.js';

export async function liveWriter(
  db: Queryable,
  temporal: Pick<Client, 'workflow'>,
  connectionId: string,
): Promise<SyncRun | undefined> {
  const run = await liveWriterOf(db, connectionId);
  if (!run) return undefined;
  let ended: string | undefined;
  try {
    const { status } = await temporal.workflow.getHandle(run.workflowId).describe();
    if (status.name !== 'RUNNING') ended = status.name;
  } catch (e) {
    if (!(e instanceof WorkflowNotFoundError)) throw e;
    ended = 'NOT_FOUND';
  }
  if (ended === undefined) return run;
  await closeAbandonedRun(db, run.id, `the run's workflow ended without closing the run (${ended})`);
  return undefined;
}

export const busyRunOf = (run: SyncRun): BusyRun => ({
  runId: run.id,
  workflowId: run.workflowId,
  kind: run.kind,
  status: run.status === 'awaiting-confirmation' ? 'awaiting-confirmation' : 'running',
  startedAt: new Date(run.startedAt).toISOString(),
});
