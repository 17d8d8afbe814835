// Issue 17 item 1: staff access tokens from the region's OpenID Connect provider, verified against
// its JWKS with jose. The key set is fetched once and cached; a token signed with a key the cache does
// not have (the provider rotated its keys) makes jose fetch the set again, at most once per cooldown.
// Only asymmetric algorithms are accepted, so a token "signed" with the provider's public key as an
// HMAC secret, or with none, never passes (HS256/RS256 confusion, alg: none).
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { Principal } from './auth.js';
import { claimMapping, ClaimsNotMapped, principalFromClaims, type ClaimMapping } from './staff-claims.js';
import { Problem } from './problem.js';

export const STAFF_TOKEN_ALGORITHMS = ['RS256', 'ES256'];

export interface StaffTokenVerifier {
  issuer: string;
  verify(token: string): Promise<Principal>;
}

export interface StaffTokenSettings {
  OIDC_ISSUER: string;
  OIDC_AUDIENCE: string;
  OIDC_JWKS_URI?: string | undefined;
  OIDC_CLOCK_TOLERANCE_SECONDS: number;
  OIDC_ROLE_CLAIM: string;
  OIDC_ROLE_MAP?: string | undefined;
  OIDC_REGION_CLAIM: string;
  OIDC_REGION_MAP?: string | undefined;
  OIDC_SCHOOLS_CLAIM: string;
  OIDC_CLASSES_CLAIM: string;
}

export interface JwksTiming {
  /** Least time between two fetches of the key set (jose's default 30 s): a flood of unknown kids cannot hammer the provider. */
  cooldownMs?: number;
  /** How long a fetched key set is used before it is fetched again (jose's default 10 min). */
  maxAgeMs?: number;
}

/** The provider did not answer (discovery or JWKS): not the caller's fault, so 503, never 401. */
const providerAway = () => new Problem(503, 'sign-in-provider-unavailable', { seconds: 5 }, { retryAfterSeconds: 5 }, { 'Retry-After': '5' });

async function discoverJwksUri(issuer: string): Promise<URL> {
  const res = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`discovery answered ${res.status}`);
  const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
  // OpenID Connect Discovery 1.0 §4.3: the document's issuer must be the one asked for.
  if (doc.issuer !== issuer) throw new Error('discovery names another issuer');
  if (typeof doc.jwks_uri !== 'string') throw new Error('discovery has no jwks_uri');
  return new URL(doc.jwks_uri);
}

export function staffTokenVerifier(settings: StaffTokenSettings, timing: JwksTiming = {}): StaffTokenVerifier {
  // Fails at start on a mapping that could never admit anyone, not at the first sign-in.
  const mapping: ClaimMapping = claimMapping(settings);
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const keySet = (): Promise<JWTVerifyGetKey> => {
    keys ??= (settings.OIDC_JWKS_URI ? Promise.resolve(new URL(settings.OIDC_JWKS_URI)) : discoverJwksUri(settings.OIDC_ISSUER)).then((uri) =>
      createRemoteJWKSet(uri, {
        ...(timing.cooldownMs !== undefined ? { cooldownDuration: timing.cooldownMs } : {}),
        ...(timing.maxAgeMs !== undefined ? { cacheMaxAge: timing.maxAgeMs } : {}),
      }),
    );
    // A failed discovery is tried again by the next request, not remembered.
    keys.catch(() => (keys = undefined));
    return keys;
  };

  return {
    issuer: settings.OIDC_ISSUER,
    async verify(token) {
      const getKey = await keySet().catch(() => {
        throw providerAway();
      });
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          algorithms: STAFF_TOKEN_ALGORITHMS,
          issuer: settings.OIDC_ISSUER,
          audience: settings.OIDC_AUDIENCE,
          requiredClaims: ['exp', 'sub'],
          clockTolerance: settings.OIDC_CLOCK_TOLERANCE_SECONDS,
        }));
      } catch (err) {
        // The key set could not be fetched (timeout, refused, not 200): the provider is away. Anything
        // else jose says (expired, bad signature, wrong iss/aud/alg, unknown kid) is the token's fault.
        if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError) || err.code === 'ERR_JOSE_GENERIC') throw providerAway();
        throw new Problem(401, 'unauthenticated');
      }
      try {
        return principalFromClaims(mapping, payload);
      } catch (err) {
        if (err instanceof ClaimsNotMapped) throw new Problem(403, err.code);
        throw err;
      }
    },
  };
}
