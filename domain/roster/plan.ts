// One chat's plan for a run: linking (R-C6) then the diff (R-C7). The reconciler calls this per chat.
import type { ChatDiff } from './diff.js';
import { diffChat } from './diff.js';
import type { LinkLookup } from './linking.js';
import { resolveMembers } from './linking.js';
import type { SortedIds } from './sorted.js';

export interface ChatPlanInput {
  /** Desired person ids (DesiredChat.personIds). */
  personIds: SortedIds;
  linkOf: LinkLookup;
  managed: SortedIds;
  actual?: SortedIds;
  strict?: boolean;
  protectedIds?: SortedIds;
}

export interface ChatPlan extends ChatDiff {
  /** Person ids who belong but are not linked yet: "will be added automatically after linking". */
  pending: string[];
}

export function planChat(input: ChatPlanInput): ChatPlan {
  const { userIds, pending } = resolveMembers(input.personIds, input.linkOf);
  const diff = diffChat({
    desired: userIds,
    managed: input.managed,
    actual: input.actual,
    strict: input.strict,
    protectedIds: input.protectedIds,
  });
  return { ...diff, pending };
}
