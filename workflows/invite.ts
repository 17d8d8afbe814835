// inviteWorkflow (R-J2, R-J3): one per link, id invite/<tokenHash>. Waits for the invitee or an admin,
// or for its expiry timer; every end is recorded in PostgreSQL by an activity.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { InviteStatus } from '../domain/invites.js';
import type { createActivities } from '../activities/index.js';
import {
  REFUSALS,
  acceptInviteUpdate,
  declineInviteUpdate,
  inviteStateQuery,
  revokeInviteUpdate,
  type InviteActionInput,
  type InviteState,
  type InviteWorkflowInput,
} from './definitions.js';
import { HubJourney, HubSchool, HubStage, HubStuckSince, HubWaitingOn } from './search-attributes.js';

const { recordInviteStatus } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});

export async function inviteWorkflow(input: InviteWorkflowInput): Promise<InviteState> {
  const state: InviteState = { status: 'active' };
  upsertSearchAttributes([
    { key: HubJourney, value: 'invite' },
    { key: HubStage, value: 'active' },
    { key: HubSchool, value: input.schoolId },
    { key: HubWaitingOn, value: 'invitee' },
    { key: HubStuckSince, value: workflowInfo().startTime },
  ]);

  const refuseUnlessActive = (): void => {
    if (state.status !== 'active') {
      throw ApplicationFailure.nonRetryable(`invite is ${state.status}`, REFUSALS.inviteNotActive, state.status);
    }
  };
  const finish = async (status: InviteStatus, action: InviteActionInput): Promise<InviteState> => {
    state.status = status;
    state.changedAt = new Date().toISOString();
    await recordInviteStatus({ inviteId: input.inviteId, status, actor: action.actor, reason: action.reason });
    return { ...state };
  };

  setHandler(inviteStateQuery, () => ({ ...state }));
  setHandler(revokeInviteUpdate, (a) => finish('revoked', a), { validator: (_a: InviteActionInput) => refuseUnlessActive() });
  setHandler(declineInviteUpdate, (a) => finish('declined', a), { validator: (_a: InviteActionInput) => refuseUnlessActive() });
  setHandler(acceptInviteUpdate, (a) => finish('accepted', a), { validator: (_a: InviteActionInput) => refuseUnlessActive() });

  const untilExpiry = Math.max(0, Date.parse(input.expiresAt) - Date.now());
  const acted = await condition(() => state.status !== 'active', untilExpiry);
  if (!acted) await finish('expired', { actor: 'system' });

  upsertSearchAttributes([
    { key: HubStage, value: state.status },
    { key: HubWaitingOn, value: null },
    { key: HubStuckSince, value: null },
  ]);
  await condition(allHandlersFinished);
  return { ...state };
}
