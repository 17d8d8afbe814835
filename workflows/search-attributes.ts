// Custom search attributes (ARCHITECTURE.md): "waiting on whom, since when" is a visibility query.
// Every HubStage and HubWaitingOn value a workflow may set is listed here, and workflows set them only
// through stageAttr / waitingOnAttr: a new stage is a type error until it is listed, and a listed stage
// without a Russian and an English label is a type error in api/support/wording.ts.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { APPLICATION_STATUSES } from '../domain/applications.js';
import { INVITE_STATUSES } from '../domain/invites.js';
import { SIGNUP_STAGES } from './signup-definitions.js';

export const HubJourney = defineSearchAttributeKey('HubJourney', SearchAttributeType.KEYWORD);
export const HubStage = defineSearchAttributeKey('HubStage', SearchAttributeType.KEYWORD);
export const HubSchool = defineSearchAttributeKey('HubSchool', SearchAttributeType.KEYWORD);
export const HubWaitingOn = defineSearchAttributeKey('HubWaitingOn', SearchAttributeType.KEYWORD);
export const HubStuckSince = defineSearchAttributeKey('HubStuckSince', SearchAttributeType.DATETIME);

export const hubSearchAttributes = [HubJourney, HubStage, HubSchool, HubWaitingOn, HubStuckSince];

/** HubStage values by HubJourney value. */
export const HUB_STAGES = {
  signup: SIGNUP_STAGES,
  invite: INVITE_STATUSES,
  application: [...APPLICATION_STATUSES, 'escalated'],
  guardians: ['waiting-parent', 'confirmed', 'unconfirmed', 'restricted'],
  'journal-link': ['waiting-proof', 'joining-chats', 'linked', 'join-deferred', 'unlinked'],
  reconcile: ['waiting-for-run', 'reading', 'running', 'awaiting-confirmation', 'applying', 'discarding', 'applied', 'planned', 'discarded', 'failed'],
} as const;

export type HubJourneyValue = keyof typeof HUB_STAGES;
export type HubStageValue = (typeof HUB_STAGES)[HubJourneyValue][number];
export const HUB_JOURNEYS = Object.keys(HUB_STAGES) as HubJourneyValue[];
export const HUB_STAGE_VALUES: readonly HubStageValue[] = [...new Set(Object.values(HUB_STAGES).flat())];

/** Who a journey waits on (HubWaitingOn). */
export const HUB_WAITING_ON = ['person', 'invitee', 'approver', 'authority', 'parent', 'operator', 'other-run'] as const;
export type HubWaitingOnValue = (typeof HUB_WAITING_ON)[number];

export const journeyAttr = (value: HubJourneyValue) => ({ key: HubJourney, value });
export const stageAttr = (value: HubStageValue) => ({ key: HubStage, value });
export const waitingOnAttr = (value: HubWaitingOnValue | null) => ({ key: HubWaitingOn, value });
