// Adapter kind → factory from a connection config, for the reconciler and the API. The config is
// validated with the adapter's own zod schema; secrets arrive decrypted from the connection store.
import { z } from 'zod';
import { DnevnikSource, dnevnikConfigSchema } from './dnevnik/adapter.js';
import { EljurSource, eljurConfigSchema } from './eljur/adapter.js';
import { EposFileSource, eposFileConfigSchema } from './epos-file/adapter.js';
import { EshFileSource, eshFileConfigSchema } from './esh-file/adapter.js';
import { OneRosterCsvSource, oneRosterCsvConfigSchema } from './oneroster-csv/adapter.js';
import { OneRosterRestSource, oneRosterRestConfigSchema } from './oneroster-rest/adapter.js';
import type { JournalKind, JournalSource } from './port.js';

export const journalConnectionConfigSchema = z.discriminatedUnion('kind', [
  oneRosterCsvConfigSchema,
  oneRosterRestConfigSchema,
  eljurConfigSchema,
  dnevnikConfigSchema,
  eposFileConfigSchema,
  eshFileConfigSchema,
]);
export type JournalConnectionConfig = z.input<typeof journalConnectionConfigSchema>;

/** Validates `config` (unknown input, e.g. from the API or the DB) and builds its adapter. */
export function createJournalSource(config: unknown): JournalSource {
  const c = journalConnectionConfigSchema.parse(config);
  switch (c.kind) {
    case 'oneroster-csv':
      return new OneRosterCsvSource(c);
    case 'oneroster-rest':
      return new OneRosterRestSource(c);
    case 'eljur':
      return new EljurSource(c);
    case 'dnevnik':
      return new DnevnikSource(c);
    case 'epos-file':
      return new EposFileSource(c);
    case 'esh-file':
      return new EshFileSource(c);
  }
}

export const journalKinds: readonly JournalKind[] = journalConnectionConfigSchema.options.map((o) => o.shape.kind.value);
