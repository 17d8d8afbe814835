// R-G5 "same browser session": the hub marks the browser that signs a person up with a random device
// cookie (HttpOnly, nothing personal in it) and keeps only its SHA-256 with the new profile. A parent
// link opened in the browser that signed the child up is the child's own, whichever account is in use.
import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Queryable } from '../infra/postgres.js';

const COOKIE = 'hub_device';
const VALUE = /^[A-Za-z0-9_-]{32,64}$/;

/** The request's device cookie, when it carries a well-formed one. */
export function deviceOf(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    const value = rest.join('=');
    if (name === COOKIE && VALUE.test(value)) return value;
  }
  return undefined;
}

/** The device cookie, set on this answer when the browser has none yet. */
export function ensureDevice(req: Request, res: Response, secure: boolean): string {
  const known = deviceOf(req);
  if (known) return known;
  const fresh = randomBytes(24).toString('base64url');
  res.append('Set-Cookie', `${COOKIE}=${fresh}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000${secure ? '; Secure' : ''}`);
  return fresh;
}

const hashOf = (device: string): string => createHash('sha256').update(device).digest('hex');

/** Kept once, for a profile the signup just created (a later sign-in elsewhere does not move it). */
export async function recordSignupDevice(db: Queryable, personId: string, device: string | undefined): Promise<void> {
  if (!device) return;
  await db.query(`UPDATE people SET signup_device_hash = $2 WHERE id = $1 AND signup_device_hash IS NULL`, [personId, hashOf(device)]);
}

/** Whether this request comes from the browser that signed `personId` up. */
export async function isSignupDeviceOf(db: Queryable, req: Request, personId: string): Promise<boolean> {
  const device = deviceOf(req);
  if (!device) return false;
  const { rows } = await db.query(`SELECT signup_device_hash AS h FROM people WHERE id = $1`, [personId]);
  return (rows[0] as { h: string | null } | undefined)?.h === hashOf(device);
}
