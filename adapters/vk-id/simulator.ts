// A VK ID the project ships: a real HTTP server speaking VK ID's OAuth 2.1 endpoints (README.md here:
// GET /authorize, POST /oauth2/auth, POST /oauth2/user_info), over in-memory accounts, for tests and
// the dev stack. It checks what VK ID checks: the app's client_id and trusted redirect URL, state,
// PKCE S256 (the verifier against the challenge), one-time codes that expire, device_id, and access
// tokens. Faults can be scripted per endpoint. `tsx adapters/vk-id/simulator.ts --port 8092`.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { codeChallengeS256, VERIFIER_PATTERN } from './pkce.js';

export interface VkIdAccount {
  /** VK user id (decimal). */
  userId: string;
  firstName: string;
  lastName: string;
  /** Verified phone as VK ID returns it: digits, country code first (79001234567). */
  phone?: string;
  email?: string;
}

export type VkIdEndpoint = 'authorize' | 'token' | 'user_info';

export type VkIdFault =
  | { kind: '429'; retryAfterSeconds?: number }
  | { kind: '500' | '503' }
  /** Never answer: the client's timeout must fire. */
  | { kind: 'hang' }
  /** Do the work (a code is spent), then answer 502: the answer is lost on the way. */
  | { kind: 'lost' };

export interface VkIdSimulatorOptions {
  port?: number;
  host?: string;
  clientId?: string;
  /** Trusted redirect URLs of the app; any other is refused. Empty: the first one used is trusted from then on. */
  redirectUris?: string[];
  /** Lifetime of an authorization code (VK ID: 10 minutes). */
  codeTtlMs?: number;
  accessTokenTtlSeconds?: number;
}

export interface VkIdSimulator {
  readonly url: string;
  readonly clientId: string;
  addAccount(a: Partial<VkIdAccount> & Pick<VkIdAccount, 'firstName' | 'lastName'>): VkIdAccount;
  account(userId: string): VkIdAccount | undefined;
  /** Faults applied, one each, to the next calls of that endpoint. */
  script(endpoint: VkIdEndpoint, ...faults: VkIdFault[]): void;
  /** Moves the simulator's clock (codes and tokens expire by it). */
  advance(ms: number): void;
  counters(): { calls: Record<VkIdEndpoint, number>; codesIssued: number; codesRedeemed: number; refused: Record<string, number> };
  stop(): Promise<void>;
}

interface IssuedCode {
  userId: string;
  clientId: string;
  redirectUri: string;
  state: string;
  challenge: string;
  deviceId: string;
  scope: string;
  expiresAt: number;
  used: boolean;
}

/** The simulator's own parameter on GET /authorize: who signs in (the real VK ID shows its login form). */
export const SIM_USER_PARAM = 'sim_user_id';

class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

async function formOf(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  // VK ID takes the parameters in the query or in an x-www-form-urlencoded body (the web SDK sends both).
  const params = new URLSearchParams(url.searchParams);
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) params.set(k, v);
  return params;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startVkIdSimulator(opts: VkIdSimulatorOptions = {}): Promise<VkIdSimulator> {
  const clientId = opts.clientId ?? '51900001';
  const trusted = new Set(opts.redirectUris ?? []);
  const codeTtlMs = opts.codeTtlMs ?? 10 * 60_000;
  const tokenTtlS = opts.accessTokenTtlSeconds ?? 3600;
  const accounts = new Map<string, VkIdAccount>();
  const codes = new Map<string, IssuedCode>();
  const tokens = new Map<string, { userId: string; scope: string; expiresAt: number }>();
  const scripts: Record<VkIdEndpoint, VkIdFault[]> = { authorize: [], token: [], user_info: [] };
  const counters = { calls: { authorize: 0, token: 0, user_info: 0 }, codesIssued: 0, codesRedeemed: 0, refused: {} as Record<string, number> };
  let skew = 0;
  let nextUserId = 100_000_000 + Math.floor(Math.random() * 1_000_000) * 100;
  const now = () => Date.now() + skew;
  const secret = () => randomBytes(24).toString('base64url');

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(body));
  };
  const refuse = (res: ServerResponse, e: OAuthError, state?: string | null) => {
    counters.refused[e.error] = (counters.refused[e.error] ?? 0) + 1;
    send(res, e.status, { error: e.error, error_description: e.description, ...(state ? { state } : {}) });
  };

  function requireClient(q: URLSearchParams): void {
    if (q.get('client_id') !== clientId) throw new OAuthError('invalid_client', 'unknown client_id', 401);
  }
  function requireRedirect(uri: string | null): string {
    if (!uri) throw new OAuthError('invalid_request', 'redirect_uri is required');
    if (trusted.size === 0) trusted.add(uri);
    if (!trusted.has(uri)) throw new OAuthError('invalid_request', 'redirect_uri is not a trusted redirect URL of the app');
    return uri;
  }

  /** GET /authorize: checks the request, then "signs in" the account named by sim_user_id and redirects with a code. */
  function authorize(q: URLSearchParams, res: ServerResponse): void {
    requireClient(q);
    const redirectUri = requireRedirect(q.get('redirect_uri'));
    if (q.get('response_type') !== 'code') throw new OAuthError('unsupported_response_type', 'response_type must be code');
    const state = q.get('state');
    if (!state) throw new OAuthError('invalid_request', 'state is required');
    const challenge = q.get('code_challenge');
    if (!challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) throw new OAuthError('invalid_request', 'code_challenge is required (S256, base64url)');
    if (q.get('code_challenge_method')?.toLowerCase() !== 's256') throw new OAuthError('invalid_request', 'code_challenge_method must be s256');
    if (q.has('code_verifier')) throw new OAuthError('invalid_request', 'code_verifier and code_challenge may not be sent together');
    const who = q.get(SIM_USER_PARAM);
    if (!who) {
      // The dev stack's stand-in for VK ID's login form: pick an account.
      const links = [...accounts.values()]
        .map((a) => {
          const pick = new URLSearchParams(q);
          pick.set(SIM_USER_PARAM, a.userId);
          return `<li><a href="/authorize?${escapeHtml(pick.toString())}">${escapeHtml(`${a.firstName} ${a.lastName}`)} (id ${a.userId})</a></li>`;
        })
        .join('');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><meta charset="utf-8"><title>VK ID (simulator)</title><h1>Войти с VK ID</h1><ul>${links}</ul>`);
      return;
    }
    const back = new URL(redirectUri);
    if (who === 'deny') {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('state', state);
    } else {
      if (!accounts.has(who)) throw new OAuthError('invalid_request', 'no such account in the simulator');
      const code = secret();
      const deviceId = secret();
      codes.set(code, { userId: who, clientId, redirectUri, state, challenge, deviceId, scope: q.get('scope') ?? 'vkid.personal_info', expiresAt: now() + codeTtlMs, used: false });
      counters.codesIssued++;
      back.searchParams.set('code', code);
      back.searchParams.set('state', state);
      back.searchParams.set('device_id', deviceId);
      back.searchParams.set('type', 'code_v2');
    }
    res.writeHead(302, { location: back.toString() });
    res.end();
  }

  /** POST /oauth2/auth, grant_type=authorization_code. */
  function exchange(q: URLSearchParams): Record<string, unknown> {
    if (q.get('grant_type') !== 'authorization_code') throw new OAuthError('unsupported_grant_type', 'only authorization_code is simulated');
    requireClient(q);
    const code = q.get('code');
    const verifier = q.get('code_verifier');
    if (!code || !verifier || !q.get('device_id') || !q.get('redirect_uri') || !q.get('state')) {
      throw new OAuthError('invalid_request', 'code, code_verifier, device_id, redirect_uri and state are required');
    }
    const issued = codes.get(code);
    if (!issued) throw new OAuthError('invalid_grant', 'unknown code');
    if (issued.used) throw new OAuthError('invalid_grant', 'code already used');
    if (now() >= issued.expiresAt) throw new OAuthError('invalid_grant', 'code expired');
    if (q.get('redirect_uri') !== issued.redirectUri) throw new OAuthError('invalid_grant', 'redirect_uri differs from the authorize request');
    if (q.get('device_id') !== issued.deviceId) throw new OAuthError('invalid_grant', 'device_id differs from the one issued with the code');
    if (q.get('state') !== issued.state) throw new OAuthError('invalid_grant', 'state differs from the authorize request');
    if (!VERIFIER_PATTERN.test(verifier) || codeChallengeS256(verifier) !== issued.challenge) {
      throw new OAuthError('invalid_grant', 'code_verifier does not match code_challenge');
    }
    issued.used = true;
    counters.codesRedeemed++;
    const accessToken = secret();
    tokens.set(accessToken, { userId: issued.userId, scope: issued.scope, expiresAt: now() + tokenTtlS * 1000 });
    return {
      access_token: accessToken,
      refresh_token: secret(),
      id_token: `${secret()}.${secret()}.${secret()}`,
      token_type: 'Bearer',
      expires_in: tokenTtlS,
      user_id: Number(issued.userId),
      state: issued.state,
      scope: issued.scope,
    };
  }

  /** POST /oauth2/user_info. */
  function userInfo(q: URLSearchParams): Record<string, unknown> {
    requireClient(q);
    const t = tokens.get(q.get('access_token') ?? '');
    if (!t || now() >= t.expiresAt) throw new OAuthError('invalid_token', 'access_token is invalid or expired', 401);
    const a = accounts.get(t.userId)!;
    const scopes = new Set(t.scope.split(/\s+/));
    return {
      user: {
        user_id: a.userId,
        first_name: a.firstName,
        last_name: a.lastName,
        avatar: `https://sun.userapi.com/sim/${a.userId}.jpg`,
        sex: 0,
        verified: false,
        birthday: '',
        ...(scopes.has('phone') && a.phone ? { phone: a.phone } : {}),
        ...(scopes.has('email') && a.email ? { email: a.email } : {}),
      },
    };
  }

  const ROUTES: Record<string, VkIdEndpoint> = { 'GET /authorize': 'authorize', 'POST /oauth2/auth': 'token', 'POST /oauth2/user_info': 'user_info' };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const endpoint = ROUTES[`${req.method} ${url.pathname}`];
    if (!endpoint) return send(res, 404, { error: 'not_found', error_description: 'unknown endpoint' });
    counters.calls[endpoint]++;
    const fault = scripts[endpoint].shift();
    if (fault?.kind === 'hang') return;
    if (fault?.kind === '429') return send(res, 429, { error: 'slow_down', error_description: 'too many requests' }, { 'retry-after': String(fault.retryAfterSeconds ?? 1) });
    if (fault?.kind === '500' || fault?.kind === '503') return send(res, Number(fault.kind), { error: 'server_error', error_description: 'internal error' });
    formOf(req, url)
      .then((q) => {
        try {
          if (endpoint === 'authorize') return authorize(q, res);
          const body = endpoint === 'token' ? exchange(q) : userInfo(q);
          if (fault?.kind === 'lost') return send(res, 502, { error: 'server_error', error_description: 'bad gateway' });
          send(res, 200, body);
        } catch (e) {
          if (e instanceof OAuthError) return refuse(res, e, q.get('state'));
          throw e;
        }
      })
      .catch(() => send(res, 500, { error: 'server_error', error_description: 'simulator failure' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const url = `http://${opts.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;

  return {
    url,
    clientId,
    addAccount(a) {
      const userId = a.userId ?? String(nextUserId++);
      if (!/^\d+$/.test(userId)) throw new Error('a VK user id is decimal');
      const account: VkIdAccount = { ...a, userId };
      accounts.set(userId, account);
      return account;
    },
    account: (userId) => accounts.get(userId),
    script(endpoint, ...faults) {
      scripts[endpoint].push(...faults);
    },
    advance(ms) {
      skew += ms;
    },
    counters: () => ({ ...counters, calls: { ...counters.calls }, refused: { ...counters.refused } }),
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * The person's browser at VK ID: opens the authorize URL as `userId` (or `deny`) and returns where
 * VK ID sends them back, without following it.
 */
export async function signInAt(authorizeUrl: string, userId: string): Promise<URL> {
  const u = new URL(authorizeUrl);
  u.searchParams.set(SIM_USER_PARAM, userId);
  const res = await fetch(u, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`VK ID simulator refused the authorize request: ${res.status} ${await res.text()}`);
  return new URL(location);
}

// CLI: `tsx adapters/vk-id/simulator.ts --port 8092` for the dev stack.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8092' }, host: { type: 'string', default: '127.0.0.1' } } });
  const sim = await startVkIdSimulator({ port: Number(values.port), host: values.host, ...(process.env.VK_ID_CLIENT_ID ? { clientId: process.env.VK_ID_CLIENT_ID } : {}) });
  sim.addAccount({ firstName: 'Анна', lastName: 'Смирнова', phone: '79000000001' });
  sim.addAccount({ firstName: 'Пётр', lastName: 'Иванов' });
  process.stdout.write(`VK ID simulator on ${sim.url} (client_id ${sim.clientId})\n`);
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
