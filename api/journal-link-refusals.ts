// The journal link workflow's refusals (ROSTER_REFUSALS, R-L1..R-L3) as problem+json: one status
// per refusal, used by the routes and published in the route table (OpenAPI).
import { ROSTER_REFUSALS } from '../workflows/roster-definitions.js';
import type { MessageCode } from './messages.js';
import { Problem } from './problem.js';
import { refusalOf } from './temporal-errors.js';

type LinkRefusal =
  | typeof ROSTER_REFUSALS.studentIdentityMismatch
  | typeof ROSTER_REFUSALS.parentIdentityForStudent
  | typeof ROSTER_REFUSALS.journalPersonUnknown
  | typeof ROSTER_REFUSALS.journalPersonWithoutRole
  | typeof ROSTER_REFUSALS.noMessengerAccount
  | typeof ROSTER_REFUSALS.alreadyLinkedElsewhere
  | typeof ROSTER_REFUSALS.notLinked
  | typeof ROSTER_REFUSALS.proofNotVerified
  | typeof ROSTER_REFUSALS.proofOtherIdentity;

export const LINK_REFUSAL_STATUS: Record<LinkRefusal, number> = {
  // R-L3: the proof is not the student's own (a parent's Gosuslugi, a birth date that is not theirs).
  [ROSTER_REFUSALS.studentIdentityMismatch]: 403,
  [ROSTER_REFUSALS.parentIdentityForStudent]: 403,
  // The last run's journal data does not list the identity.
  [ROSTER_REFUSALS.journalPersonUnknown]: 404,
  // Listed by the journal, but with no role or active enrollment the hub can place (issue 16 item 6).
  [ROSTER_REFUSALS.journalPersonWithoutRole]: 409,
  // R-L1, third starting point: sign up first.
  [ROSTER_REFUSALS.noMessengerAccount]: 409,
  [ROSTER_REFUSALS.alreadyLinkedElsewhere]: 409,
  [ROSTER_REFUSALS.notLinked]: 404,
  // R-L5: no proof the hub verified, or one for another journal identity.
  [ROSTER_REFUSALS.proofNotVerified]: 403,
  [ROSTER_REFUSALS.proofOtherIdentity]: 403,
};

const isLinkRefusal = (code: string | undefined): code is LinkRefusal => code !== undefined && Object.hasOwn(LINK_REFUSAL_STATUS, code);

/** The problem for a refusal of the link workflow, or undefined for any other error. */
export function linkRefusalProblem(error: unknown): Problem | undefined {
  const code = refusalOf(error);
  return isLinkRefusal(code) ? new Problem(LINK_REFUSAL_STATUS[code], code satisfies MessageCode) : undefined;
}

/** Route table entries: the problems a link route answers with, besides 400/401/403/429. */
export const LINK_PROBLEMS: ReadonlyArray<readonly [number, MessageCode]> = [
  ...(Object.entries(LINK_REFUSAL_STATUS) as [LinkRefusal, number][])
    .filter(([code]) => code !== ROSTER_REFUSALS.notLinked)
    .map(([code, status]) => [status, code] as const),
  [404, 'connection-not-found'],
];
export const UNLINK_PROBLEMS: ReadonlyArray<readonly [number, MessageCode]> = [[404, ROSTER_REFUSALS.notLinked]];
