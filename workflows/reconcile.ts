// reconcileWorkflow: one run of one journal connection (ARCHITECTURE "Reconciliation"; R-C1..R-C7).
// Schools go through child workflows in a sliding window (batch-sliding-window sample); the run
// continues as new after a page of schools so history stays small for a region of thousands.
// A school whose plan would remove too much is held (mass-change guard): when every school is done
// the run waits, status awaiting-confirmation, for confirmRun / discardRun, or discards on timeout.
import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { HubActivities } from '../activities/index.js';
import {
  ROSTER_REFUSALS,
  confirmRunUpdate,
  discardRunUpdate,
  reconcileStateQuery,
  schoolReconcileWorkflowId,
  supersedeRunSignal,
  type ReconcileCarry,
  type ReconcileInput,
  type ReconcileState,
  type RunDecisionInput,
  type SchoolOutcome,
  type SchoolPlanRef,
  type SchoolReconcileInput,
} from './roster-definitions.js';
import { HubSchool, HubStuckSince, journeyAttr, stageAttr, waitingOnAttr } from './search-attributes.js';
import { reconcileSchoolWorkflow } from './reconcile-school.js';

const quick = proxyActivities<HubActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '1 minute' },
});

const DEFAULTS = { schoolsInFlight: 4, schoolsPerExecution: 200, busyPollMs: 30_000 };

export async function reconcileWorkflow(input: ReconcileInput): Promise<ReconcileState> {
  const tuning = { ...DEFAULTS, ...input.tuning };
  const wfId = workflowInfo().workflowId;
  upsertSearchAttributes([
    journeyAttr('reconcile'),
    stageAttr('reading'),
    { key: HubSchool, value: input.scope?.schoolExternalId ?? input.connectionId },
    waitingOnAttr(null),
  ]);

  let decision: { kind: 'confirm' | 'discard'; actor: string } | undefined;
  let supersededBy: string | undefined;
  setHandler(supersedeRunSignal, ({ byWorkflowId }) => {
    supersededBy ??= byWorkflowId;
  });

  /**
   * Opens the run's row. Only one run that writes may be live per connection: a run held for
   * confirmation is asked to discard its plan (a newer run reads the journal afresh and plans again);
   * a running one is waited for by the nightly run and refuses a run on demand (the caller is told
   * which run is in the way and can follow it).
   */
  async function begin(): Promise<ReconcileCarry> {
    let waiting = false;
    for (;;) {
      const begun = await quick.beginSyncRun({
        workflowId: wfId,
        connectionId: input.connectionId,
        kind: input.kind,
        dryRun: input.dryRun,
        ...(input.scope ? { scope: input.scope } : {}),
        ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
        massRemovalShare: input.massRemovalShare,
      });
      if (!('busy' in begun)) {
        if (waiting) upsertSearchAttributes([stageAttr('reading'), waitingOnAttr(null), { key: HubStuckSince, value: null }]);
        return { ...begun, next: 0, done: 0, outcomes: [], startedAt: new Date().toISOString() };
      }
      const holder = begun.busy;
      if (holder.status === 'awaiting-confirmation') {
        await getExternalWorkflowHandle(holder.workflowId)
          .signal(supersedeRunSignal, { byWorkflowId: wfId })
          .catch(() => undefined); // it ended meanwhile: the next look finds the way free
      } else if (input.kind === 'on-demand') {
        throw ApplicationFailure.nonRetryable(
          `another run of this connection is running: ${holder.workflowId}`,
          ROSTER_REFUSALS.syncAlreadyRunning,
          holder,
        );
      }
      if (!waiting) {
        waiting = true;
        upsertSearchAttributes([stageAttr('waiting-for-run'), waitingOnAttr('other-run'), { key: HubStuckSince, value: new Date() }]);
      }
      await sleep(holder.status === 'awaiting-confirmation' ? 1_000 : tuning.busyPollMs);
    }
  }
  const carry: ReconcileCarry = input.carry ?? (await begin());

  const state: ReconcileState = {
    runId: carry.runId,
    status: 'running',
    schoolsTotal: carry.schools.length,
    schoolsDone: carry.done ?? carry.outcomes.length,
    held: carry.outcomes.filter((o) => o.status === 'held').map((o) => o.schoolExternalId),
  };
  setHandler(reconcileStateQuery, () => ({ ...state, held: [...state.held] }));
  const notAwaiting = () =>
    state.status === 'awaiting-confirmation' && !decision && !supersededBy
      ? null
      : ApplicationFailure.nonRetryable('the run is not waiting for a decision', ROSTER_REFUSALS.notAwaitingConfirmation, state.status);
  const decide = (kind: 'confirm' | 'discard') => async (d: RunDecisionInput) => {
    decision = { kind, actor: d.actor };
    await condition(() => state.status !== 'awaiting-confirmation');
    return { ...state, held: [...state.held] };
  };
  const validator = (_d: RunDecisionInput) => {
    const refused = notAwaiting();
    if (refused) throw refused;
  };
  setHandler(confirmRunUpdate, decide('confirm'), { validator });
  setHandler(discardRunUpdate, decide('discard'), { validator });

  const child = (school: SchoolPlanRef, mode: SchoolReconcileInput['mode']) =>
    startChild(reconcileSchoolWorkflow, {
      workflowId: schoolReconcileWorkflowId(wfId, mode === 'full' ? school.externalId : `${school.externalId}/apply`),
      args: [
        {
          runId: carry.runId,
          connectionId: input.connectionId,
          school,
          threshold: carry.threshold,
          dryRun: input.dryRun,
          mode,
          ...(input.scope?.personId ? { scopePersonId: input.scope.personId } : {}),
          ...(input.tuning ? { tuning: input.tuning } : {}),
        },
      ],
      parentClosePolicy: ParentClosePolicy.TERMINATE,
    });

  /**
   * What went wrong, for the run's report: the innermost application failure under the child and
   * activity wrappers ("Activity task failed" says nothing), in Russian when the edge gave a text
   * for people (activities/roster-errors.ts: file, row and column of a broken export).
   */
  function failureText(e: unknown): string {
    let text = e instanceof Error ? e.message : String(e);
    for (let c: unknown = e, depth = 0; c instanceof Error && depth < 8; c = c.cause, depth++) {
      if (c instanceof ApplicationFailure) {
        const ru = (c.details?.[0] as { ru?: unknown } | undefined)?.ru;
        text = typeof ru === 'string' ? ru : c.message;
      }
    }
    return text;
  }

  /** Runs `schools` through children, at most `schoolsInFlight` at a time. */
  async function window(schools: SchoolPlanRef[], mode: SchoolReconcileInput['mode'], onDone: (o: SchoolOutcome) => Promise<void>) {
    const inFlight = new Map<string, Promise<void>>();
    for (const school of schools) {
      if (inFlight.size >= tuning.schoolsInFlight) await Promise.race(inFlight.values());
      const handle: ChildWorkflowHandle<typeof reconcileSchoolWorkflow> = await child(school, mode);
      const done = handle.result().then(
        (o) => onDone(o),
        (e: unknown) =>
          onDone({
            schoolExternalId: school.externalId,
            status: 'failed',
            rowsRead: 0,
            adds: 0,
            removes: 0,
            pending: 0,
            managedMembers: 0,
            error: failureText(e),
          }),
      );
      const tracked = done.finally(() => inFlight.delete(school.externalId));
      inFlight.set(school.externalId, tracked);
    }
    await Promise.all(inFlight.values());
  }

  // ---- plan (and apply what passes the guard), one page of schools per execution ----
  const page = carry.schools.slice(carry.next, carry.next + tuning.schoolsPerExecution);
  if (page.length > 0) {
    await window(page, 'full', async (o) => {
      carry.done = (carry.done ?? carry.outcomes.length) + 1;
      if (o.status === 'held' || o.status === 'failed' || o.wouldHold) carry.outcomes.push(o.error ? { ...o, error: o.error.slice(0, 1_000) } : o);
      state.schoolsDone = carry.done;
      if (o.status === 'held') state.held.push(o.schoolExternalId);
      if (o.status === 'failed') await quick.closeSchool({ runId: carry.runId, schoolExternalId: o.schoolExternalId, status: 'failed', ...(o.error ? { error: o.error } : {}) });
    });
    await quick.noteRunProgress({ runId: carry.runId, schoolsDone: state.schoolsDone });
    const next = carry.next + page.length;
    if (next < carry.schools.length) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof reconcileWorkflow>({ ...input, carry: { ...carry, next } });
    }
  }

  // ---- held schools wait for a human ----
  const failed = carry.outcomes.filter((o) => o.status === 'failed');
  const guardOf = (schools: SchoolOutcome[]) => ({
    threshold: carry.threshold,
    schools: schools.map((o) => ({
      schoolExternalId: o.schoolExternalId,
      removes: o.removes,
      managedMembers: o.managedMembers,
      share: o.managedMembers > 0 ? o.removes / o.managedMembers : null,
    })),
  });
  let finalStatus: ReconcileState['status'] = input.dryRun ? 'planned' : 'applied';
  if (state.held.length > 0 && !input.dryRun) {
    const heldOutcomes = carry.outcomes.filter((o) => o.status === 'held');
    state.status = 'awaiting-confirmation';
    upsertSearchAttributes([
      stageAttr('awaiting-confirmation'),
      waitingOnAttr('operator'),
      { key: HubStuckSince, value: new Date() },
    ]);
    await quick.setRunStatus({
      runId: carry.runId,
      status: 'awaiting-confirmation',
      guard: { ...guardOf(heldOutcomes), verdict: 'held' },
    });
    await condition(() => decision !== undefined || supersededBy !== undefined, input.confirmWithinMs);
    const d =
      decision ??
      (supersededBy
        ? { kind: 'discard' as const, actor: `system:superseded-by:${supersededBy}` }
        : { kind: 'discard' as const, actor: 'system:confirmation-timeout' });
    upsertSearchAttributes([
      stageAttr(d.kind === 'confirm' ? 'applying' : 'discarding'),
      waitingOnAttr(null),
      { key: HubStuckSince, value: null },
    ]);
    const heldSchools = carry.schools.filter((s) => state.held.includes(s.externalId));
    if (d.kind === 'confirm') {
      await window(heldSchools, 'apply', async () => undefined);
    } else {
      for (const s of heldSchools) await quick.closeSchool({ runId: carry.runId, schoolExternalId: s.externalId, status: 'discarded' });
      finalStatus = 'discarded';
    }
    state.decidedBy = d.actor;
    await quick.setRunStatus({ runId: carry.runId, status: finalStatus, decidedBy: d.actor });
  } else {
    if (failed.length > 0) finalStatus = 'failed';
    // A dry run reports the verdict the real run would get: which schools it would hold, or none.
    const wouldHold = carry.outcomes.filter((o) => o.wouldHold);
    await quick.setRunStatus({
      runId: carry.runId,
      status: finalStatus,
      ...(input.dryRun ? { guard: { ...guardOf(wouldHold), verdict: wouldHold.length > 0 ? ('would-hold' as const) : ('would-pass' as const) } } : {}),
      ...(failed.length > 0 ? { error: `${failed.length} of ${carry.schools.length} schools failed: ${failed.map((f) => `${f.schoolExternalId}: ${f.error ?? ''}`).join('; ')}` } : {}),
    });
  }
  state.status = finalStatus;
  upsertSearchAttributes([stageAttr(finalStatus)]);
  await condition(allHandlersFinished);
  return { ...state, held: [...state.held] };
}
