// "Sign in with VK ID" from the hub's back end: the authorize URL (PKCE S256 + state), the exchange of
// the authorization code for tokens, and the user's data (README.md here for the protocol and its
// sources). Every request has its own timeout. The code exchange is not repeated once it may have
// reached VK ID (a code is good once); reading the user's data is, within a small budget.
import { httpRequest, HttpNetworkError, HttpTimeoutError, type HttpResponse } from '../../infra/http-client.js';

export interface VkIdClientOptions {
  /** https://id.vk.com, or the simulator's url. */
  base: string;
  clientId: string;
  /** The trusted redirect URL registered for the app; VK ID sends the person back there. */
  redirectUri: string;
  /** Space-separated scopes; `phone` lets the hub compare VK ID's verified phone (R-A5). */
  scope?: string;
  timeoutMs?: number;
  /** Attempts of user_info (first included) on 429, 5xx, timeouts. */
  maxAttempts?: number;
}

export interface VkIdTokens {
  accessToken: string;
  /** VK user id, as a decimal string. */
  userId: string;
  scope: string | null;
}

export interface VkIdUser {
  userId: string;
  firstName: string | null;
  lastName: string | null;
  /** Verified phone, when the app may read it (scope `phone`): digits as VK ID sends them. */
  phone: string | null;
  email: string | null;
}

export type VkIdErrorCode =
  /** The code is unknown, used, expired, or the verifier/redirect/device does not match. */
  | 'invalid-grant'
  /** The access token was refused. */
  | 'invalid-token'
  /** The answer's state is not the one sent: the exchange is not ours. */
  | 'state-mismatch'
  | 'rate-limited'
  /** Not reachable, 5xx, no answer in time. */
  | 'unavailable'
  /** Anything else VK ID refused or answered that the hub cannot read. */
  | 'bad-response';

export class VkIdError extends Error {
  constructor(
    readonly code: VkIdErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'VkIdError';
  }
}

export const isVkIdError = (e: unknown): e is VkIdError => e instanceof VkIdError;

const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };

function parseJson(res: HttpResponse): Record<string, unknown> {
  try {
    const v = JSON.parse(res.text) as unknown;
    if (v && typeof v === 'object') return v as Record<string, unknown>;
  } catch {
    // below
  }
  throw new VkIdError(res.status >= 500 ? 'unavailable' : 'bad-response', `VK ID answered ${res.status} with no JSON`);
}

const retryAfterMs = (res: HttpResponse): number => {
  const s = Number(res.header('retry-after'));
  return Number.isFinite(s) && s >= 0 ? s * 1000 : 1_000;
};

/** VK ID's refusals: `{error, error_description, state?}` (OAuth 2.1 error response). */
function refusal(res: HttpResponse, body: Record<string, unknown>): VkIdError {
  const error = typeof body.error === 'string' ? body.error : '';
  const description = typeof body.error_description === 'string' ? body.error_description : error || `HTTP ${res.status}`;
  if (res.status === 429 || error === 'slow_down') return new VkIdError('rate-limited', description, retryAfterMs(res));
  if (res.status >= 500 || error === 'server_error' || error === 'temporarily_unavailable') return new VkIdError('unavailable', description);
  if (error === 'invalid_grant') return new VkIdError('invalid-grant', description);
  if (error === 'invalid_token' || res.status === 401) return new VkIdError('invalid-token', description);
  return new VkIdError('bad-response', `${error || 'refused'}: ${description}`);
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const id = (v: unknown): string | null => (typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? String(v) : typeof v === 'string' && /^\d+$/.test(v) ? v : null);

export class VkIdClient {
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;

  constructor(private readonly opts: VkIdClientOptions) {
    this.base = opts.base.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.maxAttempts = opts.maxAttempts ?? 3;
  }

  get redirectUri(): string {
    return this.opts.redirectUri;
  }

  /** Where the person's browser goes to sign in: GET /authorize with response_type=code and PKCE. */
  authorizeUrl(p: { state: string; codeChallenge: string }): string {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: this.opts.clientId,
      redirect_uri: this.opts.redirectUri,
      state: p.state,
      code_challenge: p.codeChallenge,
      code_challenge_method: 'S256',
    });
    if (this.opts.scope) q.set('scope', this.opts.scope);
    return `${this.base}/authorize?${q.toString()}`;
  }

  /** POST /oauth2/auth, grant_type=authorization_code. Sent once, unless the connection was never made or VK ID said 429. */
  async exchangeCode(p: { code: string; codeVerifier: string; deviceId: string; state: string }): Promise<VkIdTokens> {
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code: p.code,
      code_verifier: p.codeVerifier,
      client_id: this.opts.clientId,
      device_id: p.deviceId,
      redirect_uri: this.opts.redirectUri,
      state: p.state,
    }).toString();
    const json = await this.post('/oauth2/auth', body, { idempotent: false });
    if (json.state !== p.state) throw new VkIdError('state-mismatch', 'the token answer carries another state');
    const accessToken = str(json.access_token);
    const userId = id(json.user_id);
    if (!accessToken || !userId) throw new VkIdError('bad-response', 'the token answer has no access_token or user_id');
    return { accessToken, userId, scope: str(json.scope) };
  }

  /** POST /oauth2/user_info: the user's data the app may read. */
  async userInfo(accessToken: string): Promise<VkIdUser> {
    const body = new URLSearchParams({ client_id: this.opts.clientId, access_token: accessToken }).toString();
    const json = await this.post('/oauth2/user_info', body, { idempotent: true });
    const user = json.user as Record<string, unknown> | undefined;
    const userId = id(user?.user_id);
    if (!user || !userId) throw new VkIdError('bad-response', 'user_info has no user.user_id');
    return { userId, firstName: str(user.first_name), lastName: str(user.last_name), phone: str(user.phone), email: str(user.email) };
  }

  private async post(path: string, body: string, { idempotent }: { idempotent: boolean }): Promise<Record<string, unknown>> {
    for (let attempt = 1; ; attempt++) {
      let res: HttpResponse;
      try {
        res = await httpRequest(`${this.base}${path}`, { method: 'POST', headers: FORM, body, timeoutMs: this.timeoutMs });
      } catch (e) {
        const notSent = (e instanceof HttpTimeoutError || e instanceof HttpNetworkError) && e.notSent;
        if (attempt < this.maxAttempts && (idempotent || notSent)) continue;
        throw new VkIdError('unavailable', e instanceof Error ? e.message : 'VK ID not reachable');
      }
      const json = res.status === 429 ? { error: 'slow_down' } : parseJson(res);
      if (res.status === 200 && !('error' in json)) return json;
      const err = refusal(res, json);
      const again = err.code === 'rate-limited' ? (err.retryAfterMs ?? 0) <= 2_000 : idempotent && err.code === 'unavailable';
      if (attempt < this.maxAttempts && again) {
        await new Promise((r) => setTimeout(r, err.code === 'rate-limited' ? err.retryAfterMs : 100 * attempt));
        continue;
      }
      throw err;
    }
  }
}
