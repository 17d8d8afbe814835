// Parent confirmation rules (R-G3..R-G5). Pure: the guardianWorkflow validator calls this.

export const MAX_PARENTS = 2;

export type ParentRefusal = 'own-parent-link' | 'parent-phone-required' | 'same-phone-as-child' | 'third-parent';

export interface ParentCandidate {
  parentId: string;
  /** SHA-256 of the parent's phone (E.164); null for an account without a phone. */
  phoneHash: string | null;
}

/**
 * Why this person may not become a parent of the child, or null if they may. `taken` counts the
 * parents confirmed and those being confirmed right now, so two parents racing for the second
 * place cannot both pass. A parent already among them is never refused (not counted twice).
 */
export function refuseParent(
  child: { childId: string; phoneHash: string | null },
  taken: readonly string[],
  candidate: ParentCandidate,
): ParentRefusal | null {
  if (candidate.parentId === child.childId) return 'own-parent-link';
  if (candidate.phoneHash === null) return 'parent-phone-required'; // R-G4: a parent signs in with their own phone
  if (child.phoneHash !== null && candidate.phoneHash === child.phoneHash) return 'same-phone-as-child';
  return refuseParentPlace(child.childId, taken, candidate.parentId);
}

/**
 * The part of refuseParent that races can change (R-G3, R-G5), which the guardianWorkflow decides.
 * Phones do not change while parents race, so the API checks them (R-G4) and no phone, nor a hash of
 * one, has to enter workflow history (issue 14).
 */
export function refuseParentPlace(childId: string, taken: readonly string[], parentId: string): ParentRefusal | null {
  if (parentId === childId) return 'own-parent-link';
  if (taken.includes(parentId)) return null;
  if (taken.length >= MAX_PARENTS) return 'third-parent';
  return null;
}

/** What a parent sees before signing in: enough to recognise the child, not enough to identify them. */
export function maskName(firstName: string, lastName: string): string {
  const initial = lastName.trim().charAt(0);
  return initial ? `${firstName.trim()} ${initial}.` : firstName.trim();
}
