// The worker's `journals` dependency: a connection row (+ its decrypted credentials) → the adapter.
// adapters/journals/registry.ts validates the merged config with the adapter's own zod schema.
import { ZodError } from 'zod';
import { JournalSourceError } from '../adapters/journals/errors.js';
import { createJournalSource } from '../adapters/journals/registry.js';
import type { JournalSource } from '../adapters/journals/port.js';
import { readCredentials, type JournalConnection } from '../db/repositories/connections.js';
import { findCurrentExport } from '../db/repositories/journal-exports.js';
import type { Pool, Queryable } from '../infra/postgres.js';
import type { SecretBox } from '../infra/secrets.js';
import { refusedPlace, type PlacePolicy } from './connection-places.js';
import { defaultExportCache, isFileKind, materialiseExport } from './journal-exports.js';

export type JournalFactory = (connection: JournalConnection) => Promise<JournalSource>;

/**
 * A file-based connection with neither an upload nor a server-side `path` has nothing to read
 * (issue 16 item 6): a sync of it is refused before it starts, and a run that meets it (the night's)
 * fails at once instead of retrying a settings error every minute.
 */
export async function hasNothingToRead(db: Queryable, connection: Pick<JournalConnection, 'id' | 'kind' | 'settings'>): Promise<boolean> {
  if (!isFileKind(connection.kind)) return false;
  const path = (connection.settings as { path?: unknown }).path;
  if (typeof path === 'string' && path.length > 0) return false;
  return (await findCurrentExport(db, connection.id)) === undefined;
}

/**
 * A file-based connection reads its uploaded export when it has one (POST /v1/connections/:id/export),
 * otherwise the server-side `path` of its settings. `exportCache` is where uploads are written out.
 * Settings the adapter refuses are a `not-configured` journal error (a human fixes them), not a
 * retryable crash.
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
    if (!upload && (await hasNothingToRead(pool, connection))) {
      throw new JournalSourceError({ code: 'not-configured', reason: 'no-export' });
    }
    const path = upload ? { path: await materialiseExport(pool, upload, exportCache) } : {};
    try {
      return createJournalSource({ ...connection.settings, ...credentials, ...path, kind: connection.kind });
    } catch (e) {
      if (!(e instanceof ZodError)) throw e;
      // Field names only: values may be secrets.
      const fields = [...new Set(e.issues.map((i) => i.path.join('.') || '(root)'))].join(', ');
      throw new JournalSourceError({ code: 'not-configured', reason: 'bad-settings', note: fields }, { cause: e });
    }
  };
}

function requireBox(box: SecretBox | undefined): SecretBox {
  if (!box) throw new Error('HUB_SECRETS_KEY is required to read journal connection credentials');
  return box;
}

function placeError(setting: string): JournalSourceError {
  return new JournalSourceError({ code: 'bad-data', problem: 'bad-value', column: setting, note: 'the setting reaches a place JOURNAL_ALLOWED_HOSTS / JOURNAL_EXPORTS_ROOT do not allow' });
}
