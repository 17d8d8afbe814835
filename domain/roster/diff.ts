// The membership diff for one chat (R-C5..C7). Level-triggered: it compares what the journal says
// (desired) with what the chat really holds (actual) and what the hub itself put there (managed),
// and proposes the smallest change that touches only hub-managed memberships.
import type { SortedIds } from './sorted.js';
import { difference, intersection, union } from './sorted.js';

export interface ChatMembershipState {
  /** Messenger user ids the journal says belong (linked people only). Sorted, unique. */
  desired: SortedIds;
  /** Memberships the hub applied and still owns (its own record). Sorted, unique. */
  managed: SortedIds;
  /**
   * The chat's real members as the messenger lists them, or undefined when not read this run
   * (then the hub trusts its own record). Sorted, unique.
   */
  actual?: SortedIds;
  /** School opted into strict mode: members nobody in the journal accounts for are removed too (R-C7). */
  strict?: boolean;
  /** Never removed, even in strict mode: the hub's bot account, chat owners. Sorted, unique. */
  protectedIds?: SortedIds;
}

export interface ChatDiff {
  adds: string[];
  removes: string[];
  /**
   * Present, not desired, left alone: added by hand (R-C7), or protected in strict mode.
   * Reported so a school can see them.
   */
  handAddedKept: string[];
  /** What the hub owns once adds and removes are applied: store this as the new `managed`. */
  nextManaged: string[];
}

const NONE: SortedIds = [];

export function diffChat(s: ChatMembershipState): ChatDiff {
  const actual = s.actual ?? s.managed;
  const protectedIds = s.protectedIds ?? NONE;
  // Someone present but not managed joined by hand (or before the hub): not ours to add or own.
  const adds = difference(s.desired, actual);
  const notDesired = difference(actual, s.desired);
  const removable = s.strict ? notDesired : intersection(notDesired, s.managed);
  const removes = difference(removable, protectedIds);
  const handAddedKept = s.strict ? intersection(notDesired, protectedIds) : difference(notDesired, s.managed);
  // A managed member who left or was removed by hand is no longer ours; desired ones come back via adds.
  const stillOwned = difference(intersection(s.managed, actual), removes);
  return { adds, removes, handAddedKept, nextManaged: union(stillOwned, adds) };
}

/** What the chat holds after a diff is applied; used by tests and by dry-run reports. */
export function applyDiff(actual: SortedIds, d: Pick<ChatDiff, 'adds' | 'removes'>): string[] {
  return union(difference(actual, d.removes), d.adds);
}
