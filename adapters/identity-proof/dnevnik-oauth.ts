// Dnevnik.ru sign-in (R-L5): OAuth 2.0 authorisation code as Dnevnik's public API describes it:
// the browser goes to login.dnevnik.ru/oauth2 (client_id, scope, redirect_uri, state), the code
// comes back, the hub exchanges it at `/v2/authorizations` and reads the person's own identity with
// `users/me` (Access-Token header). The person id it names is what the roster knows the person by.
// Endpoints as public clients use them (id247/oleyna settings-dnevnik.js: authUrl, grantUrl, scope);
// see README.md in this folder for what must be checked with Dnevnik before going live.
import { z } from 'zod';
import { httpRequest } from '../../infra/http-client.js';
import { SignInRefused, type RedirectSignIn, type VerifiedIdentity } from './port.js';

export const dnevnikOAuthConfigSchema = z.object({
  authorizeUrl: z.string().url().default('https://login.dnevnik.ru/oauth2'),
  /** The API the connection reads (its `baseUrl`). */
  apiBase: z.string().url().default('https://api.dnevnik.ru'),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  scope: z.string().default('CommonInfo'),
  timeoutMs: z.number().int().min(1).default(10_000),
});

const idish = z.union([z.number(), z.string()]).transform(String);
const tokenReply = z.object({ accessToken: z.string().min(1) });
const me = z.object({ id: idish, id_str: z.string().optional(), personId: idish, personId_str: z.string().optional(), roles: z.array(z.string()).default([]) });

export class DnevnikOAuthSignIn implements RedirectSignIn {
  readonly method = 'dnevnik-oauth' as const;
  private readonly cfg: z.infer<typeof dnevnikOAuthConfigSchema>;

  constructor(config: z.input<typeof dnevnikOAuthConfigSchema>) {
    this.cfg = dnevnikOAuthConfigSchema.parse(config);
  }

  async authorizeUrl(p: { state: string; nonce: string; redirectUri: string }): Promise<string> {
    const q = new URLSearchParams({ response_type: 'code', client_id: this.cfg.clientId, scope: this.cfg.scope, redirect_uri: p.redirectUri, state: p.state });
    return `${this.cfg.authorizeUrl}?${q.toString()}`;
  }

  async complete(p: { code: string; nonce: string; redirectUri: string }): Promise<VerifiedIdentity> {
    const api = this.cfg.apiBase.replace(/\/$/, '');
    const grant = await httpRequest(`${api}/v2/authorizations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ code: p.code, client_id: this.cfg.clientId, client_secret: this.cfg.clientSecret, grant_type: 'AuthorizationCode', redirect_uri: p.redirectUri }),
      timeoutMs: this.cfg.timeoutMs,
    });
    if (grant.status === 400 || grant.status === 401 || grant.status === 403) throw new SignInRefused(`authorizations ${grant.status}`);
    if (grant.status !== 200) throw new Error(`Dnevnik authorizations answered ${grant.status}`);
    const { accessToken } = tokenReply.parse(JSON.parse(grant.text));
    const res = await httpRequest(`${api}/v2/users/me`, { headers: { 'Access-Token': accessToken, accept: 'application/json' }, timeoutMs: this.cfg.timeoutMs });
    if (res.status === 401 || res.status === 403) throw new SignInRefused(`users/me ${res.status}`);
    if (res.status !== 200) throw new Error(`Dnevnik users/me answered ${res.status}`);
    const user = me.parse(JSON.parse(res.text));
    return { externalPersonId: user.personId_str ?? user.personId, roles: user.roles };
  }
}
