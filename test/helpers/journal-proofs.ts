// Arrange helpers for R-L5: a real proof the hub verified, obtained the way production obtains one:
// the person's own Eljur sign-in against the journal simulator, or a code the school issued.
import type { Principal } from '../../api/auth.js';
import type { Pool } from '../../infra/postgres.js';
import { issueLinkingCode, proveByJournalSignIn, proveByLinkingCode, type ProofContext } from '../../sync/journal-proofs.js';
import type { TestApi } from './api.js';
import { JOURNAL_PASSWORD, type RosterWorld } from './roster.js';

const context = (pool: Pool, w: RosterWorld): ProofContext => ({ pool, secrets: () => w.box, proofTtlMs: 15 * 60_000 });

/** The person signs in to Eljur as `login` (by default the journal person's own account) through the use case; the proof id. */
export async function signInProof(pool: Pool, w: RosterWorld, personId: string, login: string, password = JOURNAL_PASSWORD): Promise<string> {
  const proof = await proveByJournalSignIn(context(pool, w), { personId, role: 'person' }, w.connection, { login, password });
  return proof.proofId;
}

/** The school issues a code for the journal person and the person redeems it through the use case; the proof id. */
export async function schoolCodeProof(pool: Pool, w: RosterWorld, personId: string, externalPersonId: string): Promise<string> {
  const target = { connectionId: w.connection.id, externalPersonId };
  const { code } = await issueLinkingCode(pool, { sub: 'test-admin', role: 'school_admin' }, { schoolId: w.hubSchool!.school.id, ...target }, 3600_000);
  const proof = await proveByLinkingCode({ ...context(pool, w), maxFailures: 5 }, { personId, role: 'person' }, target, code);
  return proof.proofId;
}

/** Over HTTP: the person's own journal sign-in (POST /v1/me/journal-proofs/journal-login); the whole answer. */
export async function signInOverApi(api: TestApi, w: RosterWorld, as: Principal, login: string, password = JOURNAL_PASSWORD) {
  return api.call('POST', '/v1/me/journal-proofs/journal-login', { as, body: { connectionId: w.connection.id, login, password } });
}

/** Over HTTP: staff issue a code (POST /v1/schools/:schoolId/journal-linking-codes); the whole answer. */
export async function issueCodeOverApi(api: TestApi, w: RosterWorld, staff: Principal, externalPersonId: string, schoolId = w.hubSchool!.school.id) {
  return api.call('POST', `/v1/schools/${schoolId}/journal-linking-codes`, { as: staff, body: { connectionId: w.connection.id, externalPersonId } });
}

/** Over HTTP: the person redeems a code (POST /v1/me/journal-proofs/linking-code); the whole answer. */
export async function redeemCodeOverApi(api: TestApi, w: RosterWorld, as: Principal, externalPersonId: string, code: string) {
  return api.call('POST', '/v1/me/journal-proofs/linking-code', { as, body: { connectionId: w.connection.id, externalPersonId, code } });
}
