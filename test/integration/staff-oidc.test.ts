// Issue 17 items 1 and 2: staff sign in through the region's OpenID provider, and no other token
// passes. The provider is real (oidc-provider in-process, test/helpers/oidc-provider.ts); the API is
// built the way bin/api.ts builds it (app/processes.ts runApi), so what is refused here is refused in
// production. Crafted tokens are signed with the provider's own private keys where the case needs a
// token the provider "could" have signed, to prove that the check which refuses it is the named one.
import { createPublicKey } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { importJWK, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApi } from '../../app/processes.js';
import { tokenService } from '../../api/auth.js';
import { loadConfig } from '../../infra/config.js';
import { createLogger } from '../../infra/logger.js';
import type { Stoppable } from '../../infra/lifecycle.js';
import { TEST_JWT_SECRET, useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { CONSOLE_CLIENT_ID, HUB_API_RESOURCE, OTHER_RESOURCE, startTestProvider, type TestProvider } from '../helpers/oidc-provider.js';
import { seedSchool, type SchoolWithClasses } from '../helpers/seed.js';
import { aProfile, newPhone, signupSteps } from '../helpers/signup.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool }));
/** A replica on the test task queue, where people sign up for real (the worker serves that queue). */
const signupReplica = useTestApi(db, temporal);
const signup = signupSteps(signupReplica, db);

const ROLE_MAP = 'hub-authority=authority,hub-support=support,hub-school-admin=school_admin,hub-class-teacher=class_teacher';
const roles = (...r: string[]) => ({ realm_access: { roles: ['offline_access', 'default-roles-hub', ...r] } });

let provider: TestProvider;
let hub: Stoppable & { server: import('node:http').Server };
let base: string;
let s: SchoolWithClasses;
let other: SchoolWithClasses;

beforeAll(async () => {
  provider = await startTestProvider();
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    HUB_JWT_SECRET: TEST_JWT_SECRET,
    OIDC_ISSUER: provider.issuer,
    OIDC_AUDIENCE: HUB_API_RESOURCE,
    OIDC_CLIENT_ID: CONSOLE_CLIENT_ID,
    OIDC_ROLE_MAP: ROLE_MAP,
    OIDC_REGION_MAP: 'tatarstan=16,primorye=25',
    OIDC_CLOCK_TOLERANCE_SECONDS: '0',
  });
  // No cooldown between key set fetches, so the rotation test need not wait jose's 30 s.
  hub = await runApi(config, db.pool, createLogger('silent'), temporal.client, { cooldownMs: 0 });
  base = `http://127.0.0.1:${(hub.server.address() as AddressInfo).port}`;
  s = await seedSchool(db.pool, { name: 'Школа № 5' });
  other = await seedSchool(db.pool, { name: 'Школа № 6' });
});
afterAll(async () => {
  await hub?.stop();
  await provider?.stop();
});

async function call(path: string, token: string, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
}

const expectProblem = (res: Awaited<ReturnType<typeof call>>, status: number, type: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.type).toContain('application/problem+json');
  expect(res.body.type).toBe(type);
};

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** A token with these claims signed by the provider's current RSA key: only the claims are wrong. */
async function craftedByProvider(claims: Record<string, unknown>, opts: { exp?: number | null; nbf?: number; iss?: string; aud?: string } = {}) {
  const key = provider.keys.rsa;
  const jwt = new SignJWT({ ...roles('hub-support'), ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: key.kid! })
    .setSubject('crafted')
    .setIssuer(opts.iss ?? provider.issuer)
    .setAudience(opts.aud ?? HUB_API_RESOURCE)
    .setIssuedAt();
  if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? now() + 300);
  if (opts.nbf !== undefined) jwt.setNotBefore(opts.nbf);
  return jwt.sign(await importJWK(key, 'RS256'));
}

describe('issue 17 item 1: staff sign in through the OpenID provider', () => {
  it('the console learns the provider and its public client from /console/config.json', async () => {
    const res = await fetch(`${base}/console/config.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ oidc: { issuer: provider.issuer, clientId: CONSOLE_CLIENT_ID, scope: 'openid profile' }, devTokens: false });
  });

  it('support (RS256) and an authority operator (ES256, region by mapping) reach their routes with the provider’s access token', async () => {
    const support = await provider.tokenFor(roles('hub-support'));
    expect((await call('/v1/support/registrations/stuck', support)).status).toBe(200);
    const authority = await provider.tokenFor({ ...roles('hub-authority'), region: 'tatarstan' }, { alg: 'ES256' });
    expect((await call('/v1/connections', authority)).status).toBe(200);
    // Roles are the mapped ones: the support token is no authority's.
    expectProblem(await call('/v1/connections', support), 403, '/problems/forbidden');
  });

  it('a school admin and a class teacher act on the schools their claims name, and on no other', async () => {
    const admin = await provider.tokenFor({ ...roles('hub-school-admin'), schools: [s.school.id] });
    expect((await call(`/v1/schools/${s.school.id}/invites`, admin)).status).toBe(200);
    expect((await call(`/v1/schools/${other.school.id}/invites`, admin)).status).toBe(403);
    const teacher = await provider.tokenFor({ ...roles('hub-class-teacher'), schools: [s.school.id], classes: [s.classes['1А']!.id] });
    expect((await call(`/v1/schools/${s.school.id}/invites`, teacher)).status).toBe(200);
    expect((await call(`/v1/schools/${other.school.id}/invites`, teacher)).status).toBe(403);
  });

  it('a person keeps the session their signup gave them; a hub-signed staff token (dev stack only) is refused here', async () => {
    const phone = newPhone();
    const { id } = await signup.verified(phone);
    const done = await signup.profile(id, aProfile);
    expect(done.body.outcome, JSON.stringify(done.body)).toBe('created');
    expect((await call('/v1/me/applications', done.body.token)).status).toBe(200);

    const devToken = await tokenService(TEST_JWT_SECRET).sign({ sub: 'console-support', role: 'support', schools: [], classes: [] });
    expectProblem(await call('/v1/support/registrations/stuck', devToken), 401, '/problems/unauthenticated');
  });

  it('keys rotate: a token under the provider’s new key is accepted (the key set is fetched again), one under the retired key is not', async () => {
    const before = await provider.tokenFor(roles('hub-support'));
    expect((await call('/v1/support/registrations/stuck', before)).status).toBe(200);
    await provider.rotateKeys();
    const after = await provider.tokenFor(roles('hub-support'));
    expect((await call('/v1/support/registrations/stuck', after)).status).toBe(200);
    expectProblem(await call('/v1/support/registrations/stuck', before), 401, '/problems/unauthenticated');
  });
});

describe('issue 17 item 2: tokens that must not pass', () => {
  const refused: [string, () => Promise<string>][] = [
    [
      'expired (a real token outlived)',
      async () => {
        const t = await provider.tokenFor(roles('hub-support'), { ttlSeconds: 1 });
        await new Promise((r) => setTimeout(r, 2100));
        return t;
      },
    ],
    ['not yet valid (nbf in an hour)', () => craftedByProvider({}, { nbf: now() + 3600 })],
    ['without exp', () => craftedByProvider({}, { exp: null })],
    ['from another issuer, signed with this provider’s key', () => craftedByProvider({}, { iss: 'https://sso.elsewhere.test/realms/hub' })],
    [
      'from another real provider',
      async () => {
        const elsewhere = await startTestProvider();
        try {
          return await elsewhere.tokenFor(roles('hub-support'));
        } finally {
          await elsewhere.stop();
        }
      },
    ],
    ['for another audience (a real token for another resource)', () => provider.tokenFor(roles('hub-support'), { resource: OTHER_RESOURCE })],
    [
      'signed with a wrong key under the provider’s kid',
      async () => {
        const { generateKeyPair } = await import('jose');
        const { privateKey } = await generateKeyPair('RS256');
        return new SignJWT(roles('hub-support'))
          .setProtectedHeader({ alg: 'RS256', kid: provider.keys.rsa.kid! })
          .setSubject('intruder')
          .setIssuer(provider.issuer)
          .setAudience(HUB_API_RESOURCE)
          .setExpirationTime('5m')
          .sign(privateKey);
      },
    ],
    ['alg: none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...roles('hub-support'), sub: 'x', iss: provider.issuer, aud: HUB_API_RESOURCE, exp: now() + 300 })}.`],
    [
      'HS256 keyed with the provider’s public RSA key (algorithm confusion)',
      async () => {
        const pub = createPublicKey({ key: provider.keys.rsa as JWK & { kty: string }, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
        return new SignJWT(roles('hub-support'))
          .setProtectedHeader({ alg: 'HS256', kid: provider.keys.rsa.kid! })
          .setSubject('confused')
          .setIssuer(provider.issuer)
          .setAudience(HUB_API_RESOURCE)
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(String(pub)));
      },
    ],
    [
      'HS256 under the hub’s own secret claiming the provider as issuer',
      () =>
        new SignJWT({ ...roles('hub-support'), role: 'support' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('pretender')
          .setIssuer(provider.issuer)
          .setAudience(HUB_API_RESOURCE)
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(TEST_JWT_SECRET)),
    ],
    [
      'a hub person token without exp',
      () =>
        new SignJWT({ role: 'person', schools: [], classes: [] })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('00000000-0000-4000-8000-000000000000')
          .setIssuer('school-roster-hub')
          .setAudience('hub-api')
          .sign(new TextEncoder().encode(TEST_JWT_SECRET)),
    ],
    [
      'a hub person token, expired',
      () =>
        new SignJWT({ role: 'person', schools: [], classes: [] })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('00000000-0000-4000-8000-000000000000')
          .setIssuer('school-roster-hub')
          .setAudience('hub-api')
          .setIssuedAt(now() - 7200)
          .setExpirationTime(now() - 3600)
          .sign(new TextEncoder().encode(TEST_JWT_SECRET)),
    ],
    ['a hub token under another secret', () => tokenService('another-secret-another-secret-another-secret').sign({ sub: 'x', role: 'person', schools: [], classes: [] })],
  ];

  it.each(refused)('%s: 401 problem+json', async (_name, mint) => {
    const res = await call('/v1/support/registrations/stuck', await mint());
    expectProblem(res, 401, '/problems/unauthenticated');
    expect(res.body.detail).toMatch(/Нужен вход/);
  });

  it('a verified token with a role the mapping does not know is 403 staff-role-unknown (Keycloak default roles are not a role)', async () => {
    const janitor = await provider.tokenFor(roles('hub-janitor'));
    expectProblem(await call('/v1/support/registrations/stuck', janitor), 403, '/problems/staff-role-unknown');
    const defaultsOnly = await provider.tokenFor(roles());
    expectProblem(await call('/v1/support/registrations/stuck', defaultsOnly), 403, '/problems/staff-role-unknown');
    const two = await provider.tokenFor(roles('hub-support', 'hub-authority'), {});
    const res = await call('/v1/support/registrations/stuck', two, { 'accept-language': 'en' });
    expectProblem(res, 403, '/problems/staff-role-unknown');
    expect(res.body.detail).toMatch(/no role the hub knows/);
  });

  it('an authority token with a region the mapping does not know, or none, is 403 staff-region-unknown (never "every region")', async () => {
    const atlantis = await provider.tokenFor({ ...roles('hub-authority'), region: 'atlantis' });
    expectProblem(await call('/v1/connections', atlantis), 403, '/problems/staff-region-unknown');
    const nowhere = await provider.tokenFor(roles('hub-authority'));
    expectProblem(await call('/v1/connections', nowhere), 403, '/problems/staff-region-unknown');
  });

  it('school ids that are not ids are 403 staff-schools-unknown', async () => {
    const admin = await provider.tokenFor({ ...roles('hub-school-admin'), schools: ["1' OR '1'='1"] });
    expectProblem(await call(`/v1/schools/${s.school.id}/invites`, admin), 403, '/problems/staff-schools-unknown');
  });

  it('the provider away: known keys still verify from the cache; a token under an unknown key is 503 with Retry-After, not 401', async () => {
    const known = await provider.tokenFor(roles('hub-support'));
    expect((await call('/v1/support/registrations/stuck', known)).status).toBe(200);
    await provider.rotateKeys();
    const unknownKid = await provider.tokenFor(roles('hub-support'));
    await provider.stop();
    // The cache still holds the previous set (fetched for `known`): it verifies without the provider.
    expect((await call('/v1/support/registrations/stuck', known)).status).toBe(200);
    const res = await fetch(`${base}/v1/support/registrations/stuck`, { headers: { authorization: `Bearer ${unknownKid}` } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(((await res.json()) as { type: string }).type).toBe('/problems/sign-in-provider-unavailable');
  });
});
