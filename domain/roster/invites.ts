// Invited memberships in a chat's plan (issue 13). Where the messenger only lets the hub hand out the
// chat's invite link (VK community token), a person is invited until a listing shows them inside:
// - invited and listed inside: joined;
// - invited, not inside, still wanted: waiting (not invited again while the link is out);
// - invited, not inside, no longer wanted: withdrawn (nothing to remove from the chat).

export interface InvitedSplit {
  /** The plan's adds without those already waiting on an invitation. */
  adds: string[];
  waiting: string[];
  joined: string[];
  withdrawn: string[];
}

export function splitInvited(input: {
  /** Members the hub invited and has not seen inside yet. */
  invited: readonly string[];
  /** The chat's members as listed this run. */
  actual: readonly string[];
  /** The plan's adds: wanted and not inside. */
  adds: readonly string[];
}): InvitedSplit {
  const inside = new Set(input.actual);
  const wanted = new Set(input.adds);
  const invited = new Set(input.invited);
  const joined = input.invited.filter((u) => inside.has(u));
  const out = input.invited.filter((u) => !inside.has(u));
  return {
    adds: input.adds.filter((u) => !invited.has(u)),
    waiting: out.filter((u) => wanted.has(u)),
    joined,
    withdrawn: out.filter((u) => !wanted.has(u)),
  };
}
