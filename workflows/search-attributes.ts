// Custom search attributes (ARCHITECTURE.md): "waiting on whom, since when" is a visibility query.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const HubJourney = defineSearchAttributeKey('HubJourney', SearchAttributeType.KEYWORD);
export const HubStage = defineSearchAttributeKey('HubStage', SearchAttributeType.KEYWORD);
export const HubSchool = defineSearchAttributeKey('HubSchool', SearchAttributeType.KEYWORD);
export const HubWaitingOn = defineSearchAttributeKey('HubWaitingOn', SearchAttributeType.KEYWORD);
export const HubStuckSince = defineSearchAttributeKey('HubStuckSince', SearchAttributeType.DATETIME);

export const hubSearchAttributes = [HubJourney, HubStage, HubSchool, HubWaitingOn, HubStuckSince];
