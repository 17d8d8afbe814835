// The worker's `journals` dependency: a connection row (+ its decrypted credentials) → the adapter.
// adapters/journals/registry.ts validates the merged config with the adapter's own zod schema.
import { createJournalSource } from '../adapters/journals/registry.js';
import type { JournalSource } from '../adapters/journals/port.js';
import { readCredentials, type JournalConnection } from '../db/repositories/connections.js';
import { findCurrentExport } from '../db/repositories/journal-exports.js';
import type { Pool } from '../infra/postgres.js';
import type { SecretBox } from '../infra/secrets.js';
import { refusedPlace, type PlacePolicy } from './connection-places.js';
import { defaultExportCache, isFileKind, materialiseExport } from './journal-exports.js';
import { JournalSourceError } from '../adapters/journals/errors.js';

export type JournalFactory = (connection: JournalConnection) => Promise<JournalSource>;

/**
 * A file-based connection reads its uploaded export when it has one (POST /v1/connections/:id/export),
 * otherwise the server-side `path` of its settings. `exportCache` is where uploads are written out.
 */
export function journalFactory(pool: Pool, box: SecretBox | undefined, exportCache = defaultExportCache, places?: PlacePolicy): JournalFactory {
  return async (connection) => {
    // Checked again here, not only when saved: a host may resolve to a private address later.
    const refusal = places ? await refusedPlace(connection.settings, places) : undefined;
    if (refusal) throw placeError(refusal.setting);
    const credentials = connection.hasCredentials
      ? await readCredentials(pool, requireBox(box), connection.id)
      : undefined;
    const upload = isFileKind(connection.kind) ? await findCurrentExport(pool, connection.id) : undefined;
    const path = upload ? { path: await materialiseExport(pool, upload, exportCache) } : {};
    return createJournalSource({ ...connection.settings, ...credentials, ...path, kind: connection.kind });
  };
}

function requireBox(box: SecretBox | undefined): SecretBox {
  if (!box) throw new Error('HUB_SECRETS_KEY is required to read journal connection credentials');
  return box;
}

function placeError(setting: string): JournalSourceError {
  return new JournalSourceError({ code: 'bad-data', problem: 'bad-value', column: setting, note: 'the setting reaches a place JOURNAL_ALLOWED_HOSTS / JOURNAL_EXPORTS_ROOT do not allow' });
}
