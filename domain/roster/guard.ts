// Mass-change guard (ARCHITECTURE "Reconciliation" step 4): a journal export that suddenly lacks a
// class, or a broken mapping, must not empty a school's chats. When a run would remove more than a
// share of a school's hub-managed members, it stops and asks a human.

export const DEFAULT_MASS_REMOVAL_SHARE = 0.1;

export interface SchoolRemovalCount {
  schoolId: string;
  /** Memberships this run would remove in the school's chats. */
  removes: number;
  /** Hub-managed memberships in the school's chats before the run. */
  managedMembers: number;
}

export interface GuardVerdict {
  mustConfirm: boolean;
  /** Schools over the threshold, largest share first. */
  over: { schoolId: string; removes: number; managedMembers: number; share: number }[];
}

export function massChangeGuard(
  schools: Iterable<SchoolRemovalCount>,
  opts: { threshold?: number } = {},
): GuardVerdict {
  const threshold = opts.threshold ?? DEFAULT_MASS_REMOVAL_SHARE;
  const over: GuardVerdict['over'] = [];
  for (const s of schools) {
    if (s.removes <= 0) continue;
    // Removing anything from a school where the hub manages nobody (strict mode on a fresh school)
    // is all change and no evidence: ask.
    const share = s.managedMembers > 0 ? s.removes / s.managedMembers : Number.POSITIVE_INFINITY;
    if (share > threshold) over.push({ ...s, share });
  }
  over.sort((a, b) => b.share - a.share);
  return { mustConfirm: over.length > 0, over };
}
