// File exports uploaded through the API (OneRoster CSV, ESH, EPOS): checked by the very adapter that
// will read them before they are kept, and written out for the adapter (which reads a path) when a
// sync needs them. The bytes live in PostgreSQL (db/repositories/journal-exports.ts), so whichever
// worker replica runs the sync finds them; each worker keeps a local copy per export id and digest,
// in a folder per connection, and removes the copies of exports a newer upload replaced.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJournalSource } from '../adapters/journals/registry.js';
import type { JournalKind } from '../adapters/journals/port.js';
import { readExportFiles, type ExportFile, type ExportLayout, type JournalExport } from '../db/repositories/journal-exports.js';
import { writeFolderOnce } from '../infra/folder-once.js';
import type { Queryable } from '../infra/postgres.js';

export const FILE_KINDS = ['oneroster-csv', 'esh-file', 'epos-file'] as const satisfies readonly JournalKind[];
export type FileKind = (typeof FILE_KINDS)[number];
export const isFileKind = (kind: JournalKind): kind is FileKind => (FILE_KINDS as readonly string[]).includes(kind);

/** What each file-based adapter reads: a .zip or a folder of CSV files, or one JSON Lines file. */
export const LAYOUTS: Record<FileKind, readonly ExportLayout[]> = {
  'oneroster-csv': ['zip', 'files'],
  'esh-file': ['zip', 'files'],
  'epos-file': ['jsonl'],
};

export const defaultExportCache = join(tmpdir(), 'hub-journal-exports');

/** The path the adapter is given for an export written out in `dir`. */
function adapterPath(dir: string, layout: ExportLayout, names: readonly string[]): string {
  return layout === 'files' ? dir : join(dir, names[0]!);
}

async function writeFiles(dir: string, files: AsyncIterable<ExportFile> | Iterable<ExportFile>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for await (const f of files) await writeFile(join(dir, f.name), f.content, { mode: 0o600 });
}

/**
 * How long a replaced copy stays after its last use. Every read of a school asks for its path again
 * (and so refreshes the copy's time), so an hour is far longer than a run reading the old copy needs.
 */
export const REPLACED_COPY_GRACE_MS = 60 * 60_000;

/**
 * The local path of an uploaded export, written once per export (id + digest) under
 * `root/<connection>`: into a temporary folder first and renamed into place, so a reader never sees
 * half the files. Copies of the connection's earlier exports unused for `graceMs` are removed.
 */
export async function materialiseExport(
  db: Queryable,
  exp: JournalExport,
  root = defaultExportCache,
  graceMs = REPLACED_COPY_GRACE_MS,
): Promise<string> {
  const names = exp.files.map((f) => f.name);
  const home = join(root, exp.connectionId);
  const name = `${exp.id}-${exp.sha256.slice(0, 16)}`;
  const dir = join(home, name);
  if (existsSync(dir)) {
    const now = new Date();
    await utimes(dir, now, now).catch(() => undefined); // in use again: not to be pruned
  } else {
    // Another sync of the same export may get there first: its copy is as good as ours.
    await writeFolderOnce(dir, (tmp) => writeFiles(tmp, readExportFiles(db, exp.id, names)));
  }
  await pruneReplacedCopies(home, name, graceMs);
  return adapterPath(dir, exp.layout, names);
}

/** Removes the connection's other copies (and abandoned temporary folders) not used for `graceMs`. */
async function pruneReplacedCopies(home: string, keep: string, graceMs: number): Promise<void> {
  const cutoff = Date.now() - graceMs;
  for (const entry of await readdir(home).catch(() => [] as string[])) {
    if (entry === keep) continue;
    const path = join(home, entry);
    const info = await stat(path).catch(() => undefined);
    if (info && info.mtimeMs < cutoff) await rm(path, { recursive: true, force: true });
  }
}

/**
 * Reads an upload the way a sync will: the adapter lists the schools and the first page of the
 * first school's roster. A bad file surfaces here as the adapter's JournalSourceError (file, row,
 * column), and nothing is kept. Returns the number of schools the export holds.
 * The upload is written out under `scratch` for the adapter (which reads a path) and removed again,
 * accepted or refused; the adapter's streams are closed before (pagedRead closes its steps).
 */
export async function checkExport(
  kind: FileKind,
  settings: Record<string, unknown>,
  layout: ExportLayout,
  files: readonly ExportFile[],
  scratch: string = tmpdir(),
): Promise<{ schools: number }> {
  const dir = await mkdtemp(join(scratch, 'hub-upload-'));
  try {
    await writeFiles(dir, files);
    const source = createJournalSource({ ...settings, kind, path: adapterPath(dir, layout, files.map((f) => f.name)) });
    const schools = await source.listSchools();
    const first = schools[0];
    if (first) {
      for await (const page of source.readRoster(first.externalId)) {
        void page;
        break;
      }
    }
    return { schools: schools.length };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
