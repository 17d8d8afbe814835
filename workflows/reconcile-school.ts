// One school of a reconciliation run: stage the roster (streamed, heartbeating), plan, then apply
// in chunks unless this is a dry run or the mass-change guard holds the school for a human.
import { proxyActivities } from '@temporalio/workflow';
import type { HubActivities } from '../activities/index.js';
import type { SchoolOutcome, SchoolReconcileInput } from './roster-definitions.js';

export async function reconcileSchoolWorkflow(input: SchoolReconcileInput): Promise<SchoolOutcome> {
  const heartbeatTimeout = input.tuning?.heartbeatTimeoutMs ?? 60_000;
  const chunk = input.tuning?.applyChunk ?? 2000;
  const long = proxyActivities<HubActivities>({
    startToCloseTimeout: '2 hours',
    heartbeatTimeout,
    retry: { initialInterval: '1 second', maximumInterval: '2 minutes', maximumAttempts: 30 },
  });
  const school = input.school.externalId;
  const base: SchoolOutcome = { schoolExternalId: school, status: 'planned', rowsRead: 0, adds: 0, removes: 0, pending: 0, managedMembers: 0 };

  if (input.mode === 'full') {
    const staged = await long.stageSchoolRoster({ runId: input.runId, connectionId: input.connectionId, schoolExternalId: school });
    base.rowsRead = staged.rowsRead;
    const plan = await long.planSchool({
      runId: input.runId,
      connectionId: input.connectionId,
      school: input.school,
      threshold: input.threshold,
      dryRun: input.dryRun,
      ...(input.tuning?.messengerReads ? { messengerReads: input.tuning.messengerReads } : {}),
      ...(input.scopePersonId ? { scopePersonId: input.scopePersonId } : {}),
    });
    Object.assign(base, { adds: plan.adds, removes: plan.removes, pending: plan.pending, managedMembers: plan.managedMembers });
    if (input.dryRun) {
      await long.closeSchool({ runId: input.runId, schoolExternalId: school, status: 'planned' });
      return plan.mustConfirm ? { ...base, wouldHold: true } : base;
    }
    if (plan.mustConfirm) return { ...base, status: 'held' };
  }
  for (;;) {
    const r = await long.applySchoolChanges({ runId: input.runId, connectionId: input.connectionId, schoolExternalId: school, chunk });
    if (r.remaining === 0) break;
  }
  await long.closeSchool({ runId: input.runId, schoolExternalId: school, status: 'applied' });
  return { ...base, status: 'applied' };
}
