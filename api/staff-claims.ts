// Issue 17 item 1: an OpenID provider's access token claims → the hub's Principal, by configuration
// (docs/staff-sign-in.md). The provider decides who a member of staff is; this mapping only reads
// what it said, and refuses what it does not know rather than guessing a role or a region.
import type { Principal, Role } from './auth.js';

export const STAFF_ROLES = ['authority', 'support', 'school_admin', 'class_teacher'] as const satisfies readonly Role[];
type StaffRole = (typeof STAFF_ROLES)[number];

export interface ClaimMapping {
  roleClaim: string[];
  roles: Map<string, StaffRole>;
  regionClaim: string[];
  /** Unset: the claim is the hub's two-digit region code itself. */
  regions?: Map<string, string>;
  schoolsClaim: string[];
  classesClaim: string[];
}

/** Why a verified token still gives no principal: the 403 problem type. */
export type MappingRefusal = 'staff-role-unknown' | 'staff-region-unknown' | 'staff-schools-unknown';

export class ClaimsNotMapped extends Error {
  constructor(readonly code: MappingRefusal) {
    super(code);
  }
}

const REGION_CODE = /^\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `a=b,c=d` → pairs; a malformed pair is a configuration error, named. */
function pairs(setting: string, value: string): [string, string][] {
  return value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const i = p.lastIndexOf('=');
      if (i <= 0 || i === p.length - 1) throw new Error(`${setting}: "${p}" is not issuerValue=hubValue`);
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()];
    });
}

export function claimMapping(c: {
  OIDC_ROLE_CLAIM: string;
  OIDC_ROLE_MAP?: string | undefined;
  OIDC_REGION_CLAIM: string;
  OIDC_REGION_MAP?: string | undefined;
  OIDC_SCHOOLS_CLAIM: string;
  OIDC_CLASSES_CLAIM: string;
}): ClaimMapping {
  const roles = new Map<string, StaffRole>();
  for (const [from, to] of pairs('OIDC_ROLE_MAP', c.OIDC_ROLE_MAP ?? '')) {
    if (!(STAFF_ROLES as readonly string[]).includes(to)) {
      throw new Error(`OIDC_ROLE_MAP: "${to}" is not a staff role (${STAFF_ROLES.join(', ')}); people sign in through signup, never the provider`);
    }
    roles.set(from, to as StaffRole);
  }
  if (roles.size === 0) throw new Error('OIDC_ROLE_MAP maps no role: nobody could sign in');
  let regions: Map<string, string> | undefined;
  if (c.OIDC_REGION_MAP) {
    regions = new Map();
    for (const [from, to] of pairs('OIDC_REGION_MAP', c.OIDC_REGION_MAP)) {
      if (!REGION_CODE.test(to)) throw new Error(`OIDC_REGION_MAP: "${to}" is not a two-digit region code`);
      regions.set(from, to);
    }
  }
  const path = (p: string) => p.split('.').filter(Boolean);
  return {
    roleClaim: path(c.OIDC_ROLE_CLAIM),
    roles,
    regionClaim: path(c.OIDC_REGION_CLAIM),
    ...(regions ? { regions } : {}),
    schoolsClaim: path(c.OIDC_SCHOOLS_CLAIM),
    classesClaim: path(c.OIDC_CLASSES_CLAIM),
  };
}

function at(payload: Record<string, unknown>, path: string[]): unknown {
  let v: unknown = payload;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** A claim as a list of strings: an array, or one string (some providers send a single value so). */
function strings(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  return undefined;
}

/**
 * Keycloak puts default roles (offline_access, uma_authorization, default-roles-…) beside the hub's,
 * so roles the map does not name are passed over; a token with none the map names is refused. A
 * school admin who also teaches a class acts as school admin (that scope holds the class's); any
 * other pair of hub roles is refused, since one token acts in one role.
 */
function roleOf(m: ClaimMapping, payload: Record<string, unknown>): StaffRole {
  const claimed = strings(at(payload, m.roleClaim));
  if (!claimed) throw new ClaimsNotMapped('staff-role-unknown');
  const mapped = new Set(claimed.flatMap((r) => (m.roles.has(r) ? [m.roles.get(r)!] : [])));
  if (mapped.has('school_admin')) mapped.delete('class_teacher');
  if (mapped.size !== 1) throw new ClaimsNotMapped('staff-role-unknown');
  return [...mapped][0]!;
}

function regionOf(m: ClaimMapping, payload: Record<string, unknown>): string | undefined {
  const raw = at(payload, m.regionClaim);
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') throw new ClaimsNotMapped('staff-region-unknown');
  const region = m.regions ? m.regions.get(raw) : raw;
  if (region === undefined || !REGION_CODE.test(region)) throw new ClaimsNotMapped('staff-region-unknown');
  return region;
}

function ids(m: ClaimMapping, payload: Record<string, unknown>, path: string[]): string[] {
  const list = strings(at(payload, path));
  // Ids go into SQL as UUIDs: anything else is a mapping mistake at the provider, not a school.
  if (!list || !list.every((id) => UUID.test(id))) throw new ClaimsNotMapped('staff-schools-unknown');
  return list.map((id) => id.toLowerCase());
}

/**
 * The principal a verified access token stands for. An authority operator acts for one region, so a
 * token without one (or with one the mapping does not know) is refused rather than read as "every
 * region". Support works across regions; school roles are scoped by their school and class ids.
 */
export function principalFromClaims(m: ClaimMapping, payload: Record<string, unknown>): Principal {
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new ClaimsNotMapped('staff-role-unknown');
  const role = roleOf(m, payload);
  const region = regionOf(m, payload);
  if (role === 'authority' && region === undefined) throw new ClaimsNotMapped('staff-region-unknown');
  const schools = role === 'school_admin' || role === 'class_teacher' ? ids(m, payload, m.schoolsClaim) : [];
  const classes = role === 'class_teacher' ? ids(m, payload, m.classesClaim) : [];
  const name = [payload.name, payload.preferred_username].find((n): n is string => typeof n === 'string' && n.length > 0 && n.length <= 200);
  return { sub: payload.sub, role, schools, classes, ...(region !== undefined && role === 'authority' ? { region } : {}), ...(name ? { name } : {}) };
}
