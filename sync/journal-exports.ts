// File exports uploaded through the API (OneRoster CSV, ESH, EPOS): checked by the very adapter that
// will read them before they are kept, and written out for the adapter (which reads a path) when a
// sync needs them. The bytes live in PostgreSQL (db/repositories/journal-exports.ts), so whichever
// worker replica runs the sync finds them; each worker keeps a local copy per export id and digest,
// in a folder per connection, and removes the copies of exports a newer upload replaced.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JournalSourceError } from '../adapters/journals/errors.js';
import { openBundle } from '../adapters/journals/files.js';
import { canInspect, type ExportInspection } from '../adapters/journals/inspectable.js';
import { isDeltaExport, mergeDelta } from '../adapters/journals/oneroster-csv/delta.js';
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

/** What an accepted upload is: the files kept, and what the check read (OneRoster CSV: counts, warnings). */
export interface CheckedExport {
  schools: number;
  layout: ExportLayout;
  files: readonly ExportFile[];
  inspection?: ExportInspection;
  /** The upload was a delta, merged into the previous export (the files are the merged full export). */
  mergedDelta: boolean;
}

/**
 * Reads an upload the way a sync will. A OneRoster CSV export is read whole (every file, row and
 * reference: issue 16 item 5); other kinds list their schools and the first page of the first
 * school's roster. A bad file surfaces here as the adapter's JournalSourceError (file, row,
 * column), and nothing is kept. A OneRoster delta is applied as changes to `previous` (the export
 * the connection reads now) and the merged full export is what is checked and kept; a delta with no
 * previous export is refused. Everything is written out under `scratch` for the adapter (which reads
 * a path) and removed again, accepted or refused; the adapter's streams are closed before.
 */
export async function checkExport(
  kind: FileKind,
  settings: Record<string, unknown>,
  layout: ExportLayout,
  files: readonly ExportFile[],
  scratch: string = tmpdir(),
  previous?: () => Promise<{ layout: ExportLayout; files: AsyncIterable<ExportFile> | Iterable<ExportFile> } | undefined>,
): Promise<CheckedExport> {
  const dir = await mkdtemp(join(scratch, 'hub-upload-'));
  try {
    const upload = join(dir, 'upload');
    await writeFiles(upload, files);
    let path = adapterPath(upload, layout, files.map((f) => f.name));
    let kept = { layout, files };
    let mergedDelta = false;
    if (kind === 'oneroster-csv' && (await isDeltaExport(openBundle(path)))) {
      const before = await previous?.();
      if (!before) throw new JournalSourceError({ code: 'bad-data', problem: 'delta-export', file: 'manifest.csv' });
      const base = join(dir, 'previous');
      const names: string[] = [];
      await writeFiles(base, (async function* () {
        for await (const f of before.files) {
          names.push(f.name);
          yield f;
        }
      })());
      const merged = await mergeDelta(openBundle(adapterPath(base, before.layout, names)), openBundle(path));
      await writeFiles(join(dir, 'merged'), merged);
      path = join(dir, 'merged');
      kept = { layout: 'files', files: merged };
      mergedDelta = true;
    }
    const source = createJournalSource({ ...settings, kind, path });
    const schools = await source.listSchools();
    let inspection: ExportInspection | undefined;
    if (canInspect(source)) inspection = await source.inspectExport();
    else {
      const first = schools[0];
      if (first) {
        for await (const page of source.readRoster(first.externalId)) {
          void page;
          break;
        }
      }
    }
    return { schools: schools.length, ...kept, ...(inspection ? { inspection } : {}), mergedDelta };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
