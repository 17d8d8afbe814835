// Invite link rules (R-J2, R-J3). Pure: used by the API, the workflow and the activities.

export const INVITE_ROLES = ['student', 'teacher'] as const;
export type InviteRole = (typeof INVITE_ROLES)[number];

export const INVITE_STATUSES = ['active', 'accepted', 'declined', 'revoked', 'expired'] as const;
export type InviteStatus = (typeof INVITE_STATUSES)[number];

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Validity in days: the default when none is asked for, refused above the maximum (R-J3). */
export function inviteValidityDays(
  requested: number | undefined,
  bounds: { defaultDays: number; maxDays: number },
): { ok: true; days: number } | { ok: false; maxDays: number } {
  const days = requested ?? bounds.defaultDays;
  if (!Number.isInteger(days) || days < 1 || days > bounds.maxDays) return { ok: false, maxDays: bounds.maxDays };
  return { ok: true, days };
}

/** What a person following the link sees: a stored 'active' past its expiry is already expired. */
export function effectiveInviteStatus(stored: InviteStatus, expiresAt: Date, now: Date): InviteStatus {
  return stored === 'active' && now.getTime() >= expiresAt.getTime() ? 'expired' : stored;
}

/** Transitions a person or an admin may ask for; the rest are refused with the current status. */
export function canLeaveActive(current: InviteStatus): boolean {
  return current === 'active';
}

/**
 * The one link scheme people follow, as Сферум writes it (R-G2, seeds: `sferum.ru/?invite=<token>&type=parent`):
 * a school's invite is `/?invite=<token>`, a child's link for a parent adds `&type=parent`.
 */
export function inviteUrl(publicBaseUrl: string, token: string, type?: 'parent'): string {
  const url = new URL('./', publicBaseUrl.endsWith('/') ? publicBaseUrl : `${publicBaseUrl}/`);
  url.searchParams.set('invite', token);
  if (type) url.searchParams.set('type', type);
  return url.toString();
}
