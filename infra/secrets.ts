// Secrets at rest (journal connection credentials): AES-256-GCM under HUB_SECRETS_KEY.
// Format 'v1.<iv>.<tag>.<ciphertext>' (base64url parts): the version lets a later key rotation tell
// old rows from new; the GCM tag makes a tampered or wrong-key value fail loudly instead of decoding
// to garbage. `aad` binds a ciphertext to its row (the connection id), so values cannot be swapped.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/** HUB_SECRETS_KEY: 32 bytes as 64 hex characters or base64 / base64url. */
export function parseSecretsKey(raw: string): Buffer {
  const trimmed = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64url');
  if (key.length !== 32) throw new Error('HUB_SECRETS_KEY must be 32 bytes (64 hex characters or base64)');
  return key;
}

export interface SecretBox {
  seal(plaintext: string, aad?: string): string;
  open(sealed: string, aad?: string): string;
}

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
  return {
    seal(plaintext, aad = '') {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv, cipher.getAuthTag(), ct].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    open(sealed, aad = '') {
      const [version, iv, tag, ct] = sealed.split('.');
      if (version !== VERSION || iv === undefined || tag === undefined || ct === undefined) {
        throw new Error('not a sealed secret of a known version');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}

/** The box the processes use; throws a clear error when the key is missing. */
export function secretBoxFromConfig(config: { HUB_SECRETS_KEY?: string | undefined }): SecretBox {
  if (!config.HUB_SECRETS_KEY) throw new Error('HUB_SECRETS_KEY is required to store or read journal credentials');
  return secretBox(parseSecretsKey(config.HUB_SECRETS_KEY));
}
