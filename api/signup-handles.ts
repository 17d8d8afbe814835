// Signup ids (docs/signup.md). The workflow id is `signup/<key>` with key = HMAC(server secret,
// address): one workflow per phone (R-A1), yet the id shows no phone and cannot be computed from one
// without the secret. The id a caller gets back is `<key>.<nonce>`: the nonce is that caller's own
// session, and only a session that verified a code sees past the code step (R-A4).
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { signupWorkflowId } from '../workflows/signup-definitions.js';

export interface SignupHandle {
  signupId: string;
  workflowId: string;
  /** SHA-256 of the nonce: what the workflow knows the session by. */
  session: string;
}

const HANDLE = /^([0-9a-f]{32})\.([A-Za-z0-9_-]{22})$/;

export function signupHandles(secret: string) {
  const keyOf = (address: string): string =>
    createHmac('sha256', secret).update(`signup:${address}`, 'utf8').digest('hex').slice(0, 32);
  const sessionOf = (nonce: string): string => createHash('sha256').update(nonce, 'utf8').digest('hex');
  return {
    /** The address's key: the same for every session, so per-phone counters can use it. */
    keyOf,
    /** A fresh session on the one workflow of this address. */
    open(address: string): SignupHandle {
      const key = keyOf(address);
      const nonce = randomBytes(16).toString('base64url');
      return { signupId: `${key}.${nonce}`, workflowId: signupWorkflowId(key), session: sessionOf(nonce) };
    },
    parse(signupId: string): SignupHandle | undefined {
      const m = HANDLE.exec(signupId);
      if (!m?.[1] || !m[2]) return undefined;
      return { signupId, workflowId: signupWorkflowId(m[1]), session: sessionOf(m[2]) };
    },
    /** The address key inside a signup id (whatever its session), or undefined for a malformed id. */
    keyIn(signupId: string): string | undefined {
      return HANDLE.exec(signupId)?.[1];
    },
  };
}
export type SignupHandles = ReturnType<typeof signupHandles>;
