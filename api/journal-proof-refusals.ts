// R-L5: the refusals of the proof routes (sync/journal-proofs.ts) as problem+json statuses, used by
// api/routes/journal-proofs.ts and published in the route table (OpenAPI).
import { PROOF_REFUSALS, type ProofRefusalCode } from '../sync/journal-proofs.js';
import type { MessageCode } from './messages.js';

export const PROOF_REFUSAL_STATUS: Record<ProofRefusalCode, number> = {
  [PROOF_REFUSALS.notOffered]: 409,
  [PROOF_REFUSALS.signInRefused]: 403,
  [PROOF_REFUSALS.signInUnavailable]: 503,
  [PROOF_REFUSALS.codeInvalid]: 403,
  [PROOF_REFUSALS.notInSchool]: 404,
  [PROOF_REFUSALS.signInExpired]: 410,
  [PROOF_REFUSALS.esiaMismatch]: 403,
  [PROOF_REFUSALS.parentAccount]: 403,
};

/** Route table entries. */
export const SIGN_IN_PROBLEMS: ReadonlyArray<readonly [number, MessageCode]> = [
  [409, PROOF_REFUSALS.notOffered],
  [403, PROOF_REFUSALS.signInRefused],
  [503, PROOF_REFUSALS.signInUnavailable],
  [404, 'connection-not-found'],
];
export const CODE_PROOF_PROBLEMS: ReadonlyArray<readonly [number, MessageCode]> = [
  [403, PROOF_REFUSALS.codeInvalid],
  [404, 'connection-not-found'],
];
export const ISSUE_CODE_PROBLEMS: ReadonlyArray<readonly [number, MessageCode]> = [[404, PROOF_REFUSALS.notInSchool]];
export const ESIA_START_PROBLEMS: ReadonlyArray<readonly [number, MessageCode]> = [
  [409, PROOF_REFUSALS.notOffered],
  [404, 'connection-not-found'],
];
export const ESIA_COMPLETE_PROBLEMS: ReadonlyArray<readonly [number, MessageCode]> = [
  [410, PROOF_REFUSALS.signInExpired],
  [403, PROOF_REFUSALS.signInRefused],
  [403, PROOF_REFUSALS.esiaMismatch],
  [403, PROOF_REFUSALS.parentAccount],
  [503, PROOF_REFUSALS.signInUnavailable],
];
export const DNEVNIK_COMPLETE_PROBLEMS: ReadonlyArray<readonly [number, MessageCode]> = [
  [410, PROOF_REFUSALS.signInExpired],
  [403, PROOF_REFUSALS.signInRefused],
  [503, PROOF_REFUSALS.signInUnavailable],
];
