// R-C6 / R-L2: only people linked to a messenger account can be members; the rest wait as pending
// and join automatically on the first run after they link.
import type { SortedIds } from './sorted.js';
import { sortedUnique } from './sorted.js';

/** Person id → messenger user id, for linked people only. */
export type LinkLookup = (personId: string) => string | undefined;

export interface ResolvedMembers {
  /** Sorted, duplicate-free messenger user ids. */
  userIds: string[];
  /** Person ids not linked yet (sorted). */
  pending: string[];
}

export function resolveMembers(personIds: SortedIds, linkOf: LinkLookup): ResolvedMembers {
  const userIds: string[] = [];
  const pending: string[] = [];
  for (const p of personIds) {
    const u = linkOf(p);
    if (u === undefined) pending.push(p);
    else userIds.push(u);
  }
  // Two people linked to one account (one person holding two roles, R-A5) collapse into one member.
  return { userIds: sortedUnique(userIds), pending };
}

export const linksFromMap =
  (m: ReadonlyMap<string, string>): LinkLookup =>
  (p) =>
    m.get(p);
