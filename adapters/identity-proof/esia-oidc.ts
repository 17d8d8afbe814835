// Gosuslugi (ESIA) sign-in as OpenID Connect (R-L3, R-L5): authorization-code flow; the code is
// exchanged server to server at the token endpoint, the ID token's signature is checked against the
// provider's JWKS, and issuer, audience, expiry and nonce must match. Claims: `birthdate` (OpenID
// Connect Core 1.0 §5.1), `family_name`, `given_name`, and the ESIA-specific `snils` and
// `children` (birth dates of the children attached to the account). See README.md in this folder
// for what the real ESIA adds (client secret signed with a GOST key) before going live.
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { httpRequest } from '../../infra/http-client.js';
import { SignInRefused, type RedirectSignIn, type VerifiedIdentity } from './port.js';

export const esiaConfigSchema = z.object({
  issuer: z.string().url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  scope: z.string().default('openid fullname birthdate snils kid_brth_dt'),
  timeoutMs: z.number().int().min(1).default(10_000),
});

const discovery = z.object({
  issuer: z.string(),
  authorization_endpoint: z.string().url(),
  token_endpoint: z.string().url(),
  jwks_uri: z.string().url(),
});
const tokenReply = z.object({ id_token: z.string().min(1), token_type: z.string() });
const claims = z.object({
  sub: z.string(),
  nonce: z.string(),
  birthdate: z.iso.date().optional(),
  family_name: z.string().optional(),
  given_name: z.string().optional(),
  snils: z.string().optional(),
  children: z.array(z.object({ birthdate: z.iso.date() })).default([]),
});

export class EsiaOidcSignIn implements RedirectSignIn {
  readonly method = 'esia' as const;
  private readonly cfg: z.infer<typeof esiaConfigSchema>;
  private meta: Promise<z.infer<typeof discovery> & { keys: JWTVerifyGetKey }> | undefined;

  constructor(config: z.input<typeof esiaConfigSchema>) {
    this.cfg = esiaConfigSchema.parse(config);
  }

  private provider() {
    this.meta ??= (async () => {
      const res = await httpRequest(`${this.cfg.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, { timeoutMs: this.cfg.timeoutMs });
      if (res.status !== 200) throw new Error(`ESIA discovery answered ${res.status}`);
      const d = discovery.parse(JSON.parse(res.text));
      return { ...d, keys: createRemoteJWKSet(new URL(d.jwks_uri)) };
    })().catch((e: unknown) => {
      this.meta = undefined;
      throw e;
    });
    return this.meta;
  }

  async authorizeUrl(p: { state: string; nonce: string; redirectUri: string }): Promise<string> {
    const { authorization_endpoint } = await this.provider();
    const q = new URLSearchParams({ response_type: 'code', client_id: this.cfg.clientId, scope: this.cfg.scope, redirect_uri: p.redirectUri, state: p.state, nonce: p.nonce });
    return `${authorization_endpoint}?${q.toString()}`;
  }

  async complete(p: { code: string; nonce: string; redirectUri: string }): Promise<VerifiedIdentity> {
    const meta = await this.provider();
    const res = await httpRequest(meta.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: p.code,
        redirect_uri: p.redirectUri,
        client_id: this.cfg.clientId,
        client_secret: this.cfg.clientSecret,
      }).toString(),
      timeoutMs: this.cfg.timeoutMs,
    });
    // RFC 6749 §5.2: invalid_grant and friends are 400; the code is the person's to get again.
    if (res.status === 400 || res.status === 401) throw new SignInRefused(`token endpoint ${res.status}`);
    if (res.status !== 200) throw new Error(`ESIA token endpoint answered ${res.status}`);
    const { id_token } = tokenReply.parse(JSON.parse(res.text));
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(id_token, meta.keys, { issuer: meta.issuer, audience: this.cfg.clientId }));
    } catch {
      throw new SignInRefused('id token not valid');
    }
    const c = claims.parse(payload);
    if (c.nonce !== p.nonce) throw new SignInRefused('nonce mismatch');
    return {
      ...(c.birthdate ? { birthDate: c.birthdate } : {}),
      ...(c.snils ? { snils: c.snils.replace(/\D/g, '') } : {}),
      ...(c.family_name && c.given_name ? { name: { family: c.family_name, given: c.given_name } } : {}),
      childrenBirthDates: c.children.map((k) => k.birthdate),
    };
  }
}
