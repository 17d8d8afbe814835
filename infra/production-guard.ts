// Issue 17 item 3: with NODE_ENV=production a process refuses to start on settings that only the dev
// stack may have, and says which and why. A refusal here is cheaper than a token minted for any role,
// codes kept in clear, or a secret that sits in a developer's .data folder.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What `npm start` (bin/dev.ts) writes before a secret it generates, so that a copied one is recognised anywhere. */
export const GENERATED_SECRET_MARK = 'dev-generated-';

/** Files in which the dev stack keeps the secrets it generated (bin/dev.ts, app/dev-simulators.ts). */
const GENERATED_SECRET_FILES = ['dev-jwt-secret', 'dev-secrets-key'];

interface GuardedSettings {
  NODE_ENV?: string | undefined;
  HUB_DEV_AUTH: boolean;
  HUB_DEV_OUTBOX: boolean;
  HUB_JWT_SECRET?: string | undefined;
  HUB_SIGNUP_SECRET?: string | undefined;
  HUB_SECRETS_KEY?: string | undefined;
  HUB_DATA_DIR: string;
}

const SECRETS = ['HUB_JWT_SECRET', 'HUB_SIGNUP_SECRET', 'HUB_SECRETS_KEY'] as const;

function generatedSecretsIn(dataDir: string): Set<string> {
  const found = new Set<string>();
  for (const name of GENERATED_SECRET_FILES) {
    const file = join(dataDir, name);
    try {
      if (existsSync(file)) found.add(readFileSync(file, 'utf8').trim());
    } catch {
      // unreadable: nothing to compare with
    }
  }
  return found;
}

/** Why these settings may not run in production; empty when they may (or when this is not production). */
export function productionRefusals(c: GuardedSettings): string[] {
  if (c.NODE_ENV !== 'production') return [];
  const reasons: string[] = [];
  if (c.HUB_DEV_AUTH) {
    reasons.push('HUB_DEV_AUTH=true mounts the dev routes: POST /v1/dev/token hands anyone a token for any role. Unset it; staff sign in through OIDC_ISSUER.');
  }
  if (c.HUB_DEV_OUTBOX) {
    reasons.push('HUB_DEV_OUTBOX=true keeps one-time codes in clear in otp_outbox. Unset it.');
  }
  const generated = generatedSecretsIn(c.HUB_DATA_DIR);
  for (const key of SECRETS) {
    const value = c[key];
    if (!value) continue;
    if (value.startsWith(GENERATED_SECRET_MARK) || generated.has(value.trim())) {
      reasons.push(`${key} is a secret the dev stack generated (npm start, ${c.HUB_DATA_DIR}). Set one of your own, e.g. \`openssl rand -hex 32\`.`);
    }
  }
  return reasons;
}
