// Access control from one table (api/route-table.ts): every route says who may call it, and one
// middleware enforces it before any handler runs. Handlers still check finer scope (a class, a
// region) against the data; this layer makes "forgot the check" impossible for roles and schools.
import type { NextFunction, Request, Response } from 'express';
import { match, type MatchFunction } from 'path-to-regexp';
import type { ZodType } from 'zod';
import type { Role } from './auth.js';
import type { MessageCode } from './messages.js';
import { Problem } from './problem.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
export type RateLimitName = 'code-request' | 'code-submit' | 'invite-preview' | 'parent-link-preview' | 'journal-link' | 'journal-proof';

export interface RouteSpec {
  method: Method;
  /** Full express path, e.g. `/v1/schools/:schoolId/invites`. */
  path: string;
  /** `public`: no token needed (a token, if sent, must still be valid). Otherwise the roles allowed. */
  access: 'public' | readonly Role[];
  /** `school`: for school_admin and class_teacher, the `:schoolId` in the path must be one of theirs. */
  scope?: 'school';
  rateLimit?: RateLimitName;
  /** The 403 problem type for a role not admitted, when the route has a more telling one than `forbidden`. */
  forbidden?: MessageCode;
  /** Mounted only with HUB_DEV_AUTH (dev stack). */
  devOnly?: boolean;
  tag: string;
  summary: string;
  params?: ZodType;
  query?: ZodType;
  body?: ZodType;
  response?: ZodType;
  /** Not JSON (metrics text, HTML page). */
  produces?: string;
  /** Request body types other than JSON (an upload); the route reads its body itself. */
  consumes?: readonly string[];
  /** Problems the route answers with besides the common ones (400, 401, 403, 429), as [status, type]. */
  problems?: ReadonlyArray<readonly [number, MessageCode]>;
}

interface CompiledRoute {
  spec: RouteSpec;
  matches: MatchFunction<Record<string, string | string[]>>;
}

export interface RouteIndex {
  find(method: string, path: string): { spec: RouteSpec; params: Record<string, string | string[]> } | undefined;
}

export function indexRoutes(specs: readonly RouteSpec[]): RouteIndex {
  const compiled: CompiledRoute[] = specs.map((spec) => ({ spec, matches: match(spec.path, { decode: decodeURIComponent }) }));
  return {
    find(method, path) {
      const m = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
      for (const c of compiled) {
        if (c.spec.method !== m) continue;
        const hit = c.matches(path);
        if (hit) return { spec: c.spec, params: hit.params };
      }
      return undefined;
    },
  };
}

/** The roles that may call a route; `public` routes admit anyone. */
export const allowedRoles = (spec: RouteSpec): readonly Role[] | 'public' => spec.access;

/**
 * Enforces the table. A request to a path the table does not know passes through (it ends in 404
 * or in a route the access-control test reports as undeclared).
 */
export function enforceAccess(index: RouteIndex) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const found = index.find(req.method, req.path);
    if (!found) return next();
    req.routeSpec = found.spec;
    const { spec, params } = found;
    if (spec.access === 'public') return next();
    const p = req.principal;
    if (!p) return next(new Problem(401, 'unauthenticated'));
    if (!spec.access.includes(p.role)) return next(new Problem(403, spec.forbidden ?? 'forbidden'));
    // An authority operator acts for one region: a token that names none would see every region's
    // connections and runs (issue 17 item 5), so it is refused rather than read as "all".
    if (p.role === 'authority' && !p.region) return next(new Problem(403, 'authority-region-required'));
    if (spec.scope === 'school' && (p.role === 'school_admin' || p.role === 'class_teacher')) {
      const schoolId = params.schoolId;
      if (typeof schoolId !== 'string' || !p.schools.includes(schoolId)) return next(new Problem(403, 'forbidden'));
    }
    next();
  };
}
