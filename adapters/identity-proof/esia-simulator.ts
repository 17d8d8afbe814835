// A Gosuslugi-like OpenID Connect provider for tests and the dev stack, following OpenID Connect
// Core 1.0 and Discovery 1.0: discovery document, authorization endpoint (the sign-in page is
// simulated: `login` and `password` arrive as query parameters and the answer is the 302 back to
// the client with `code` and `state`), token endpoint (client_secret_post, single-use codes bound to
// the redirect URI), JWKS with an RS256 key. Claims as esia-oidc.ts reads them. Faults through the
// shared FaultPlan (429, 5xx, slow replies).
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { RosterModel } from '../journals/testing/roster-model.js';
import { FaultPlan, startSim, type RunningSim } from '../journals/testing/sim-server.js';

export interface Citizen {
  password: string;
  sub?: string;
  familyName: string;
  givenName: string;
  birthDate: string;
  snils?: string;
  /** Birth dates of the children attached to the account (a parent's account). */
  children?: string[];
}

export interface EsiaSimulator extends RunningSim {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** login → citizen; live, tests add people as they go. */
  citizens: Map<string, Citizen>;
}

export async function startEsiaSimulator(opts: { clientId?: string; clientSecret?: string; port?: number } = {}, faults = new FaultPlan()): Promise<EsiaSimulator> {
  const clientId = opts.clientId ?? 'hub-client';
  const clientSecret = opts.clientSecret ?? 'hub-client-secret';
  const citizens = new Map<string, Citizen>();
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'sim-1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { login: string; redirectUri: string; nonce: string; expires: number }>();
  let issuer = '';

  const sim = await startSim(async (req) => {
    const q = req.url.searchParams;
    switch (req.url.pathname) {
      case '/.well-known/openid-configuration':
        return {
          json: {
            issuer,
            authorization_endpoint: `${issuer}/authorize`,
            token_endpoint: `${issuer}/token`,
            jwks_uri: `${issuer}/jwks`,
            response_types_supported: ['code'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: ['RS256'],
            token_endpoint_auth_methods_supported: ['client_secret_post'],
          },
        };
      case '/jwks':
        return { json: { keys: [jwk] } };
      case '/authorize': {
        if (q.get('client_id') !== clientId || q.get('response_type') !== 'code') return { status: 400, json: { error: 'invalid_request' } };
        const login = q.get('login') ?? '';
        const who = citizens.get(login);
        if (!who || who.password !== q.get('password')) return { status: 401, json: { error: 'access_denied' } };
        const code = randomUUID();
        codes.set(code, { login, redirectUri: q.get('redirect_uri') ?? '', nonce: q.get('nonce') ?? '', expires: Date.now() + 60_000 });
        const back = new URL(q.get('redirect_uri') ?? '');
        back.searchParams.set('code', code);
        back.searchParams.set('state', q.get('state') ?? '');
        return { status: 302, headers: { location: back.toString() } };
      }
      case '/token': {
        const form = new URLSearchParams(req.body);
        if (req.method !== 'POST' || form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) return { status: 401, json: { error: 'invalid_client' } };
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (form.get('grant_type') !== 'authorization_code' || !grant || grant.expires < Date.now() || grant.redirectUri !== form.get('redirect_uri')) {
          return { status: 400, json: { error: 'invalid_grant' } };
        }
        const who = citizens.get(grant.login)!;
        const idToken = await new SignJWT({
          nonce: grant.nonce,
          birthdate: who.birthDate,
          family_name: who.familyName,
          given_name: who.givenName,
          ...(who.snils ? { snils: who.snils } : {}),
          children: (who.children ?? []).map((birthdate) => ({ birthdate })),
        })
          .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
          .setIssuer(issuer)
          .setAudience(clientId)
          .setSubject(who.sub ?? grant.login)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(privateKey);
        return { json: { access_token: randomUUID(), token_type: 'Bearer', expires_in: 300, id_token: idToken } };
      }
      default:
        return { status: 404, json: { error: 'not_found' } };
    }
  }, faults, opts.port ?? 0);
  issuer = sim.url;
  return Object.assign(sim, { issuer, clientId, clientSecret, citizens });
}

/** Every person of a roster model as a Gosuslugi account (login = their journal id): the dev stack's citizens. */
export function citizensFromModel(model: RosterModel, password: string): Map<string, Citizen> {
  const out = new Map<string, Citizen>();
  for (const p of model.persons.values()) {
    const children = model.childrenOf(p.id).map((g) => model.persons.get(g.childId)?.birthDate).filter((d): d is string => !!d);
    out.set(p.id, { password, familyName: p.lastName, givenName: p.firstName, birthDate: p.birthDate ?? '1980-01-01', children });
  }
  return out;
}
