// Activities come from a factory over their dependencies (temporalio/samples-typescript style);
// workflows import only the type of what this returns.
import type { ActivityDeps } from './deps.js';
import { inviteActivities } from './invites.js';
import { applicationActivities } from './applications.js';
import { guardianActivities } from './guardians.js';
import { signupActivities } from './signup.js';
import { reconcileActivities } from './reconcile.js';
import { journalLinkActivities } from './journal-links.js';
import { restrictionActivities } from './restriction.js';

export const createActivities = (deps: ActivityDeps) => ({
  ...inviteActivities(deps),
  ...applicationActivities(deps),
  ...guardianActivities(deps),
  ...signupActivities(deps),
  ...reconcileActivities(deps),
  ...journalLinkActivities(deps),
  ...restrictionActivities(deps),
});

export type HubActivities = ReturnType<typeof createActivities>;
export type { ActivityDeps };
