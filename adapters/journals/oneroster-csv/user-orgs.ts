// Which schools a OneRoster CSV user row belongs to. The adapter's school filter and the per-school
// split (split.ts) both decide it here, so a split can never place a user where a read would not.

/** A comma-separated CSV cell as its items (empty ones dropped). */
export const list = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** A user's orgs: `orgSourcedIds`, 1.2's `primaryOrgSourcedId`, and the orgs of the user's roles.csv rows. */
export function userOrgs(v: Record<string, string>, roleOrgs: Iterable<string> = []): Set<string> {
  return new Set([...list(v.orgSourcedIds), ...(v.primaryOrgSourcedId ? [v.primaryOrgSourcedId] : []), ...roleOrgs]);
}
