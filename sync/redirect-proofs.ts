// Redirect sign-ins (R-L5): the hub starts the sign-in, the provider sends the person back with a
// code, the hub exchanges it server to server. Gosuslugi (ESIA, OpenID Connect) for EPOS journal
// identities (R-L3): what it certifies is compared with one journal person (domain/esia-match.ts).
// Dnevnik.ru (OAuth 2.0): `users/me` names the journal person. A success leaves a proof like any
// other (sync/journal-proofs.ts).
import { randomBytes } from 'node:crypto';
import type { RedirectSignIn } from '../adapters/identity-proof/port.js';
import { SignInRefused, type VerifiedIdentity } from '../adapters/identity-proof/port.js';
import type { JournalConnection } from '../db/repositories/connections.js';
import { insertSignIn, takeSignIn } from '../db/repositories/journal-sign-ins.js';
import { findJournalPerson } from '../db/repositories/roster-sync.js';
import { matchEsiaIdentity } from '../domain/esia-match.js';
import { hashToken } from '../infra/tokens.js';
import { PROOF_REFUSALS, refuseProof, storeProof, type Actor, type IssuedProof, type ProofContext } from './journal-proofs.js';

/** Journal kinds whose people sign in with Gosuslugi (R-L3: EPOS). */
const ESIA_KINDS = new Set(['epos-file']);

export interface EsiaContext extends ProofContext {
  /** Absent when the hub has no ESIA registration (ESIA_ISSUER unset). */
  esia: RedirectSignIn | undefined;
  redirectUri: string | undefined;
  /** How long the person has to come back from the provider. */
  signInTtlMs: number;
}

export interface DnevnikContext extends ProofContext {
  /** The Dnevnik sign-in for a connection (its API), or undefined when the hub has no Dnevnik client. */
  dnevnikFor: (connection: JournalConnection) => RedirectSignIn | undefined;
  redirectUri: string | undefined;
  signInTtlMs: number;
  findConnection: (id: string) => Promise<JournalConnection | undefined>;
}

export async function startEsiaSignIn(
  ctx: EsiaContext,
  who: Actor,
  connection: JournalConnection,
  externalPersonId: string,
): Promise<{ authorizeUrl: string; expiresAt: string }> {
  if (!ctx.esia || !ctx.redirectUri || !ESIA_KINDS.has(connection.kind)) {
    return refuseProof(ctx, who, { method: 'esia', connectionId: connection.id, externalPersonId }, PROOF_REFUSALS.notOffered);
  }
  const state = randomBytes(32).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const expiresAt = await insertSignIn(ctx.pool, hashToken(state), { personId: who.personId, connectionId: connection.id, externalPersonId, method: 'esia', nonce }, ctx.signInTtlMs);
  return { authorizeUrl: await ctx.esia.authorizeUrl({ state, nonce, redirectUri: ctx.redirectUri }), expiresAt: expiresAt.toISOString() };
}

export async function completeEsiaSignIn(ctx: EsiaContext, who: Actor, back: { state: string; code: string }): Promise<IssuedProof> {
  const pending = await takeSignIn(ctx.pool, hashToken(back.state), who.personId, 'esia');
  if (!pending || !ctx.esia || !ctx.redirectUri) return refuseProof(ctx, who, { method: 'esia' }, PROOF_REFUSALS.signInExpired);
  const target = { connectionId: pending.connectionId, externalPersonId: pending.externalPersonId ?? '' };
  const base = { method: 'esia', ...target };
  let identity: VerifiedIdentity;
  try {
    identity = await ctx.esia.complete({ code: back.code, nonce: pending.nonce, redirectUri: ctx.redirectUri });
  } catch (e) {
    if (e instanceof SignInRefused) return refuseProof(ctx, who, { ...base, why: e.why }, PROOF_REFUSALS.signInRefused);
    return refuseProof(ctx, who, { ...base, why: e instanceof Error ? e.name : 'unavailable' }, PROOF_REFUSALS.signInUnavailable);
  }
  const journal = await findJournalPerson(ctx.pool, target.connectionId, target.externalPersonId);
  const isStudent = journal.some((j) => j.roles.includes('student'));
  const verdict = matchEsiaIdentity(
    { isStudent, birthDate: journal.find((j) => j.birthDate)?.birthDate ?? null, displayName: journal.find((j) => j.displayName)?.displayName ?? null },
    identity,
  );
  if (verdict === 'parent-account') return refuseProof(ctx, who, base, PROOF_REFUSALS.parentAccount);
  if (verdict === 'mismatch') return refuseProof(ctx, who, base, PROOF_REFUSALS.esiaMismatch);
  // SNILS and the name are compared or dropped here; only the birth date the rules re-check is kept.
  return storeProof(ctx, who, { ...target, method: 'esia', facts: { ...(identity.birthDate ? { birthDate: identity.birthDate } : {}), isParentAccount: false } });
}

export async function startDnevnikSignIn(ctx: DnevnikContext, who: Actor, connection: JournalConnection): Promise<{ authorizeUrl: string; expiresAt: string }> {
  const signIn = connection.kind === 'dnevnik' ? ctx.dnevnikFor(connection) : undefined;
  if (!signIn || !ctx.redirectUri) return refuseProof(ctx, who, { method: 'dnevnik-oauth', connectionId: connection.id }, PROOF_REFUSALS.notOffered);
  const state = randomBytes(32).toString('base64url');
  const expiresAt = await insertSignIn(ctx.pool, hashToken(state), { personId: who.personId, connectionId: connection.id, externalPersonId: null, method: 'dnevnik-oauth', nonce: '-' }, ctx.signInTtlMs);
  return { authorizeUrl: await signIn.authorizeUrl({ state, nonce: '-', redirectUri: ctx.redirectUri }), expiresAt: expiresAt.toISOString() };
}

export async function completeDnevnikSignIn(ctx: DnevnikContext, who: Actor, back: { state: string; code: string }): Promise<IssuedProof> {
  const pending = await takeSignIn(ctx.pool, hashToken(back.state), who.personId, 'dnevnik-oauth');
  const connection = pending ? await ctx.findConnection(pending.connectionId) : undefined;
  const signIn = connection ? ctx.dnevnikFor(connection) : undefined;
  if (!pending || !signIn || !ctx.redirectUri) return refuseProof(ctx, who, { method: 'dnevnik-oauth' }, PROOF_REFUSALS.signInExpired);
  const base = { method: 'dnevnik-oauth', connectionId: pending.connectionId };
  let identity: VerifiedIdentity;
  try {
    identity = await signIn.complete({ code: back.code, nonce: pending.nonce, redirectUri: ctx.redirectUri });
  } catch (e) {
    if (e instanceof SignInRefused) return refuseProof(ctx, who, { ...base, why: e.why }, PROOF_REFUSALS.signInRefused);
    return refuseProof(ctx, who, { ...base, why: e instanceof Error ? e.name : 'unavailable' }, PROOF_REFUSALS.signInUnavailable);
  }
  if (!identity.externalPersonId) return refuseProof(ctx, who, { ...base, why: 'no person id' }, PROOF_REFUSALS.signInRefused);
  return storeProof(ctx, who, {
    connectionId: pending.connectionId,
    externalPersonId: identity.externalPersonId,
    method: 'dnevnik-oauth',
    facts: identity.roles ? { roles: identity.roles } : {},
  });
}
