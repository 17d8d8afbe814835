// Who may link which journal identity (R-L1, R-L3, R-L5). Pure: the activity gathers the facts.
//
// R-L5: the identity itself is proven before these rules run: a proof the hub verified (the
// person's own journal sign-in, Gosuslugi, a school-issued code; sync/journal-proofs.ts) names this
// very journal person, or support vouches with a reason. These rules add what a proof alone does not
// settle.
//
// R-L3 says a student must sign in with their own Gosuslugi account, never a parent's. Refused:
//   - a parent: a Gosuslugi account the provider marks as a parent's, someone already linked to one
//     of this student's guardian identities, or holding only a parent role in the connection's
//     schools, cannot take the student's identity;
//   - a birth date that is not the student's: the hub person's birth date and the one the proof
//     certifies (Gosuslugi) must equal the journal's; support must see one in the documents.
// Other identities (parent, staff) need the messenger account, a journal record and the proof only.
import type { ProofFacts, StoredProofMethod } from '../db/repositories/journal-proofs.js';
import type { JournalPersonRow } from '../db/repositories/roster-sync.js';
import { ROSTER_REFUSALS } from '../workflows/roster-definitions.js';

/** What stands behind the link: a proof the hub verified, or support's word with a reason. */
export type LinkEvidence = { method: StoredProofMethod; facts: ProofFacts } | { method: 'support'; subjectBirthDate?: string };

export interface LinkCandidate {
  personBirthDate: string | null;
  messengerUserId: string | null;
  /** A parent (and not a student) in one of the connection's schools, per the hub's school roles. */
  isParentInSchool: boolean;
  /** The person's other live journal identities in this connection. */
  otherIdentities: readonly string[];
  /** The journal identity is already linked to another person. */
  linkedToSomeoneElse: boolean;
}

export interface LinkRefusal {
  code: (typeof ROSTER_REFUSALS)[keyof typeof ROSTER_REFUSALS];
  message: string;
  params?: Record<string, string>;
}

export function refuseJournalLink(journal: readonly JournalPersonRow[], who: LinkCandidate, evidence: LinkEvidence): LinkRefusal | null {
  if (!who.messengerUserId) {
    // R-L1, third starting point: no messenger account yet; sign up first, then link.
    return { code: ROSTER_REFUSALS.noMessengerAccount, message: 'the person has no messenger account yet: sign up first' };
  }
  if (journal.length === 0) {
    return { code: ROSTER_REFUSALS.journalPersonUnknown, message: 'the journal does not list this identity (yet)' };
  }
  if (journal.every((j) => j.roles.length === 0)) {
    // Listed, but as nothing the hub can place: not a student of an active class, not employed,
    // not the parent of an enrolled child. Said as it is, not as "no such account".
    return { code: ROSTER_REFUSALS.journalPersonWithoutRole, message: 'the journal lists this identity without a role or an active enrollment' };
  }
  if (who.linkedToSomeoneElse) {
    return { code: ROSTER_REFUSALS.alreadyLinkedElsewhere, message: 'this journal identity is linked to another person' };
  }
  const asStudent = journal.filter((j) => j.roles.includes('student'));
  if (asStudent.length === 0) return null;
  const guardians = new Set(asStudent.flatMap((j) => j.guardianIds));
  const parentsAccount = evidence.method !== 'support' && evidence.facts.isParentAccount === true;
  if (parentsAccount || who.otherIdentities.some((e) => guardians.has(e)) || who.isParentInSchool) {
    return { code: ROSTER_REFUSALS.parentIdentityForStudent, message: "a parent cannot link the student's journal identity (R-L3)" };
  }
  const journalBirth = asStudent.find((j) => j.birthDate)?.birthDate ?? null;
  const certified = evidence.method === 'support' ? evidence.subjectBirthDate : evidence.facts.birthDate;
  const claimed = [who.personBirthDate, certified].filter((d): d is string => typeof d === 'string');
  if (journalBirth && claimed.some((d) => d !== journalBirth)) {
    return { code: ROSTER_REFUSALS.studentIdentityMismatch, message: "the birth date is not the student's (R-L3)" };
  }
  // Support vouches from documents: without a birth date to compare, nothing proves it is the student.
  if (evidence.method === 'support' && (journalBirth ? !claimed.includes(journalBirth) : claimed.length === 0)) {
    return { code: ROSTER_REFUSALS.studentIdentityMismatch, message: 'nothing proves the account is the student’s own (R-L3)' };
  }
  return null;
}
