// Who may link which journal identity (R-L1, R-L3). Pure: the activity gathers the facts.
//
// R-L3 says a student must sign in with their own Gosuslugi account, never a parent's. The hub
// cannot see whose Gosuslugi account it was, but it can see the two ways a parent's account gives
// itself away, and refuses both:
//   - a birth date that is not the student's: the hub person's birth date (or the birth date the
//     identity proof carries, e.g. from ESIA) must equal the journal's birth date of the student;
//     with no birth date on either side the link is refused (nothing proves it is the student);
//   - a parent: someone already linked to one of this student's guardian identities, or holding
//     only a parent role in the connection's schools, cannot take the student's identity.
// Other identities (parent, staff) need the messenger account and a journal record only.
import type { JournalPersonRow } from '../db/repositories/roster-sync.js';
import { ROSTER_REFUSALS, type LinkRequest } from '../workflows/roster-definitions.js';

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

export function refuseJournalLink(journal: readonly JournalPersonRow[], who: LinkCandidate, proof: LinkRequest['proof']): LinkRefusal | null {
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
  if (who.otherIdentities.some((e) => guardians.has(e)) || who.isParentInSchool) {
    return { code: ROSTER_REFUSALS.parentIdentityForStudent, message: "a parent cannot link the student's journal identity (R-L3)" };
  }
  const journalBirth = asStudent.find((j) => j.birthDate)?.birthDate ?? null;
  const claimed = [who.personBirthDate, proof.subjectBirthDate].filter((d): d is string => typeof d === 'string');
  if (journalBirth) {
    if (claimed.length === 0 || claimed.some((d) => d !== journalBirth)) {
      return { code: ROSTER_REFUSALS.studentIdentityMismatch, message: "the birth date is not the student's (R-L3)" };
    }
  } else if (claimed.length === 0) {
    return { code: ROSTER_REFUSALS.studentIdentityMismatch, message: 'nothing proves the account is the student’s own (R-L3)' };
  }
  return null;
}
