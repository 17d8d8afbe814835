// Bearer tokens (JWT, verified with jose). Roles and scopes per ARCHITECTURE.md: a school admin acts
// only on their schools, a class teacher on their classes, an authority operator on their region.
import type { NextFunction, Request, Response } from 'express';
import { SignJWT, decodeJwt, jwtVerify } from 'jose';
import { z } from 'zod';
import { Problem } from './problem.js';

// 'person' is a signed-up person acting for themself through the registration front end
// (issued when signup completes; sub = people.id). The other roles are staff of the hub's users.
export const ROLES = ['authority', 'school_admin', 'class_teacher', 'support', 'person'] as const;
export type Role = (typeof ROLES)[number];

const principalSchema = z.object({
  sub: z.string().min(1),
  role: z.enum(ROLES),
  schools: z.array(z.string()).default([]),
  classes: z.array(z.string()).default([]),
  region: z.string().optional(),
  /** A display name (staff: the provider's `name` or `preferred_username`); shown, never logged. */
  name: z.string().max(200).optional(),
});
export type Principal = z.infer<typeof principalSchema>;

const ISSUER = 'school-roster-hub';
const AUDIENCE = 'hub-api';

export interface TokenService {
  sign(p: Principal, ttlSeconds?: number): Promise<string>;
  verify(token: string): Promise<Principal>;
}

export interface HubTokenOptions {
  /**
   * Accept hub-signed tokens for staff roles too (the dev stack's POST /v1/dev/token, and tests).
   * Off: only `person` tokens (issued at signup) pass; staff come through the OpenID provider.
   */
  staff: boolean;
}

/** Tokens the hub signs itself (HS256 under HUB_JWT_SECRET): fixed algorithm, issuer, audience, and an expiry. */
export function tokenService(secret: string, options: HubTokenOptions = { staff: true }): TokenService {
  const key = new TextEncoder().encode(secret);
  return {
    async sign(p, ttlSeconds = 8 * 3600) {
      return new SignJWT({ role: p.role, schools: p.schools, classes: p.classes, region: p.region })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(p.sub)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key);
    },
    async verify(token) {
      const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
      const principal = principalSchema.parse(payload);
      if (principal.role !== 'person' && !options.staff) throw new Error('hub-signed staff tokens are for the dev stack only');
      return principal;
    },
  };
}

/** A verifier of someone else's tokens (the staff OpenID provider's, api/staff-tokens.ts). */
export interface IssuerVerifier {
  issuer: string;
  verify(token: string): Promise<Principal>;
}

/** The unverified `iss`, only to choose a verifier: each verifier then checks everything itself. */
function claimedIssuer(token: string): string | undefined {
  try {
    const iss = decodeJwt(token).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the bearer token if there is one; routes decide whether they need it. A token naming the
 * staff provider as issuer is checked against that provider's keys (RS256/ES256 only); any other
 * against the hub's own secret (HS256 only), so neither can pass as the other.
 */
export function authenticate(tokens: TokenService, staff?: IssuerVerifier) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const header = req.headers.authorization;
    if (!header) return next();
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) return next(new Problem(401, 'unauthenticated'));
    const token = match[1];
    try {
      req.principal = staff && claimedIssuer(token) === staff.issuer ? await staff.verify(token) : await tokens.verify(token);
      next();
    } catch (err) {
      next(err instanceof Problem ? err : new Problem(401, 'unauthenticated'));
    }
  };
}

export function requireRole(...roles: Role[]) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!req.principal) return next(new Problem(401, 'unauthenticated'));
    if (!roles.includes(req.principal.role)) return next(new Problem(403, 'forbidden'));
    next();
  };
}

/** May this principal act on this school (and, for a class teacher, this class)? */
export function canActOnSchool(
  p: Principal,
  school: { id: string; region: string },
  classId?: string | null,
): boolean {
  switch (p.role) {
    case 'authority':
      return p.region === undefined || p.region === school.region;
    case 'support':
      return true;
    case 'school_admin':
      return p.schools.includes(school.id);
    case 'class_teacher':
      return p.schools.includes(school.id) && classId != null && p.classes.includes(classId);
    case 'person':
      return false;
  }
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw new Problem(401, 'unauthenticated');
  return req.principal;
}
