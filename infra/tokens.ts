import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, URL-safe: far above the 128 bits R-J3 links need to resist guessing. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Shape check before any lookup, so junk never reaches the database. */
export function looksLikeToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}
