// A real OpenID provider in-process (oidc-provider, an OpenID Certified implementation) on a random
// loopback port, for staff sign-in tests (issue 17). Access tokens are JWTs (RFC 9068) through
// resource indicators, as Keycloak issues them: a `realm_access.roles` claim and hub attributes.
//   - API tests mint tokens with the client credentials grant: each staff member is a confidential
//     client whose token carries that member's claims (extraTokenClaims).
//   - The browser test signs in with authorization code + PKCE through the provider's own login page
//     (devInteractions: any login name is an account; its claims come from `accounts`).
// rotateKeys() swaps in a provider with new signing keys behind the same issuer and port.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';

export const HUB_API_RESOURCE = 'https://hub.test/api';
export const OTHER_RESOURCE = 'https://other.test/api';
export const CONSOLE_CLIENT_ID = 'hub-console';

export type StaffClaims = Record<string, unknown>;

export interface StaffClient {
  clientId: string;
  secret: string;
  claims: StaffClaims;
  alg: 'RS256' | 'ES256';
  ttlSeconds: number;
}

export interface TestProvider {
  issuer: string;
  /** Private signing keys of the provider now (for crafted tokens "signed by the provider"). */
  keys: { rsa: JWK; ec: JWK };
  /** A real access token for a staff member, from the token endpoint (client credentials). */
  tokenFor(claims: StaffClaims, opts?: { alg?: 'RS256' | 'ES256'; ttlSeconds?: number; resource?: string }): Promise<string>;
  /** Accounts of the login page (authorization code flow): login name → claims. */
  accounts: Map<string, StaffClaims>;
  rotateKeys(): Promise<void>;
  /** Lifetime of the access tokens the console gets (authorization code flow). */
  consoleTokenTtlSeconds: number;
  /** Where the console client may return (known once the API listens). */
  setConsoleRedirectUris(uris: string[]): void;
  stop(): Promise<void>;
}

/** oidc-provider warns on every start that it runs with development defaults, as it does here on purpose. */
function quietly<T>(make: () => T): T {
  const { warn, info } = console;
  const drop = (log: (...a: unknown[]) => void) => (...a: unknown[]) => (String(a[0]).includes('oidc-provider') ? undefined : log(...a));
  console.warn = drop(warn);
  console.info = drop(info);
  try {
    return make();
  } finally {
    console.warn = warn;
    console.info = info;
  }
}

async function signingKeys(): Promise<{ rsa: JWK; ec: JWK }> {
  const stamp = Date.now().toString(36);
  const rsa = await exportJWK((await generateKeyPair('RS256', { extractable: true })).privateKey);
  const ec = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
  return { rsa: { ...rsa, kid: `rsa-${stamp}`, alg: 'RS256', use: 'sig' }, ec: { ...ec, kid: `ec-${stamp}`, alg: 'ES256', use: 'sig' } };
}

export async function startTestProvider(): Promise<TestProvider> {
  let consoleRedirectUris = ['http://127.0.0.1/console/'];
  const clients = new Map<string, StaffClient>();
  const accounts = new Map<string, StaffClaims>();
  let handler: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | undefined;
  const server: Server = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const build = (keys: { rsa: JWK; ec: JWK }) => quietly(() => new Provider(issuer, {
      clients: [
        {
          client_id: CONSOLE_CLIENT_ID,
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code'],
          response_types: ['code'],
          redirect_uris: consoleRedirectUris,
          post_logout_redirect_uris: consoleRedirectUris,
        },
        ...[...clients.values()].map((c) => ({
          client_id: c.clientId,
          client_secret: c.secret,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        })),
      ],
      jwks: { keys: [keys.rsa, keys.ec] },
      pkce: { required: () => true },
      features: {
        clientCredentials: { enabled: true },
        devInteractions: { enabled: true },
        rpInitiatedLogout: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => HUB_API_RESOURCE,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx: unknown, resource: string, client: { clientId: string }) => {
            const staff = clients.get(client.clientId);
            return {
              scope: 'hub',
              audience: resource,
              accessTokenFormat: 'jwt',
              accessTokenTTL: staff?.ttlSeconds ?? api.consoleTokenTtlSeconds,
              jwt: { sign: { alg: staff?.alg ?? 'RS256' } },
            };
          },
        },
      },
      findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id }) }),
      extraTokenClaims: (_ctx: unknown, token: { accountId?: string; clientId?: string }) =>
        token.accountId ? (accounts.get(token.accountId) ?? {}) : (clients.get(token.clientId ?? '')?.claims ?? {}),
      ttl: {
        AccessToken: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) => token.resourceServer?.accessTokenTTL ?? 300,
        ClientCredentials: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) => token.resourceServer?.accessTokenTTL ?? 300,
        AuthorizationCode: 60,
        IdToken: 300,
        Interaction: 600,
        Session: 3600,
        Grant: 3600,
      },
    }));

  let keys = await signingKeys();
  let provider = build(keys);
  handler = provider.callback();
  let n = 0;

  const api: TestProvider = {
    issuer,
    get keys() {
      return keys;
    },
    accounts,
    consoleTokenTtlSeconds: 300,
    async tokenFor(claims, o = {}) {
      const client: StaffClient = { clientId: `staff-${++n}`, secret: `secret-${n}-${Date.now()}`, claims, alg: o.alg ?? 'RS256', ttlSeconds: o.ttlSeconds ?? 300 };
      clients.set(client.clientId, client);
      // Clients are fixed at construction: a provider with the new client, same keys and issuer.
      provider = build(keys);
      handler = provider.callback();
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'hub', resource: o.resource ?? HUB_API_RESOURCE }),
      });
      const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!res.ok || !body.access_token) throw new Error(`token endpoint: ${res.status} ${body.error} ${body.error_description}`);
      return body.access_token;
    },
    setConsoleRedirectUris(uris) {
      consoleRedirectUris = uris;
      provider = build(keys);
      handler = provider.callback();
    },
    async rotateKeys() {
      keys = await signingKeys();
      provider = build(keys);
      handler = provider.callback();
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return api;
}
