// A regional OneRoster CSV export holds every school of the region in one set of files; reading a
// school used to stream the whole export, so a run over N schools parsed it N times. The export is
// split once per version into one folder per school, each holding, in the original order, the rows a
// read of that school looks at (its own rows and the rows every school looks at), so a school's
// read costs what the school holds. A split file keeps the header and carries each row's original
// row number in a leading hidden column, so errors still name the original file and row.
//
// Rows go where the adapter would use them (see adapter.ts), and rows that fail for every school
// (a required column missing, an empty id read before the school filter, an empty school column)
// go to every school. Extra rows are harmless: the adapter filters each row by school as before.
// Indexes keep today's "last row wins": a user's roles and demographics rows go to every school of
// the user; an enrollment's class, if its last row belongs elsewhere, is appended to the school's
// classes file, so the class index finds the same row as a whole-export read does.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, stat, utimes, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { csvRows, type FileBundle } from '../files.js';
import { isDeleted } from '../oneroster-common/mapping.js';
import { writeFolderOnce } from '../../../infra/folder-once.js';
import { userOrgs } from './user-orgs.js';

/** Name of the hidden leading column holding a row's row number in the original file. */
export const ROW_COLUMN = '#hub:row';
export const defaultSplitRoot = join(tmpdir(), 'hub-oneroster-split');
/** Split folders unused this long are removed (a read touches its folder). */
export const SPLIT_GRACE_MS = 60 * 60_000;
/** Bumped when the split layout changes, so older folders are not reused. */
const FORMAT = 1;

/** The files the adapter reads per school (orgs, manifest and the rest are read from the export). */
export const SPLIT_FILES = ['courses', 'classes', 'users', 'enrollments', 'demographics', 'roles'] as const;

/** A school's folder in a split: its id hashed (ids are not file names). */
export const schoolFolder = (school: string) => createHash('sha256').update(school).digest('hex').slice(0, 20);

/** Path part and version part of an export's split folder name. */
export async function splitKey(path: string): Promise<{ home: string; version: string }> {
  const full = resolve(path);
  const home = createHash('sha256').update(full).digest('hex').slice(0, 16);
  const h = createHash('sha256').update(`${FORMAT}\n${full}\n`);
  const info = await stat(full, { bigint: true });
  if (info.isDirectory()) {
    const names = (await readdir(full)).sort();
    for (const n of names) {
      const s = await stat(join(full, n), { bigint: true }).catch(() => undefined);
      if (s?.isFile()) h.update(`${n}\0${s.size}\0${s.mtimeNs}\n`);
    }
  } else {
    h.update(`${basename(full)}\0${info.size}\0${info.mtimeNs}\n`);
  }
  return { home, version: h.digest('hex').slice(0, 24) };
}

const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** Buffered per-school writers of one split file; rows for every school go to all of them. */
class SchoolFiles {
  private readonly handles = new Map<string, FileHandle>();
  private readonly buffers = new Map<string, string[]>();
  private readonly sizes = new Map<string, number>();
  constructor(private readonly dir: string, private readonly schools: readonly string[], private readonly file: string) {}

  async open(flags: 'w' | 'a'): Promise<void> {
    for (const s of this.schools) {
      this.handles.set(s, await open(join(this.dir, schoolFolder(s), this.file), flags, 0o600));
      this.buffers.set(s, []);
      this.sizes.set(s, 0);
    }
  }

  async write(to: readonly string[], line: string): Promise<void> {
    for (const s of to) {
      const buf = this.buffers.get(s);
      if (!buf) continue;
      buf.push(line);
      const size = this.sizes.get(s)! + line.length;
      this.sizes.set(s, size);
      if (size > 64 * 1024) await this.flush(s);
    }
  }

  private async flush(s: string): Promise<void> {
    const buf = this.buffers.get(s)!;
    if (buf.length === 0) return;
    this.buffers.set(s, []);
    this.sizes.set(s, 0);
    await this.handles.get(s)!.write(buf.join(''));
  }

  async close(): Promise<void> {
    try {
      for (const s of this.schools) await this.flush(s);
    } finally {
      await Promise.allSettled([...this.handles.values()].map((h) => h.close()));
    }
  }
}

interface ParsedFile {
  names: string[];
}

/**
 * Streams a file of the export as arrays (header first), giving each data row its original row
 * number and its values by column name (as the adapter's reader keys them).
 */
async function* fileRows(bundle: FileBundle, file: string, header: (h: ParsedFile) => Promise<void> | void): AsyncGenerator<{ row: number; fields: string[]; values: Record<string, string> }> {
  const stream = await bundle.open(file);
  if (!stream) return;
  let names: string[] | undefined;
  for await (const r of csvRows(stream, file, { columns: false })) {
    const fields = r.values as unknown as string[];
    if (!names) {
      names = fields.map((h, i) => h.trim() || `_${i}`);
      await header({ names });
      continue;
    }
    const values: Record<string, string> = {};
    for (let i = 0; i < Math.min(names.length, fields.length); i++) values[names[i]!] = fields[i]!;
    yield { row: r.row, fields, values };
  }
}

const lineOf = (row: number | string, fields: readonly string[]) => `${[String(row), ...fields].map(quote).join(',')}\n`;
const hasAll = (v: Record<string, string>, columns: readonly string[]) => columns.every((c) => c in v);

/**
 * Writes the split of `bundle` for `schools` into `dir` (which must not exist yet). `usesRoles`:
 * the manifest lists roles.csv, so its orgs count among a user's schools (as the adapter does).
 */
async function writeSplit(bundle: FileBundle, schools: readonly string[], dir: string, usesRoles: boolean): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const s of schools) await mkdir(join(dir, schoolFolder(s)));
  const targets = new Set(schools);
  const ALL = schools;
  const only = (s: string | undefined): readonly string[] => (s && targets.has(s) ? [s] : []);
  const present = new Set<string>();
  for (const f of SPLIT_FILES) if (await bundle.has(`${f}.csv`)) present.add(f);

  /** Splits one file: `route` names the schools of a data row (its index is 0 for the first). */
  const split = async (name: string, route: (r: { row: number; values: Record<string, string> }, index: number) => readonly string[], flags: 'w' | 'a' = 'w') => {
    const out = new SchoolFiles(dir, schools, `${name}.csv`);
    await out.open(flags);
    try {
      let index = 0;
      for await (const r of fileRows(bundle, `${name}.csv`, ({ names }) => out.write(ALL, lineOf(ROW_COLUMN, names)))) {
        const to = route(r, index++);
        if (to.length > 0) await out.write(to, lineOf(r.row, r.fields));
      }
    } finally {
      await out.close();
    }
  };

  // 1.2 roles: the orgs of a user's active roles count among the user's schools.
  const roleOrgs = new Map<string, Set<string>>();
  if (usesRoles && present.has('roles')) {
    for await (const r of fileRows(bundle, 'roles.csv', () => undefined)) {
      const v = r.values;
      if (isDeleted(v.status ?? '') || !v.orgSourcedId) continue;
      const set = roleOrgs.get(v.userSourcedId!) ?? new Set<string>();
      set.add(v.orgSourcedId);
      roleOrgs.set(v.userSourcedId!, set);
    }
  }

  if (present.has('courses')) {
    await split('courses', ({ values: v }) => (!hasAll(v, ['sourcedId', 'title']) || !v.orgSourcedId ? ALL : only(v.orgSourcedId)));
  }

  // Classes: the last row of each id (what the class index keeps) and where it went.
  const lastClass = new Map<string, { row: number; to: readonly string[] }>();
  if (present.has('classes')) {
    await split('classes', ({ row, values: v }, index) => {
      // The class index checks its columns on the first row: every school sees the same first row.
      const to = index === 0 || !hasAll(v, ['sourcedId', 'title', 'schoolSourcedId']) ? ALL : only(v.schoolSourcedId);
      if (v.sourcedId) lastClass.set(v.sourcedId, { row, to });
      return to;
    });
  }

  const userSchools = new Map<string, Set<string>>();
  if (present.has('users')) {
    await split('users', ({ values: v }) => {
      // A row failing its checks (read before the school filter) fails for every school.
      if (!hasAll(v, ['sourcedId', 'givenName', 'familyName']) || v.sourcedId === '') return ALL;
      const to = [...userOrgs(v, roleOrgs.get(v.sourcedId!))].filter((o) => targets.has(o));
      if (to.length > 0) {
        const set = userSchools.get(v.sourcedId!) ?? new Set<string>();
        for (const s of to) set.add(s);
        userSchools.set(v.sourcedId!, set);
      }
      return to;
    });
  }
  const ofUser = (id: string | undefined): readonly string[] => [...(userSchools.get(id ?? '') ?? [])];
  if (present.has('roles')) await split('roles', ({ values: v }, index) => (index === 0 ? ALL : ofUser(v.userSourcedId)));
  if (present.has('demographics')) await split('demographics', ({ values: v }) => ofUser(v.sourcedId || v.userSourcedId));

  // Enrollments; a class whose last row went elsewhere is added to the school's classes file.
  const extraClasses = new Map<string, Set<string>>();
  if (present.has('enrollments')) {
    await split('enrollments', ({ values: v }) => {
      const to = !hasAll(v, ['classSourcedId', 'userSourcedId', 'role']) || !v.schoolSourcedId ? ALL : only(v.schoolSourcedId);
      const cls = v.classSourcedId ? lastClass.get(v.classSourcedId) : undefined;
      if (cls && cls.to !== ALL) {
        for (const s of to) {
          if (cls.to.includes(s)) continue;
          const set = extraClasses.get(s) ?? new Set<string>();
          set.add(v.classSourcedId!);
          extraClasses.set(s, set);
        }
      }
      return to;
    });
  }
  if (extraClasses.size > 0) {
    const rowsOf = new Map<number, string[]>();
    for (const [s, ids] of extraClasses) {
      for (const id of ids) {
        const row = lastClass.get(id)!.row;
        rowsOf.set(row, [...(rowsOf.get(row) ?? []), s]);
      }
    }
    const out = new SchoolFiles(dir, [...extraClasses.keys()], 'classes.csv');
    await out.open('a');
    try {
      for await (const r of fileRows(bundle, 'classes.csv', () => undefined)) {
        const to = rowsOf.get(r.row);
        if (to) await out.write(to, lineOf(r.row, r.fields));
      }
    } finally {
      await out.close();
    }
  }
}

/** Removes the export's other versions and any split folder unused for `graceMs`. */
async function prune(root: string, keep: string, home: string, graceMs: number): Promise<void> {
  const cutoff = Date.now() - graceMs;
  for (const entry of await readdir(root).catch(() => [] as string[])) {
    if (entry === keep) continue;
    const path = join(root, entry);
    const sameExport = entry.startsWith(`${home}.`) && !entry.includes('.tmp-');
    const info = await stat(path).catch(() => undefined);
    if (info && (sameExport || info.mtimeMs < cutoff)) await rm(path, { recursive: true, force: true });
  }
}

export interface Split {
  /** The folder of one school's files (its own rows and those every school reads). */
  folder(school: string): string | undefined;
}

/** Per version folder: the split under way or done in this process (undefined: not split). */
const known = new Map<string, Promise<Split | undefined>>();

/**
 * The split of this version of the export (`<root>/<home>.<version>/<school>/<file>.csv`), written
 * now if no reader has written it yet: into a temporary folder renamed into place, so a reader (here
 * or in another process) never sees half a split. Undefined when the export holds one school (its
 * files are read as they are). `schools` lists the export's schools; it is asked only when needed.
 */
export async function ensureSplit(
  path: string,
  bundle: FileBundle,
  schools: () => Promise<string[]>,
  usesRoles: boolean,
  root = defaultSplitRoot,
  graceMs = SPLIT_GRACE_MS,
): Promise<Split | undefined> {
  const { home, version } = await splitKey(path);
  const name = `${home}.${version}${usesRoles ? '' : '.noroles'}`;
  const dir = join(root, name);
  const made = (ids: readonly string[]): Split => {
    const set = new Set(ids);
    return { folder: (s) => (set.has(s) ? join(dir, schoolFolder(s)) : undefined) };
  };
  let pending = known.get(dir);
  if (pending && !existsSync(dir)) {
    // Split here earlier but removed since (unused for long, or by another process): redo it.
    const previous = await pending.catch(() => undefined);
    if (previous) pending = undefined;
  }
  if (pending) {
    const split = await pending;
    if (split) {
      const now = new Date();
      await utimes(dir, now, now).catch(() => undefined); // in use: not to be pruned
    }
    return split;
  }
  // Older versions of this export are forgotten in this process (their folders are pruned below).
  for (const k of known.keys()) if (basename(k).startsWith(`${home}.`) && k !== dir) known.delete(k);
  pending = (async () => {
    if (existsSync(dir)) {
      const ids = JSON.parse(await readFile(join(dir, 'schools.json'), 'utf8')) as string[];
      const now = new Date();
      await utimes(dir, now, now).catch(() => undefined);
      return made(ids);
    }
    const ids = [...new Set(await schools())];
    if (ids.length <= 1) return undefined;
    await mkdir(root, { recursive: true });
    // Another process may split the same version first: its split is as good as ours.
    await writeFolderOnce(dir, async (tmp) => {
      await writeSplit(bundle, ids, tmp, usesRoles);
      await writeFile(join(tmp, 'schools.json'), JSON.stringify(ids), { mode: 0o600 });
    });
    await prune(root, name, home, graceMs);
    return made(ids);
  })();
  known.set(dir, pending);
  return pending;
}
