// Who may sign in to the API, from configuration (issue 17 item 1, docs/staff-sign-in.md): people
// with the hub-signed tokens their signup gives them; staff with the OpenID provider's access tokens.
// Hub-signed staff tokens (POST /v1/dev/token) are the dev stack's: never in production, and beside a
// configured provider only when the dev stack asks for them (HUB_DEV_AUTH).
import { tokenService, type TokenService } from '../api/auth.js';
import { staffTokenVerifier, type JwksTiming, type StaffTokenVerifier } from '../api/staff-tokens.js';
import type { Config } from '../infra/config.js';

export function hubSignsStaff(config: Config): boolean {
  return config.NODE_ENV !== 'production' && (config.HUB_DEV_AUTH || !config.OIDC_ISSUER);
}

export function signIn(config: Config, secret: string, timing?: JwksTiming): { tokens: TokenService; staffTokens?: StaffTokenVerifier } {
  const tokens = tokenService(secret, { staff: hubSignsStaff(config) });
  if (!config.OIDC_ISSUER || !config.OIDC_AUDIENCE) return { tokens };
  return { tokens, staffTokens: staffTokenVerifier({ ...config, OIDC_ISSUER: config.OIDC_ISSUER, OIDC_AUDIENCE: config.OIDC_AUDIENCE }, timing) };
}
