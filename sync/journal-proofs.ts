// Verified journal proofs (R-L5): the hub performs the person's journal sign-in, checks a
// school-issued linking code, or issues one, and stores what it verified as a short-lived, single-use
// proof bound to the person. The link request (POST /v1/me/journal-links) carries only the proof's
// id; journalLinkWorkflow's activity takes it in the link's own transaction. Every verification and
// every refusal leaves an audit row; passwords, codes and tokens never reach a row or a log.
import { randomBytes } from 'node:crypto';
import { EljurSignIn } from '../adapters/identity-proof/eljur-sign-in.js';
import { SignInRefused, type PasswordSignIn, type VerifiedIdentity } from '../adapters/identity-proof/port.js';
import { isJournalSourceError } from '../adapters/journals/errors.js';
import { writeAudit } from '../db/repositories/audit.js';
import { readCredentials, type JournalConnection } from '../db/repositories/connections.js';
import { insertProof, type ProofFacts, type StoredProofMethod } from '../db/repositories/journal-proofs.js';
import { insertLinkingCode, journalPersonOfSchool, redeemLinkingCode } from '../db/repositories/linking-codes.js';
import { linkingCodeFrom, normaliseLinkingCode } from '../domain/linking-code.js';
import { inTransaction, type Pool } from '../infra/postgres.js';
import type { SecretBox } from '../infra/secrets.js';
import { hashToken } from '../infra/tokens.js';

export const PROOF_REFUSALS = {
  /** The connection's journal offers no sign-in of this kind (ask the school for a linking code). */
  notOffered: 'journal-sign-in-not-offered',
  /** The journal or identity provider refused the sign-in (wrong login or password, a stale code). */
  signInRefused: 'journal-sign-in-refused',
  /** The journal did not answer: try again later. */
  signInUnavailable: 'journal-sign-in-unavailable',
  /** Wrong, expired, used or void linking code; the same answer for all, so it tells a guesser nothing. */
  codeInvalid: 'linking-code-invalid',
  /** The school has no such journal person (staff issuing a code). */
  notInSchool: 'journal-person-not-in-school',
  /** A redirect sign-in came back unknown, used, expired or for someone else: start again. */
  signInExpired: 'journal-sign-in-expired',
  /** Gosuslugi certifies someone other than the journal person (birth date, name), or nothing to compare. */
  esiaMismatch: 'esia-identity-mismatch',
  /** R-L3: a parent's Gosuslugi account (children attached) for a student's identity. */
  parentAccount: 'parent-identity-for-student',
} as const;
export type ProofRefusalCode = (typeof PROOF_REFUSALS)[keyof typeof PROOF_REFUSALS];

export class ProofRefused extends Error {
  constructor(readonly code: ProofRefusalCode) {
    super(code);
    this.name = 'ProofRefused';
  }
}

export interface ProofContext {
  pool: Pool;
  /** Opens the connection credentials (the journal's devkey) for a sign-in. */
  secrets: () => SecretBox;
  proofTtlMs: number;
}

export interface Actor {
  personId: string;
  role: string;
  requestId?: string | undefined;
}

export interface IssuedProof {
  proofId: string;
  method: StoredProofMethod;
  connectionId: string;
  externalPersonId: string;
  expiresAt: string;
}

/** The password sign-in a connection's journal offers its own users, if any. */
export async function passwordSignInFor(ctx: ProofContext, connection: JournalConnection): Promise<PasswordSignIn | undefined> {
  if (connection.kind !== 'eljur') return undefined;
  const credentials = await readCredentials(ctx.pool, ctx.secrets(), connection.id);
  const s = connection.settings as { baseUrl?: string; vendor?: string; http?: Record<string, number> };
  return new EljurSignIn({ baseUrl: s.baseUrl ?? '', vendor: s.vendor ?? '', devkey: credentials?.devkey ?? '', ...(s.http ? { http: s.http } : {}) });
}

export async function refuseProof(ctx: ProofContext, who: Actor, details: Record<string, unknown>, code: ProofRefusalCode): Promise<never> {
  await writeAudit(ctx.pool, {
    actor: who.personId,
    actorRole: who.role,
    action: 'journal.proof-refused',
    subjectType: 'person',
    subjectId: who.personId,
    details: { ...details, refusal: code },
    requestId: who.requestId,
  });
  throw new ProofRefused(code);
}

export async function storeProof(
  ctx: ProofContext,
  who: Actor,
  p: { connectionId: string; externalPersonId: string; method: StoredProofMethod; facts: ProofFacts },
): Promise<IssuedProof> {
  return inTransaction(ctx.pool, async (tx) => {
    const { id, expiresAt } = await insertProof(tx, { ...p, personId: who.personId, ttlMs: ctx.proofTtlMs });
    await writeAudit(tx, {
      actor: who.personId,
      actorRole: who.role,
      action: 'journal.proof-verified',
      subjectType: 'person',
      subjectId: who.personId,
      details: { connectionId: p.connectionId, externalPersonId: p.externalPersonId, method: p.method, proofId: id, ...(p.facts.children ? { children: p.facts.children } : {}) },
      requestId: who.requestId,
    });
    return { proofId: id, method: p.method, connectionId: p.connectionId, externalPersonId: p.externalPersonId, expiresAt: expiresAt.toISOString() };
  });
}

/**
 * The person signs in to their journal with their own login and password; the journal names the
 * journal person (and a parent's children). Login and password are used for this one call only.
 */
export async function proveByJournalSignIn(
  ctx: ProofContext,
  who: Actor,
  connection: JournalConnection,
  credentials: { login: string; password: string },
): Promise<IssuedProof> {
  const base = { method: 'journal-login', connectionId: connection.id };
  const signIn = await passwordSignInFor(ctx, connection);
  if (!signIn) return refuseProof(ctx, who, base, PROOF_REFUSALS.notOffered);
  let identity: VerifiedIdentity;
  try {
    identity = await signIn.signIn(credentials);
  } catch (e) {
    if (e instanceof SignInRefused) return refuseProof(ctx, who, { ...base, why: e.why }, PROOF_REFUSALS.signInRefused);
    if (isJournalSourceError(e)) return refuseProof(ctx, who, { ...base, why: e.detail.code }, PROOF_REFUSALS.signInUnavailable);
    throw e;
  }
  if (!identity.externalPersonId) return refuseProof(ctx, who, { ...base, why: 'no journal id' }, PROOF_REFUSALS.signInRefused);
  const facts: ProofFacts = {
    ...(identity.roles ? { roles: identity.roles } : {}),
    ...(identity.children ? { children: identity.children } : {}),
  };
  return storeProof(ctx, who, { connectionId: connection.id, externalPersonId: identity.externalPersonId, method: 'journal-login', facts });
}

/** The person types the code their school issued for this journal person. */
export async function proveByLinkingCode(
  ctx: ProofContext & { maxFailures: number },
  who: Actor,
  target: { connectionId: string; externalPersonId: string },
  typed: string,
): Promise<IssuedProof> {
  const base = { method: 'linking-code', ...target };
  const code = normaliseLinkingCode(typed);
  if (!code) return refuseProof(ctx, who, { ...base, why: 'malformed' }, PROOF_REFUSALS.codeInvalid);
  const check = await inTransaction(ctx.pool, (tx) =>
    redeemLinkingCode(tx, { ...target, codeHash: hashToken(code), personId: who.personId, maxFailures: ctx.maxFailures }),
  );
  if (!check.ok) return refuseProof(ctx, who, { ...base, why: check.why }, PROOF_REFUSALS.codeInvalid);
  return storeProof(ctx, who, { ...target, method: 'linking-code', facts: {} });
}

/**
 * A school admin or class teacher issues a code for one journal person of their school. The code
 * is shown once, to the issuer, who hands it to the person; only its hash is kept.
 */
export async function issueLinkingCode(
  pool: Pool,
  issuer: { sub: string; role: string; requestId?: string | undefined },
  target: { schoolId: string; connectionId: string; externalPersonId: string },
  ttlMs: number,
): Promise<{ code: string; expiresAt: string }> {
  const listed = await journalPersonOfSchool(pool, target);
  if (!listed) throw new ProofRefused(PROOF_REFUSALS.notInSchool);
  const code = linkingCodeFrom(randomBytes(16));
  const { expiresAt } = await inTransaction(pool, async (tx) => {
    const issued = await insertLinkingCode(tx, { ...target, codeHash: hashToken(code), issuedBy: issuer.sub, issuedRole: issuer.role, ttlMs });
    await writeAudit(tx, {
      actor: issuer.sub,
      actorRole: issuer.role,
      action: 'journal.linking-code-issued',
      subjectType: 'journal-person',
      subjectId: `${target.connectionId}/${target.externalPersonId}`,
      details: { ...target, codeId: issued.id, roles: listed.roles },
      requestId: issuer.requestId,
    });
    return issued;
  });
  return { code, expiresAt: expiresAt.toISOString() };
}
