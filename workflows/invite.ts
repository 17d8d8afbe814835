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
import { DAY_MS, type InviteStatus } from '../domain/invites.js';
import type { createActivities } from '../activities/index.js';
import {
  REFUSALS,
  acceptInviteUpdate,
  declineInviteUpdate,
  extendInviteUpdate,
  inviteStateQuery,
  revokeInviteUpdate,
  type ExtendInviteInput,
  type InviteActionInput,
  type InviteState,
  type InviteWorkflowInput,
} from './definitions.js';
import { HubSchool, HubStuckSince, journeyAttr, stageAttr, waitingOnAttr } from './search-attributes.js';

const { recordInviteStatus, recordInviteExpiry } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});

export async function inviteWorkflow(input: InviteWorkflowInput): Promise<InviteState> {
  const state: InviteState = { status: 'active' };
  upsertSearchAttributes([
    journeyAttr('invite'),
    stageAttr('active'),
    { key: HubSchool, value: input.schoolId },
    waitingOnAttr('invitee'),
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

  // Support may move the expiry later (extendInvite); the timer then waits for the new one.
  let expiresAtMs = Date.parse(input.expiresAt);
  setHandler(
    extendInviteUpdate,
    async (a) => {
      expiresAtMs = Date.parse(a.expiresAt);
      await recordInviteExpiry({ inviteId: input.inviteId, expiresAt: a.expiresAt, actor: a.actor, actorRole: a.actorRole, reason: a.reason, requestId: a.requestId });
      return { ...state, expiresAt: new Date(expiresAtMs).toISOString() };
    },
    {
      validator: (a: ExtendInviteInput) => {
        refuseUnlessActive();
        const next = Date.parse(a.expiresAt);
        if (!Number.isFinite(next) || next <= expiresAtMs || next > Date.now() + a.maxDays * DAY_MS) {
          throw ApplicationFailure.nonRetryable('the new expiry must be later and within the maximum', REFUSALS.inviteExtensionInvalid, a.maxDays);
        }
      },
    },
  );

  while (state.status === 'active') {
    const untilExpiry = Math.max(0, expiresAtMs - Date.now());
    const acted = await condition(() => state.status !== 'active', untilExpiry);
    if (!acted && Date.now() >= expiresAtMs) await finish('expired', { actor: 'system' });
  }

  upsertSearchAttributes([
    stageAttr(state.status),
    waitingOnAttr(null),
    { key: HubStuckSince, value: null },
  ]);
  await condition(allHandlersFinished);
  return { ...state };
}
