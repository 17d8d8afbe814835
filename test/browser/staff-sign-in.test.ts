// Issue 17 item 1 in a real browser: the console signs staff in through the region's OpenID provider
// (oidc-provider in-process, its own login and consent pages) with authorization code + PKCE, shows
// who they are as the hub reads the token, works with it, and signs out of the console and the
// provider. The API is built as bin/api.ts builds it (runApi), with no dev tokens.
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApi } from '../../app/processes.js';
import { loadConfig } from '../../infra/config.js';
import type { Stoppable } from '../../infra/lifecycle.js';
import { createLogger } from '../../infra/logger.js';
import { projectRoot } from '../../infra/paths.js';
import { TEST_JWT_SECRET } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { CONSOLE_CLIENT_ID, HUB_API_RESOURCE, startTestProvider, type TestProvider } from '../helpers/oidc-provider.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(
  (p): p is string => !!p && existsSync(p),
);
if (!CHROMIUM) console.warn('test/browser/staff-sign-in.test.ts SKIPPED: no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)');

const shots = join(projectRoot, 'test-results', 'console');
const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool }));

let provider: TestProvider;
let hub: Stoppable & { server: Server };
let base: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!CHROMIUM) return;
  mkdirSync(shots, { recursive: true });
  provider = await startTestProvider();
  provider.accounts.set('support-1', { realm_access: { roles: ['hub-support'] }, preferred_username: 'support-1' });
  provider.accounts.set('operator-16', { realm_access: { roles: ['offline_access', 'hub-authority'] }, region: '16', name: 'Гульнара Сафина' });
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    HUB_JWT_SECRET: TEST_JWT_SECRET,
    OIDC_ISSUER: provider.issuer,
    OIDC_AUDIENCE: HUB_API_RESOURCE,
    OIDC_CLIENT_ID: CONSOLE_CLIENT_ID,
    OIDC_SCOPES: 'openid profile hub',
    OIDC_RESOURCE: HUB_API_RESOURCE,
    OIDC_ROLE_MAP: 'hub-authority=authority,hub-support=support',
    OIDC_CLOCK_TOLERANCE_SECONDS: '0',
  });
  hub = await runApi(config, db.pool, createLogger('silent'), temporal.client);
  base = `http://127.0.0.1:${(hub.server.address() as AddressInfo).port}`;
  provider.setConsoleRedirectUris([`${base}/console/`]);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ locale: 'ru-RU', viewport: { width: 1280, height: 900 } });
  // The provider's pages import a web font; this machine has no Internet.
  await page.route('https://fonts.googleapis.com/**', (route) => route.abort());
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await provider?.stop();
});

async function signInAtProvider(login: string) {
  await page.locator('input[name=login]').waitFor();
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  // First sign-in of this account to the console: the provider asks for consent.
  const consent = page.getByRole('button', { name: 'Continue' });
  if (await consent.isVisible({ timeout: 5000 }).catch(() => false)) await consent.click();
}

describe.skipIf(!CHROMIUM)('staff sign-in in Chromium (issue 17 item 1)', () => {
  it('an authority operator signs in through the provider (code + PKCE), sees their connections, and signs out of console and provider', async () => {
    await page.goto(`${base}/console/`);
    const signIn = page.getByRole('button', { name: 'Войти через единый вход региона' });
    await signIn.waitFor();
    // No dev tokens here: their buttons are not offered.
    expect(await page.getByRole('button', { name: 'Войти как сотрудник поддержки' }).isVisible()).toBe(false);
    const seen: URL[] = [];
    page.on('request', (r) => seen.push(new URL(r.url())));
    await signIn.click();
    await signInAtProvider('operator-16');

    await page.getByRole('heading', { name: 'Подключения журналов' }).waitFor();
    expect(await page.locator('#who').textContent()).toBe('Гульнара Сафина — орган управления образованием');
    // The single-use code does not stay in the address bar; the token is this tab's, not the disk's.
    expect(page.url()).toBe(`${base}/console/`);
    expect(await page.evaluate(() => localStorage.getItem('hub.token'))).toBeNull();
    expect(await page.evaluate(() => JSON.parse(sessionStorage.getItem('hub.oidc') ?? '{}').accessToken)).toMatch(/^ey/);
    await page.screenshot({ path: join(shots, 'staff-sign-in-connections.png') });
    // Authorization code with PKCE (S256) and state; the code was redeemed with its verifier, no secret.
    const authorize = seen.find((u) => u.origin === provider.issuer && u.pathname === '/auth');
    expect(Object.fromEntries(authorize?.searchParams ?? [])).toMatchObject({
      response_type: 'code',
      client_id: CONSOLE_CLIENT_ID,
      code_challenge_method: 'S256',
      redirect_uri: `${base}/console/`,
    });
    expect(authorize?.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorize?.searchParams.get('state')).toMatch(/^[\w-]{43}$/);

    await page.getByRole('button', { name: 'Выйти' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByRole('button', { name: 'Войти через единый вход региона' }).waitFor();
    expect(page.url()).toBe(`${base}/console/`);
    expect(await page.evaluate(() => sessionStorage.getItem('hub.oidc'))).toBeNull();

    // The provider's session ended too: signing in again asks for the login, not a silent return.
    await page.getByRole('button', { name: 'Войти через единый вход региона' }).click();
    await page.locator('input[name=login]').waitFor();
    await page.screenshot({ path: join(shots, 'staff-sign-in-after-logout.png') });
  });

  it('when the access token expires the console says so and offers sign-in again, instead of failing each action', async () => {
    provider.consoleTokenTtlSeconds = 2;
    await page.goto(`${base}/console/`);
    await page.getByRole('button', { name: 'Войти через единый вход региона' }).click();
    await signInAtProvider('support-1');
    await page.getByRole('heading', { name: 'Зависшие регистрации' }).waitFor();
    expect(await page.locator('#who').textContent()).toBe('support-1 — поддержка');
    await new Promise((r) => setTimeout(r, 2500));
    await page.getByRole('button', { name: 'Найти' }).click();
    await page.getByRole('button', { name: 'Войти через единый вход региона' }).waitFor();
    expect(await page.locator('#login-error').textContent()).toBe('Сеанс завершён. Войдите снова.');
    expect(await page.evaluate(() => sessionStorage.getItem('hub.oidc'))).toBeNull();
  });
});
