// guardianWorkflow (R-G1..R-G7): one per child, id guardians/<child>. Parents join through
// acceptAsParent; its validator enforces R-G3..R-G5 before anything is written. An under-14 child
// left unconfirmed past the deadline is restricted (R-A7) until a parent confirms.
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  log,
  condition,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { CURRENT_CONSENT } from '../domain/consent.js';
import { MAX_PARENTS, refuseParentPlace } from '../domain/guardians.js';
import {
  REFUSALS,
  acceptAsParentUpdate,
  guardianStateQuery,
  type AcceptAsParentInput,
  type GuardianState,
  type GuardianWorkflowInput,
} from './definitions.js';
import { HubSchool, HubStuckSince, journeyAttr, stageAttr, waitingOnAttr } from './search-attributes.js';

const acts = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumInterval: '1 minute' },
});

export async function guardianWorkflow(input: GuardianWorkflowInput): Promise<GuardianState> {
  const startedMs = workflowInfo().startTime.getTime();
  const state: GuardianState = { status: 'waiting', required: input.required, parents: [], restricted: false };
  if (input.required) state.restrictAt = new Date(startedMs + input.restrictAfterMs).toISOString();
  // Parents whose confirmation is being written: they hold a place, so a racing third is refused.
  const confirming: string[] = [];
  const taken = (): string[] => [...state.parents, ...confirming];

  upsertSearchAttributes([
    journeyAttr('guardians'),
    stageAttr('waiting-parent'),
    ...(input.schoolId ? [{ key: HubSchool, value: input.schoolId }] : []),
    waitingOnAttr('parent'),
    { key: HubStuckSince, value: workflowInfo().startTime },
  ]);
  setHandler(guardianStateQuery, () => ({ ...state, parents: [...state.parents] }));

  const refusal = (a: AcceptAsParentInput): ApplicationFailure | null => {
    if (state.status === 'closed') return ApplicationFailure.nonRetryable('no longer accepting parents', REFUSALS.guardiansClosed);
    if (a.consent.version !== CURRENT_CONSENT.version) {
      return ApplicationFailure.nonRetryable('consent text changed', REFUSALS.consentVersionMismatch, CURRENT_CONSENT.version);
    }
    // R-G4 (phones) was checked by the API before the update: no phone or phone hash is in history.
    const why = refuseParentPlace(input.childId, taken(), a.parentId);
    return why ? ApplicationFailure.nonRetryable(why, why, MAX_PARENTS) : null;
  };

  setHandler(
    acceptAsParentUpdate,
    async (a) => {
      if (state.parents.includes(a.parentId)) return { ...state, parents: [...state.parents] };
      if (confirming.includes(a.parentId)) {
        await condition(() => !confirming.includes(a.parentId));
        return { ...state, parents: [...state.parents] };
      }
      const refused = refusal(a);
      if (refused) throw refused;
      confirming.push(a.parentId);
      try {
        await acts.confirmGuardian({
          childId: input.childId,
          parentId: a.parentId,
          consent: a.consent,
          corrections: a.corrections,
          requestId: a.requestId,
        });
        state.parents.push(a.parentId);
      } finally {
        confirming.splice(confirming.indexOf(a.parentId), 1);
      }
      state.restricted = false;
      state.status = 'confirmed';
      upsertSearchAttributes([
        stageAttr('confirmed'),
        waitingOnAttr(null),
        { key: HubStuckSince, value: null },
      ]);
      return { ...state, parents: [...state.parents] };
    },
    {
      validator: (a: AcceptAsParentInput) => {
        const refused = refusal(a);
        if (refused) throw refused;
      },
    },
  );

  // Parents confirmed earlier (say, before a closed journey was started again) still count.
  for (const id of await acts.parentsOfChild({ childId: input.childId })) {
    if (!state.parents.includes(id)) state.parents.push(id);
  }
  if (state.parents.length > 0) state.status = 'confirmed';

  const until = (afterMs: number): number => Math.max(1, startedMs + afterMs - Date.now());
  if (input.required && state.parents.length === 0) {
    const confirmed = await condition(() => state.parents.length > 0 || confirming.length > 0, until(input.restrictAfterMs));
    if (!confirmed) {
      await acts.setAccountRestricted({ childId: input.childId, restricted: true, actor: 'system', reason: 'parent-not-confirmed' });
      state.restricted = true;
      upsertSearchAttributes([stageAttr('restricted')]);
      // R-A7 takes effect in the chats at once, not at the next night's run (journeys restricted before
      // this step existed replay without it).
      if (patched('restricted-child-leaves-chats')) {
        // A failure here must not end the journey: runs keep a restricted child out of the chats anyway.
        await acts.withdrawRestrictedFromChats({ childId: input.childId }).catch((err: unknown) => {
          if (!(err instanceof ActivityFailure)) throw err;
          log.warn('restricted child not taken out of chats now; the next run does it', { childId: input.childId });
        });
      }
      // A parent who confirmed while the restriction was being written must not be undone by it.
      await condition(() => confirming.length === 0);
      if (state.parents.length > 0) {
        await acts.setAccountRestricted({ childId: input.childId, restricted: false, actor: 'system', reason: 'parent-confirmed' });
        state.restricted = false;
      }
    }
  }

  await condition(() => state.parents.length >= MAX_PARENTS && confirming.length === 0, until(input.linkOpenMs));
  await condition(() => confirming.length === 0);
  state.status = 'closed';
  upsertSearchAttributes([
    stageAttr(state.parents.length > 0 ? 'confirmed' : 'unconfirmed'),
    waitingOnAttr(null),
    { key: HubStuckSince, value: null },
  ]);
  await condition(allHandlersFinished);
  return { ...state, parents: [...state.parents] };
}
