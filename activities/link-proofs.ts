// R-L5 inside the link activity: the verified proof a link request names is taken once, in the
// link's transaction; support's word stands with its reason. Every refused link leaves an audit row
// (journal.link-refused) even though nothing else changes.
import { writeAudit } from '../db/repositories/audit.js';
import { takeProof } from '../db/repositories/journal-proofs.js';
import type { Queryable } from '../infra/postgres.js';
import type { LinkEvidence, LinkRefusal } from '../sync/link-rules.js';
import { ROSTER_REFUSALS, type LinkRequest } from '../workflows/roster-definitions.js';

type Target = { connectionId: string; externalPersonId: string } & LinkRequest;

export async function evidenceFor(tx: Queryable, input: Target): Promise<LinkEvidence | { refusal: LinkRefusal }> {
  if (input.proof.method === 'support') {
    return { method: 'support', ...(input.proof.subjectBirthDate ? { subjectBirthDate: input.proof.subjectBirthDate } : {}) };
  }
  const check = await takeProof(tx, { proofId: input.proof.proofId, personId: input.personId, connectionId: input.connectionId, externalPersonId: input.externalPersonId });
  if (check.ok) return { method: check.proof.method, facts: check.proof.facts };
  return check.why === 'other-identity'
    ? { refusal: { code: ROSTER_REFUSALS.proofOtherIdentity, message: 'the proof verified another journal identity (R-L5)' } }
    : { refusal: { code: ROSTER_REFUSALS.proofNotVerified, message: 'no proof the hub verified: unknown, expired, used or not this person’s (R-L5)' } };
}

export const proofIdOf = (input: Target): { proofId?: string } => (input.proof.method === 'verified' ? { proofId: input.proof.proofId } : {});

export async function auditRefusal(db: Queryable, input: Target, refusal: LinkRefusal): Promise<void> {
  await writeAudit(db, {
    actor: input.actor,
    actorRole: input.actorRole,
    action: 'journal.link-refused',
    subjectType: 'person',
    subjectId: input.personId,
    reason: input.reason,
    details: { connectionId: input.connectionId, externalPersonId: input.externalPersonId, proof: input.proof.method, ...proofIdOf(input), refusal: refusal.code },
    requestId: input.requestId,
  });
}
