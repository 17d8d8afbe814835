// Rate limits on public routes (code requests and submissions, invite and parent link previews),
// per client IP and per phone, and on journal linking per signed-in person (its refusals would
// otherwise tell which journal ids exist), with rate-limiter-flexible's PostgreSQL store: every API
// replica counts in the same table (rate_limits, migration 300), so a limit holds however many run.
import { createHash } from 'node:crypto';
import { normaliseEmail, normalisePhone } from '../domain/contact.js';
import type { NextFunction, Request, Response } from 'express';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../infra/config.js';
import type { Pool } from '../infra/postgres.js';
import type { RateLimitName } from './access.js';
import { Problem } from './problem.js';
import { signupHandles, type SignupHandles } from './signup-handles.js';

export interface Limit {
  points: number;
  seconds: number;
}

/** `5/3600` → five per hour. */
export function parseLimit(spec: string): Limit {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  if (!m) throw new Error(`not a rate limit (points/seconds): ${spec}`);
  return { points: Number(m[1]), seconds: Number(m[2]) };
}

/**
 * The phone (or e-mail) a request is about, as the signup key (an HMAC of the normalised address):
 * "+7 916 …" and "8 (916) …" count as one phone, a code request with the phone and a resend or code
 * submission with the signup id (any of its sessions) count together, and the counters table never
 * holds an address in clear.
 */
function contactKey(req: Request, handles: SignupHandles | undefined): string | undefined {
  const body = req.body as { phone?: unknown; email?: unknown } | undefined;
  const address =
    typeof body?.phone === 'string'
      ? (normalisePhone(body.phone) ?? body.phone.replace(/[^\d+]/g, ''))
      : typeof body?.email === 'string'
        ? normaliseEmail(body.email)
        : undefined;
  if (address) return handles ? `signup-${handles.keyOf(address)}` : createHash('sha256').update(address).digest('hex').slice(0, 32);
  const fromParams: unknown = req.params?.signupId;
  const signupId = typeof fromParams === 'string' ? fromParams : /^\/v1\/signups\/([^/]+)/.exec(req.path)?.[1];
  if (!signupId) return undefined;
  const key = handles?.keyIn(signupId);
  return key ? `signup-${key}` : `signup-id-${signupId.slice(0, 64)}`;
}

interface Rule {
  perIp?: Limit;
  perPhone?: Limit;
  /** Per signed-in person (the token's subject); a request without one is refused before it gets here. */
  perPerson?: Limit;
}

export function rulesFromConfig(c: Config): Record<RateLimitName, Rule> {
  return {
    'code-request': { perIp: parseLimit(c.RATE_LIMIT_CODE_REQUEST_PER_IP), perPhone: parseLimit(c.RATE_LIMIT_CODE_REQUEST_PER_PHONE) },
    'code-submit': { perIp: parseLimit(c.RATE_LIMIT_CODE_SUBMIT_PER_IP), perPhone: parseLimit(c.RATE_LIMIT_CODE_SUBMIT_PER_PHONE) },
    'invite-preview': { perIp: parseLimit(c.RATE_LIMIT_PREVIEW_PER_IP) },
    'parent-link-preview': { perIp: parseLimit(c.RATE_LIMIT_PREVIEW_PER_IP) },
    'journal-link': { perPerson: parseLimit(c.RATE_LIMIT_JOURNAL_LINK_PER_PERSON) },
    // R-L5: journal sign-ins and linking-code checks per person (codes also void after LINKING_CODE_MAX_FAILURES).
    'journal-proof': { perPerson: parseLimit(c.RATE_LIMIT_JOURNAL_PROOF_PER_PERSON) },
  };
}

export function rateLimits(pool: Pool, config: Config) {
  const limiters = new Map<string, RateLimiterPostgres>();
  const rules = rulesFromConfig(config);
  const secret = config.HUB_SIGNUP_SECRET ?? config.HUB_JWT_SECRET;
  const handles = secret ? signupHandles(secret) : undefined;
  const limiter = (name: string, l: Limit): RateLimiterPostgres => {
    const key = `${name}/${l.points}/${l.seconds}`;
    let rl = limiters.get(key);
    if (!rl) {
      rl = new RateLimiterPostgres({
        storeClient: pool,
        storeType: 'pool',
        tableName: 'rate_limits',
        tableCreated: true,
        clearExpiredByTimeout: false,
        keyPrefix: name,
        points: l.points,
        duration: l.seconds,
      });
      limiters.set(key, rl);
    }
    return rl;
  };

  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const name = req.routeSpec?.rateLimit;
    if (!name) return next();
    const rule = rules[name];
    const checks: [RateLimiterPostgres, string][] = [];
    if (rule.perIp) checks.push([limiter(`${name}:ip`, rule.perIp), req.ip ?? 'unknown']);
    const contact = rule.perPhone ? contactKey(req, handles) : undefined;
    if (rule.perPhone && contact) checks.push([limiter(`${name}:phone`, rule.perPhone), contact]);
    if (rule.perPerson && req.principal) checks.push([limiter(`${name}:person`, rule.perPerson), `${req.principal.role}:${req.principal.sub}`.slice(0, 200)]);
    let mostRestrictive: RateLimiterRes | undefined;
    for (const [rl, key] of checks) {
      try {
        const r = await rl.consume(key);
        if (!mostRestrictive || r.remainingPoints < mostRestrictive.remainingPoints) mostRestrictive = r;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
          return next(new Problem(429, 'rate-limited', { seconds }, { retryAfterSeconds: seconds }, { 'Retry-After': String(seconds) }));
        }
        // The store is unreachable: refuse rather than run unlimited (the health check reports the database).
        return next(rejection);
      }
    }
    if (mostRestrictive) res.setHeader('RateLimit-Remaining', String(mostRestrictive.remainingPoints));
    next();
  };
}
