// The worker's `journals` dependency: a connection row (+ its decrypted credentials) → the adapter.
// adapters/journals/registry.ts validates the merged config with the adapter's own zod schema.
import { createJournalSource } from '../adapters/journals/registry.js';
import type { JournalSource } from '../adapters/journals/port.js';
import { readCredentials, type JournalConnection } from '../db/repositories/connections.js';
import type { Pool } from '../infra/postgres.js';
import type { SecretBox } from '../infra/secrets.js';

export type JournalFactory = (connection: JournalConnection) => Promise<JournalSource>;

export function journalFactory(pool: Pool, box: SecretBox | undefined): JournalFactory {
  return async (connection) => {
    const credentials = connection.hasCredentials
      ? await readCredentials(pool, requireBox(box), connection.id)
      : undefined;
    return createJournalSource({ ...connection.settings, ...credentials, kind: connection.kind });
  };
}

function requireBox(box: SecretBox | undefined): SecretBox {
  if (!box) throw new Error('HUB_SECRETS_KEY is required to read journal connection credentials');
  return box;
}
