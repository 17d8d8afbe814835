// R-A7: an account restricted for want of a parent's confirmation may not join anything (schools,
// classes, chats) until a parent confirms. Every join-type route asks here first, so the refusal and
// its way out read the same everywhere.
import { findPerson } from '../db/repositories/people.js';
import type { Queryable } from '../infra/postgres.js';
import { Problem } from './problem.js';

/** Where the way out starts: the child issues a parent link and sends it (R-G2). */
export const PARENT_LINK_PATH = '/v1/me/parent-link';

export function restrictedProblem(): Problem {
  return new Problem(403, 'account-restricted', {}, { wayOut: 'parent-confirms', parentLink: PARENT_LINK_PATH });
}

/** Throws 403 account-restricted when the person is restricted (R-A7); a person not found is the caller's business. */
export async function refuseIfRestricted(db: Queryable, personOrId: string | { restricted: boolean }): Promise<void> {
  const restricted = typeof personOrId === 'string' ? (await findPerson(db, personOrId))?.restricted : personOrId.restricted;
  if (restricted) throw restrictedProblem();
}
