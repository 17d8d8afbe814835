// One-time codes are checked by a keyed MAC (issue 14 item 3). Workflow history keeps only
// HMAC-SHA256(key, journey, code id, code): without the key, which never enters history, a reader
// cannot test the 10⁶ possible codes offline. The signup activity that makes a code and the API that
// receives a guess compute it with the same key; the workflow only compares two MACs and counts tries.
import { createHmac } from 'node:crypto';

export interface CodeMac {
  /** `journey` is the signup workflow id, `codeId` the random id of this code: a MAC fits one code only. */
  of(journey: string, codeId: string, code: string): string;
}

export function codeMac(key: Buffer): CodeMac {
  if (key.length < 32) throw new Error('the one-time code MAC key must be at least 32 bytes');
  return {
    of: (journey, codeId, code) => createHmac('sha256', key).update(`otp-v1\0${journey}\0${codeId}\0${code}`, 'utf8').digest('hex'),
  };
}

/**
 * HUB_OTP_MAC_KEY (32+ bytes, hex or base64) when set; otherwise a key derived from the signup id
 * secret (HUB_SIGNUP_SECRET, else HUB_JWT_SECRET), labelled so it is never the same bytes as that secret.
 */
export function codeMacFromConfig(config: {
  HUB_OTP_MAC_KEY?: string | undefined;
  HUB_SIGNUP_SECRET?: string | undefined;
  HUB_JWT_SECRET?: string | undefined;
}): CodeMac {
  if (config.HUB_OTP_MAC_KEY) {
    const raw = config.HUB_OTP_MAC_KEY.trim();
    return codeMac(/^[0-9a-fA-F]{64,}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64url'));
  }
  const secret = config.HUB_SIGNUP_SECRET ?? config.HUB_JWT_SECRET;
  if (!secret) throw new Error('HUB_OTP_MAC_KEY (or HUB_SIGNUP_SECRET / HUB_JWT_SECRET) must be set to check one-time codes');
  return codeMac(createHmac('sha256', secret).update('hub one-time code MAC key v1', 'utf8').digest());
}
