// PKCE (RFC 7636, S256) and the OAuth `state` as VK ID asks for them (README.md here). The hub keeps
// neither the verifier nor the state in clear: the verifier is derived from the state with a server
// secret, and only a digest of the state is stored (migration 710).
import { createHash, createHmac, randomBytes } from 'node:crypto';

/** A fresh `state`: 32 random bytes, base64url (43 characters, VK ID's allowed alphabet). */
export const newState = (): string => randomBytes(32).toString('base64url');

/** S256: BASE64URL(SHA-256(ASCII(verifier))), no padding. */
export const codeChallengeS256 = (verifier: string): string => createHash('sha256').update(verifier, 'ascii').digest('base64url');

/** The code_verifier for a state: 43 characters of a-z, A-Z, 0-9, `-`, `_` (VK ID: 43..128 of those). */
export const verifierForState = (secret: string, state: string): string =>
  createHmac('sha256', secret).update(`vk-id-pkce:${state}`).digest('base64url');

/** What the hub stores to find a binding request by its state. */
export const stateDigest = (state: string): string => createHash('sha256').update(state, 'utf8').digest('hex');

/** VK ID's rule for a code_verifier. */
export const VERIFIER_PATTERN = /^[A-Za-z0-9_-]{43,128}$/;
