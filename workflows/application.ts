// applicationWorkflow (R-J4, R-J5): one per person and school, id application/<person>/<school>.
// Waits for an approver's decision; reminds the approvers, escalates to the authority, and expires
// on timers whose lengths come in the input (so tests can use seconds).
import {
  ApplicationFailure,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  proxyLocalActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { createActivities } from '../activities/index.js';
import { mayDecide } from '../domain/applications.js';
import {
  REFUSALS,
  applicationStateQuery,
  approveApplicationUpdate,
  cancelApplicationUpdate,
  guardianWorkflowId,
  rejectApplicationUpdate,
  remindApproversUpdate,
  type ApplicationState,
  type ApplicationWorkflowInput,
  type DecisionInput,
  type GuardianWorkflowInput,
  type SupportActionInput,
} from './definitions.js';
import { HubSchool, HubStuckSince, journeyAttr, stageAttr, waitingOnAttr } from './search-attributes.js';

// Local activities: short database writes inside an approver's request; run by the worker that holds
// the workflow task, they cost no extra round trips through the Temporal server (bench/RESULTS.md).
const acts = proxyLocalActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});

export async function applicationWorkflow(input: ApplicationWorkflowInput): Promise<ApplicationState> {
  const startedMs = workflowInfo().startTime.getTime();
  const state: ApplicationState = { status: 'pending', waitingOn: 'approver' };
  // Set the moment a decision (or expiry) begins, so a second approver racing the first is refused.
  let closing = false;

  upsertSearchAttributes([
    journeyAttr('application'),
    stageAttr('pending'),
    { key: HubSchool, value: input.schoolId },
    waitingOnAttr('approver'),
    { key: HubStuckSince, value: workflowInfo().startTime },
  ]);

  const validate = (d: DecisionInput): void => {
    if (state.status !== 'pending' || closing) {
      throw ApplicationFailure.nonRetryable(`application is ${state.status}`, REFUSALS.applicationClosed, state.status);
    }
    if (!mayDecide(d.approver, input)) {
      throw ApplicationFailure.nonRetryable('not an approver of this application', REFUSALS.notAllowedToApprove);
    }
  };

  const notifyApplicant = (status: string): Promise<void> =>
    acts.notify({
      dedupeKey: `application.${status}/${input.applicationId}`,
      kind: `application.${status}`,
      recipientKind: 'person',
      recipientId: input.personId,
      payload: { applicationId: input.applicationId, schoolId: input.schoolId, classId: input.classId },
    });

  setHandler(applicationStateQuery, () => ({ ...state }));

  setHandler(
    approveApplicationUpdate,
    async (d) => {
      closing = true;
      const result = await acts.approveApplication({
        applicationId: input.applicationId,
        actor: d.approver.id,
        actorRole: d.actorRole,
        reason: d.reason,
        requestId: d.requestId,
      });
      state.status = 'approved';
      state.decidedAt = new Date().toISOString();
      if (input.role === 'student') state.guardian = result.guardian;
      if (result.guardian === 'required') await startGuardians(input);
      await notifyApplicant('approved');
      return { ...state };
    },
    { validator: validate },
  );

  setHandler(
    rejectApplicationUpdate,
    async (d) => {
      closing = true;
      await acts.closeApplication({
        applicationId: input.applicationId,
        status: 'rejected',
        actor: d.approver.id,
        actorRole: d.actorRole,
        reason: d.reason,
        requestId: d.requestId,
      });
      state.status = 'rejected';
      state.decidedAt = new Date().toISOString();
      await notifyApplicant('rejected');
      return { ...state };
    },
    { validator: validate },
  );

  // Support actions: another reminder now, or closing the application with a reason.
  let supportReminders = 0;
  const refuseUnlessPending = (_a: SupportActionInput): void => {
    if (state.status !== 'pending' || closing) {
      throw ApplicationFailure.nonRetryable(`application is ${state.status}`, REFUSALS.applicationClosed, state.status);
    }
  };
  setHandler(
    remindApproversUpdate,
    async (a) => {
      supportReminders += 1;
      await acts.notify({
        dedupeKey: `application.reminder/${input.applicationId}/support-${supportReminders}`,
        kind: 'application.reminder',
        recipientKind: 'school_approvers',
        recipientId: input.schoolId,
        payload: { applicationId: input.applicationId, classId: input.classId, role: input.role, by: a.actor },
      });
      state.remindedAt = new Date().toISOString();
      return { ...state };
    },
    { validator: refuseUnlessPending },
  );
  setHandler(
    cancelApplicationUpdate,
    async (a) => {
      closing = true;
      await acts.closeApplication({
        applicationId: input.applicationId,
        status: 'rejected',
        actor: a.actor,
        actorRole: a.actorRole,
        reason: a.reason,
        requestId: a.requestId,
      });
      state.status = 'rejected';
      state.decidedAt = new Date().toISOString();
      await notifyApplicant('rejected');
      return { ...state };
    },
    { validator: refuseUnlessPending },
  );

  const settled = (): boolean => closing || state.status !== 'pending';
  const until = (afterMs: number): number => Math.max(1, startedMs + afterMs - Date.now());

  if (!(await condition(settled, until(input.timing.remindAfterMs)))) {
    await acts.notify({
      dedupeKey: `application.reminder/${input.applicationId}`,
      kind: 'application.reminder',
      recipientKind: 'school_approvers',
      recipientId: input.schoolId,
      payload: { applicationId: input.applicationId, classId: input.classId, role: input.role },
    });
    state.remindedAt = new Date().toISOString();
  }
  if (!(await condition(settled, until(input.timing.escalateAfterMs)))) {
    await acts.escalateApplication({ applicationId: input.applicationId, schoolId: input.schoolId, classId: input.classId });
    state.escalatedAt = new Date().toISOString();
    state.waitingOn = 'authority';
    upsertSearchAttributes([
      stageAttr('escalated'),
      waitingOnAttr('authority'),
    ]);
  }
  if (!(await condition(settled, until(input.timing.expireAfterMs)))) {
    closing = true;
    await acts.closeApplication({ applicationId: input.applicationId, status: 'expired', actor: 'system' });
    state.status = 'expired';
    await notifyApplicant('expired');
  }
  await condition(() => state.status !== 'pending');
  state.waitingOn = null;
  upsertSearchAttributes([
    stageAttr(state.status),
    waitingOnAttr(null),
    { key: HubStuckSince, value: null },
  ]);
  await condition(allHandlersFinished);
  return { ...state };
}

/** R-G1: an approved child under 14 starts parent confirmation; it outlives this workflow. */
async function startGuardians(input: ApplicationWorkflowInput): Promise<void> {
  const args: GuardianWorkflowInput = {
    childId: input.personId,
    schoolId: input.schoolId,
    required: true,
    restrictAfterMs: input.guardianRestrictAfterMs,
    linkOpenMs: input.guardianLinkOpenMs,
  };
  try {
    await startChild('guardianWorkflow', {
      workflowId: guardianWorkflowId(input.personId),
      args: [args],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  } catch (error) {
    // Already confirming (e.g. the child joined a second school): one journey per child.
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}
