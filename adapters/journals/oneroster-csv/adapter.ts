// OneRoster 1.1 / 1.2 CSV (a folder or a .zip with manifest.csv) behind the JournalSource port.
// Files are streamed with csv-parse; only small indexes are kept (class kinds, birth dates from
// demographics, 1.2 roles), each built when its step needs it so a resumed read rebuilds it too.
// `since` keeps rows whose dateLastModified is later (rows without a readable date are kept);
// `tobedeleted` rows end enrollments and employment.
// A regional export holding several schools is split once per version into per-school files
// (split.ts), so reading a school streams what the school holds, not the whole region.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { JournalSourceError } from '../errors.js';
import { csvRows, openBundle, requireColumns, RowPager, type CsvRow, type FileBundle } from '../files.js';
import { pagedRead, type ReadStep } from '../paged-read.js';
import type { JournalSource, ReadRosterOptions, RosterPage, RosterRecord, SchoolInfo } from '../port.js';
import { isoDateMs } from './columns.js';
import { inspectOneRosterExport, type ExportInspection } from './inspect.js';
import { ensureSplit, ROW_COLUMN } from './split.js';
import { list, userOrgs } from './user-orgs.js';
import { classIndexEntry, classRecords, courseRecords, enrollmentRecords, GUARDIAN_ROLES, HOMEROOM_METADATA, isDeleted, userRecords, type ClassIndexEntry, type OrClass } from '../oneroster-common/mapping.js';

export const oneRosterCsvConfigSchema = z.object({
  kind: z.literal('oneroster-csv'),
  /** A folder holding manifest.csv and the data files, or a .zip of them. */
  path: z.string().min(1),
  pageSize: z.number().int().min(1).max(100_000).default(500),
});
export type OneRosterCsvConfig = z.input<typeof oneRosterCsvConfigSchema>;

const truthy = (v: string | undefined) => v === undefined || v === '' || v.toLowerCase() === 'true';

/**
 * One sourcedId, one meaning: a row repeated word for word is harmless (some exporters write rows
 * twice, R-C1..R-C4), but the same id with other data is refused naming both rows, instead of the
 * last row silently winning. Only rows of the school being read are remembered, so memory follows the
 * school's size; a read resumed from a checkpoint checks the rows from there on.
 */
class DuplicateIds {
  private readonly seen = new Map<string, { row: number; digest: string }>();
  constructor(private readonly file: string) {}

  check(r: CsvRow): void {
    const id = r.values.sourcedId;
    if (!id) return;
    const digest = createHash('sha1').update(JSON.stringify(r.values)).digest('base64');
    const first = this.seen.get(id);
    if (!first) {
      this.seen.set(id, { row: r.row, digest });
      return;
    }
    // The same row again (a page re-read after a retry) or an identical copy of it.
    if (first.row === r.row || first.digest === digest) return;
    throw new JournalSourceError({ code: 'bad-data', problem: 'duplicate-id', file: this.file, row: r.row, column: 'sourcedId', value: id, firstRow: first.row });
  }
}

export interface OneRosterCsvOptions {
  /** Split a multi-school export into per-school files (default true; false reads it whole). */
  split?: boolean;
  /** Where splits are kept (default: os.tmpdir()/hub-oneroster-split). */
  splitRoot?: string;
}

/** The files a read of one school streams: the export itself, or the school's part of its split. */
interface SchoolFiles {
  bundle: FileBundle;
  /** Split files carry the original row number in a hidden leading column. */
  split: boolean;
}

export class OneRosterCsvSource implements JournalSource {
  readonly kind = 'oneroster-csv' as const;
  readonly supportsDelta = true;
  /** Data rows this source parsed for reads and school lists (not the split itself), for tests and benchmarks. */
  readonly stats = { rows: 0 };
  private readonly cfg: z.infer<typeof oneRosterCsvConfigSchema>;
  private readonly bundle: FileBundle;

  constructor(config: OneRosterCsvConfig, private readonly options: OneRosterCsvOptions = {}) {
    this.cfg = oneRosterCsvConfigSchema.parse(config);
    this.bundle = openBundle(this.cfg.path);
  }

  /**
   * The school's files: its part of the export's split when the export holds several schools,
   * otherwise (one school, a school the export does not list, or a split that failed, e.g. on a
   * broken file, whose error the whole-export read then reports as before) the export itself.
   */
  private async schoolFiles(school: string, manifest: Map<string, string>): Promise<SchoolFiles> {
    const whole = { bundle: this.bundle, split: false };
    if (this.options.split === false) return whole;
    try {
      const usesRoles = await this.present(manifest, 'roles');
      const split = await ensureSplit(this.cfg.path, this.bundle, async () => (await this.listSchools()).map((s) => s.externalId), usesRoles, this.options.splitRoot);
      const folder = split?.folder(school);
      return folder ? { bundle: openBundle(folder), split: true } : whole;
    } catch {
      return whole;
    }
  }

  /** Rows of a file of the school's files, numbered as in the original file. */
  private async *fileRows(files: SchoolFiles, file: string): AsyncGenerator<CsvRow> {
    const stream = await files.bundle.open(file);
    if (!stream) return;
    for await (const r of csvRows(stream, file)) {
      this.stats.rows++;
      if (files.split) {
        const { [ROW_COLUMN]: row, ...values } = r.values;
        yield { row: Number(row), values };
      } else {
        yield r;
      }
    }
  }

  /** `file.<name>` → bulk | delta | absent; a missing manifest is an error (it is required). */
  async manifest(): Promise<Map<string, string>> {
    const stream = await this.bundle.open('manifest.csv');
    if (!stream) throw new JournalSourceError({ code: 'bad-data', problem: 'missing-file', file: 'manifest.csv' });
    const out = new Map<string, string>();
    for await (const r of csvRows(stream, 'manifest.csv')) {
      requireColumns(r, 'manifest.csv', ['propertyName', 'value']);
      out.set(r.values.propertyName!, r.values.value ?? '');
    }
    return out;
  }

  /**
   * The upload check (issue 16 item 5): the whole export, every file, row and reference; refuses
   * with file, row and column, and answers counts per kind and warnings.
   */
  async inspectExport(): Promise<ExportInspection> {
    return inspectOneRosterExport(this.bundle, await this.manifest());
  }

  private async present(manifest: Map<string, string>, name: string): Promise<boolean> {
    const mode = manifest.get(`file.${name}`);
    return mode !== undefined && mode !== '' && mode !== 'absent' && (await this.bundle.has(`${name}.csv`));
  }

  private async *rows(file: string, required: readonly string[], files: SchoolFiles = { bundle: this.bundle, split: false }): AsyncGenerator<CsvRow> {
    let first = true;
    for await (const r of this.fileRows(files, file)) {
      if (first) requireColumns(r, file, required);
      first = false;
      yield r;
    }
  }

  async listSchools(): Promise<SchoolInfo[]> {
    const orgs = new Map<string, { name: string; type: string }>();
    for await (const r of this.rows('orgs.csv', ['sourcedId', 'name', 'type'])) {
      if (!isDeleted(r.values.status ?? '')) orgs.set(r.values.sourcedId!, { name: r.values.name!, type: r.values.type! });
    }
    const schools = [...orgs].filter(([, o]) => o.type === 'school').map(([id, o]) => ({ externalId: id, name: o.name }));
    if (schools.length > 0) return schools;
    // Some exports type the org otherwise (e.g. "department"); the orgs classes belong to are schools.
    const ids = new Set<string>();
    for await (const r of this.rows('classes.csv', ['sourcedId', 'schoolSourcedId'])) ids.add(r.values.schoolSourcedId!);
    return [...ids].map((id) => ({ externalId: id, name: orgs.get(id)?.name ?? id }));
  }

  private orClass(v: Record<string, string>): OrClass {
    return {
      sourcedId: v.sourcedId!, status: v.status ?? '', title: v.title ?? '', classType: v.classType ?? 'scheduled',
      grades: list(v.grades), courseSourcedId: v.courseSourcedId || undefined, subjects: list(v.subjects),
      homeroomSourcedId: v[HOMEROOM_METADATA] || undefined,
    };
  }

  readRoster(school: string, options: ReadRosterOptions = {}): AsyncIterable<RosterPage> {
    return pagedRead({ source: this.kind, school, ...options }, async (since) => {
      const manifest = await this.manifest();
      // A delta names changes only: read as a school it would make everyone it leaves out gone.
      // The upload merges it into the export before it (delta.ts); a delta on its own is refused.
      if ([...manifest].some(([k, v]) => k.startsWith('file.') && v === 'delta')) {
        throw new JournalSourceError({ code: 'bad-data', problem: 'delta-export', file: 'manifest.csv' });
      }
      const after = since ? Date.parse(since) : undefined;
      // A date that is not ISO 8601 is unreadable (never guessed: 1/05/2023 is not 5 January): kept.
      const changed = (v: Record<string, string>) => {
        if (after === undefined) return true;
        const at = isoDateMs(v.dateLastModified);
        return at === undefined || at > after;
      };
      const hasCourses = await this.present(manifest, 'courses');
      const files = await this.schoolFiles(school, manifest);
      const step = (file: string, required: readonly string[], map: (r: CsvRow) => RosterRecord[], before?: () => Promise<void>): ReadStep => {
        const ids = new DuplicateIds(`${file}.csv`);
        const pager = new RowPager(async () => this.fileRows(files, `${file}.csv`), this.cfg.pageSize, (r: CsvRow) => {
          requireColumns(r, `${file}.csv`, required);
          const records = changed(r.values) ? map(r) : [];
          if (records.length > 0) ids.check(r);
          return records;
        });
        return {
          key: file,
          fetch: async (cursor) => {
            await before?.();
            const { items, next } = await pager.page(cursor);
            return { records: items, next };
          },
          close: () => pager.close(),
        };
      };
      const need = (r: CsvRow, file: string, column: string): string => {
        const v = r.values[column];
        if (v === undefined) throw new JournalSourceError({ code: 'bad-data', problem: 'missing-column', file, row: 1, column });
        if (v === '') throw new JournalSourceError({ code: 'bad-data', problem: 'empty-value', file, row: r.row, column });
        return v;
      };

      let birth: Map<string, string> | undefined;
      let roles: Map<string, { role: string; roles: Set<string>; orgs: Set<string> }> | undefined;
      const userIndexes = async () => {
        if (!birth) {
          birth = new Map();
          if (await this.present(manifest, 'demographics')) {
            // 1.1+ keys demographics by the user's sourcedId; 1.0 had userSourcedId.
            for await (const r of this.rows('demographics.csv', [], files)) {
              const id = r.values.sourcedId || r.values.userSourcedId;
              const d = r.values.birthDate ?? r.values.birthdate;
              if (id && d && /^\d{4}-\d{2}-\d{2}$/.test(d)) birth.set(id, d);
            }
          }
        }
        if (!roles) {
          roles = new Map();
          // 1.2 moved a user's roles and orgs to roles.csv (some tools name it userProfiles).
          if (await this.present(manifest, 'roles')) {
            for await (const r of this.rows('roles.csv', ['userSourcedId', 'role'], files)) {
              if (isDeleted(r.values.status ?? '')) continue;
              const u = roles.get(r.values.userSourcedId!) ?? { role: '', roles: new Set<string>(), orgs: new Set<string>() };
              if (!u.role || r.values.roleType === 'primary') u.role = r.values.role!;
              // Every role is kept (1.2: a teacher who is also a parent has two rows).
              if (r.values.role) u.roles.add(r.values.role);
              if (r.values.orgSourcedId) u.orgs.add(r.values.orgSourcedId);
              roles.set(r.values.userSourcedId!, u);
            }
          }
        }
      };
      // Links a parent row names: the student side adds only the ones no parent row names, so each
      // link comes from one row and a resumed read has no repeats.
      let parentNamed: Set<string> | undefined;
      const linkIndex = async () => {
        await userIndexes();
        if (parentNamed) return;
        parentNamed = new Set();
        for await (const r of this.rows('users.csv', [], files)) {
          const v = r.values;
          const profile = roles!.get(v.sourcedId ?? '');
          if (![v.role, profile?.role, ...(profile?.roles ?? [])].some((x) => x !== undefined && GUARDIAN_ROLES.has(x))) continue;
          for (const child of list(v.agentSourcedIds)) parentNamed.add(`${v.sourcedId}\u0000${child}`);
        }
      };
      let classIndex: Map<string, ClassIndexEntry> | undefined;
      const buildClassIndex = async () => {
        if (classIndex) return;
        classIndex = new Map();
        for await (const r of this.rows('classes.csv', ['sourcedId', 'classType'], files)) classIndex.set(r.values.sourcedId!, classIndexEntry(this.orClass(r.values)));
      };

      const steps: ReadStep[] = [];
      if (hasCourses) {
        steps.push(step('courses', ['sourcedId', 'title'], (r) => {
          const org = r.values.orgSourcedId;
          if (org && org !== school) return [];
          return courseRecords({ sourcedId: need(r, 'courses.csv', 'sourcedId'), status: r.values.status ?? '', title: need(r, 'courses.csv', 'title'), courseCode: r.values.courseCode });
        }));
      }
      steps.push(
        step('classes', ['sourcedId', 'title', 'schoolSourcedId'], (r) =>
          r.values.schoolSourcedId === school ? classRecords(this.orClass({ ...r.values, sourcedId: need(r, 'classes.csv', 'sourcedId'), title: need(r, 'classes.csv', 'title') }), hasCourses) : [],
        ),
        step('users', ['sourcedId', 'givenName', 'familyName'], (r) => {
          const v = r.values;
          const id = need(r, 'users.csv', 'sourcedId');
          const profile = roles!.get(id);
          const orgs = userOrgs(v, profile?.orgs);
          if (!orgs.has(school)) return [];
          const user = {
            sourcedId: id, status: v.status ?? '', enabledUser: truthy(v.enabledUser), role: v.role || profile?.role || '', roles: [...(profile?.roles ?? [])],
            givenName: need(r, 'users.csv', 'givenName'), familyName: need(r, 'users.csv', 'familyName'), middleName: v.middleName || undefined,
            email: v.email || undefined, phone: v.phone || v.sms || undefined, agentSourcedIds: list(v.agentSourcedIds),
            birthDate: birth!.get(id),
          };
          const out = userRecords(user);
          // Guardian links are read from both sides: a student's agents are its parents.
          const roleSet = new Set([user.role, ...user.roles]);
          if (roleSet.has('student') && ![...roleSet].some((x) => GUARDIAN_ROLES.has(x)) && !isDeleted(user.status) && user.enabledUser) {
            for (const parent of user.agentSourcedIds) {
              if (!parentNamed!.has(`${parent}\u0000${id}`)) out.push({ kind: 'guardianship', parentId: parent, childId: id });
            }
          }
          return out;
        }, linkIndex),
        step('enrollments', ['classSourcedId', 'userSourcedId', 'role'], (r) => {
          const v = r.values;
          if (v.schoolSourcedId && v.schoolSourcedId !== school) return [];
          const classId = need(r, 'enrollments.csv', 'classSourcedId');
          const out = enrollmentRecords(
            { sourcedId: v.sourcedId ?? '', status: v.status ?? '', classSourcedId: classId, userSourcedId: need(r, 'enrollments.csv', 'userSourcedId'), role: need(r, 'enrollments.csv', 'role'), primary: v.primary?.toLowerCase() === 'true' },
            classIndex!.get(classId),
          );
          if (!out) throw new JournalSourceError({ code: 'bad-data', problem: 'unknown-reference', file: 'enrollments.csv', row: r.row, column: 'classSourcedId', value: classId });
          return out;
        }, buildClassIndex),
      );
      return steps;
    });
  }
}
