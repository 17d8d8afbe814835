// Staff sign-in with the region's OpenID provider (docs/staff-sign-in.md): authorization code + PKCE
// (S256) with `state`, as a public client (no secret in a web page). Tokens are kept for this tab only
// (sessionStorage); sign-out also ends the provider's session (RP-initiated logout).
const PENDING = 'hub.oidc.pending';
const SIGNED_IN = 'hub.oidc';

/** The provider and client from the API (/console/config.json); `oidc` is null without one. */
export async function consoleConfig() {
  try {
    const res = await fetch('./config.json', { cache: 'no-store' });
    if (res.ok) return await res.json();
  } catch {
    // an API too old to say: dev tokens only
  }
  return { oidc: null, devTokens: true };
}

async function discover(issuer) {
  const res = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!res.ok) throw Object.assign(new Error('sign-in provider unavailable'), { i18n: 'signInUnavailable' });
  return res.json();
}

const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const randomString = () => b64url(crypto.getRandomValues(new Uint8Array(32)));
/** This page without query or fragment: the redirect URI registered for the console. */
const here = () => `${location.origin}${location.pathname}`;

/** Sends the browser to the provider's sign-in page. */
export async function startSignIn(oidc) {
  const provider = await discover(oidc.issuer);
  const verifier = randomString();
  const state = randomString();
  const challenge = b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const url = new URL(provider.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: oidc.clientId,
    redirect_uri: here(),
    scope: oidc.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(oidc.resource ? { resource: oidc.resource } : {}),
  }).toString();
  location.assign(url.toString());
}

/**
 * Back from the provider (`?code=…&state=…`): the code for tokens. Returns the access token, or null
 * when this page load is not a return from sign-in. Throws with a message for people on a refusal.
 */
export async function finishSignIn(oidc) {
  const params = new URLSearchParams(location.search);
  if (!oidc || (!params.has('code') && !params.has('error'))) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  // The code is single-use and must not stay in the address bar or history.
  history.replaceState(null, '', here());
  if (params.has('error')) throw Object.assign(new Error('sign-in failed'), { i18n: 'signInFailed', params: { reason: params.get('error_description') || params.get('error') } });
  if (!pending || params.get('state') !== pending.state) throw Object.assign(new Error('sign-in answer for another request'), { i18n: 'signInStale' });
  const provider = await discover(oidc.issuer);
  const res = await fetch(provider.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code'),
      redirect_uri: here(),
      client_id: oidc.clientId,
      code_verifier: pending.verifier,
      ...(oidc.resource ? { resource: oidc.resource } : {}),
    }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || !body.access_token) throw Object.assign(new Error('sign-in failed'), { i18n: 'signInFailed', params: { reason: body.error_description || body.error || res.status } });
  sessionStorage.setItem(SIGNED_IN, JSON.stringify({ accessToken: body.access_token, idToken: body.id_token ?? null }));
  return body.access_token;
}

/** The access token of this tab's provider sign-in, if any. */
export function providerToken() {
  return JSON.parse(sessionStorage.getItem(SIGNED_IN) || 'null')?.accessToken ?? '';
}

/** Forgets this tab's tokens; the provider's logout address to go to, or null when there is none. */
export async function signOut(oidc) {
  const saved = JSON.parse(sessionStorage.getItem(SIGNED_IN) || 'null');
  sessionStorage.removeItem(SIGNED_IN);
  if (!oidc || !saved) return null;
  const provider = await discover(oidc.issuer).catch(() => null);
  if (!provider?.end_session_endpoint) return null;
  const url = new URL(provider.end_session_endpoint);
  url.search = new URLSearchParams({
    client_id: oidc.clientId,
    post_logout_redirect_uri: here(),
    ...(saved.idToken ? { id_token_hint: saved.idToken } : {}),
  }).toString();
  return url.toString();
}
