// The upload check of a OneRoster CSV export (issue 16 item 5): every file, every row and every
// reference is read before the export is accepted, so a broken users.csv, roles.csv or
// enrollments.csv is refused at upload (naming file, row and column), not at the night's sync.
// What is odd but readable is a warning (file, row, column): a column neither 1.1 nor 1.2 defines
// (a misspelt optional header), a date that is not ISO 8601 (never guessed: `1/05/2023` is not
// 5 January), a teacher enrolled as a student. The answer also counts what was read, per kind.
import { createHash } from 'node:crypto';
import { JournalSourceError } from '../errors.js';
import { csvRows, requireColumns, type CsvRow, type FileBundle } from '../files.js';
import { GUARDIAN_ROLES, isDeleted, STAFF_ROLES } from '../oneroster-common/mapping.js';
import { CSV_COLUMNS, isIsoDate, suggestColumn } from './columns.js';
import { list, userOrgs } from './user-orgs.js';
import type { CsvWarning } from './warnings.js';

export interface ExportCounts {
  schools: number;
  classes: number;
  people: { students: number; teachers: number; staff: number; parents: number; withoutRole: number };
  enrollments: number;
  guardianships: number;
}

export interface ExportInspection {
  /** OneRoster version the manifest names ("1.1", "1.2"), or null. */
  version: string | null;
  /** `bulk` when every present file is bulk; `delta` when any is a delta. */
  mode: 'bulk' | 'delta';
  counts: ExportCounts;
  warnings: CsvWarning[];
  /** Warnings beyond the ones listed (the list stops at WARNINGS_LISTED). */
  warningsNotListed: number;
}

const WARNINGS_LISTED = 100;
/** Date columns of each file, by the CSV binding. */
const DATE_COLUMNS: Record<string, readonly string[]> = {
  'academicSessions.csv': ['dateLastModified', 'startDate', 'endDate'],
  'orgs.csv': ['dateLastModified'],
  'courses.csv': ['dateLastModified'],
  'classes.csv': ['dateLastModified'],
  'users.csv': ['dateLastModified'],
  'roles.csv': ['dateLastModified', 'beginDate', 'endDate'],
  'enrollments.csv': ['dateLastModified', 'beginDate', 'endDate'],
  'demographics.csv': ['dateLastModified', 'birthDate'],
};

const refuse = (problem: 'unknown-reference' | 'empty-value' | 'duplicate-id', file: string, row: number, column: string, value?: string, firstRow?: number) =>
  new JournalSourceError({ code: 'bad-data', problem, file, row, column, ...(value !== undefined ? { value } : {}), ...(firstRow !== undefined ? { firstRow } : {}) });

/** Reads the whole export; throws the first error a sync would meet (or worse), returns the rest. */
export async function inspectOneRosterExport(bundle: FileBundle, manifest: Map<string, string>): Promise<ExportInspection> {
  const warnings: CsvWarning[] = [];
  let notListed = 0;
  const warn = (w: CsvWarning) => {
    if (warnings.length < WARNINGS_LISTED) warnings.push(w);
    else notListed++;
  };
  const modeOf = (name: string) => manifest.get(`file.${name}`) ?? '';
  const present = async (name: string) => !['', 'absent'].includes(modeOf(name)) && (await bundle.has(`${name}.csv`));
  const mode: 'bulk' | 'delta' = [...manifest].some(([k, v]) => k.startsWith('file.') && v === 'delta') ? 'delta' : 'bulk';

  /** Streams a file: header checked once (required columns refused, unknown ones warned), then rows. */
  async function* file(name: string, required: readonly string[]): AsyncGenerator<CsvRow> {
    const fileName = `${name}.csv`;
    const stream = await bundle.open(fileName);
    if (!stream) throw new JournalSourceError({ code: 'bad-data', problem: 'missing-file', file: fileName });
    const known = CSV_COLUMNS[fileName];
    const ids = new Map<string, { row: number; digest: string }>();
    let first = true;
    for await (const r of csvRows(stream, fileName)) {
      if (first) {
        requireColumns(r, fileName, required);
        for (const column of Object.keys(r.values)) {
          // Blank header cells get placeholder names; `metadata.*` columns are the binding's extension point.
          if (/^_\d+$/.test(column) || column.startsWith('metadata.') || !known || known.includes(column)) continue;
          warn({ code: 'unknown-column', file: fileName, row: 1, column, ...(suggestColumn(column, known) ? { suggestion: suggestColumn(column, known)! } : {}) });
        }
        first = false;
      }
      for (const column of DATE_COLUMNS[fileName] ?? []) {
        const v = r.values[column];
        if (v && !isIsoDate(v)) warn({ code: 'not-iso-date', file: fileName, row: r.row, column, value: v.slice(0, 40) });
      }
      const id = r.values.sourcedId;
      if (id && name !== 'manifest') {
        const digest = createHash('sha1').update(JSON.stringify(r.values)).digest('base64');
        const seen = ids.get(id);
        if (!seen) ids.set(id, { row: r.row, digest });
        else if (seen.digest !== digest) throw refuse('duplicate-id', fileName, r.row, 'sourcedId', id, seen.row);
      }
      yield r;
    }
  }
  const need = (r: CsvRow, fileName: string, column: string): string => {
    const v = r.values[column];
    if (!v) throw refuse('empty-value', fileName, r.row, column);
    return v;
  };

  // orgs
  const orgs = new Map<string, string>();
  for await (const r of file('orgs', ['sourcedId', 'name', 'type'])) {
    const id = need(r, 'orgs.csv', 'sourcedId');
    if (!isDeleted(r.values.status ?? '')) orgs.set(id, r.values.type ?? '');
  }
  // academic sessions and courses: read for their own rows (headers, dates, ids)
  if (await present('academicSessions')) for await (const r of file('academicSessions', ['sourcedId'])) need(r, 'academicSessions.csv', 'sourcedId');
  const courses = new Set<string>();
  if (await present('courses')) {
    for await (const r of file('courses', ['sourcedId', 'title'])) {
      courses.add(need(r, 'courses.csv', 'sourcedId'));
      if (!isDeleted(r.values.status ?? '')) need(r, 'courses.csv', 'title');
    }
  }
  // classes: each in a school the export lists
  const classes = new Map<string, boolean>();
  const schoolsWithClasses = new Set<string>();
  for await (const r of file('classes', ['sourcedId', 'title', 'schoolSourcedId'])) {
    const id = need(r, 'classes.csv', 'sourcedId');
    const school = need(r, 'classes.csv', 'schoolSourcedId');
    if (mode === 'bulk' && !orgs.has(school)) throw refuse('unknown-reference', 'classes.csv', r.row, 'schoolSourcedId', school);
    const live = !isDeleted(r.values.status ?? '');
    if (live) need(r, 'classes.csv', 'title');
    const course = r.values.courseSourcedId;
    if (live && course && courses.size > 0 && !courses.has(course) && mode === 'bulk') throw refuse('unknown-reference', 'classes.csv', r.row, 'courseSourcedId', course);
    classes.set(id, live);
    if (live) schoolsWithClasses.add(school);
  }
  // users (1.1 role column) and roles.csv (1.2, every row of a user)
  const users = new Map<string, { row: number; roles: Set<string>; live: boolean; agents: string[] }>();
  for await (const r of file('users', ['sourcedId', 'givenName', 'familyName'])) {
    const id = need(r, 'users.csv', 'sourcedId');
    const live = !isDeleted(r.values.status ?? '') && (r.values.enabledUser ?? '').toLowerCase() !== 'false';
    if (live) {
      need(r, 'users.csv', 'givenName');
      need(r, 'users.csv', 'familyName');
    }
    for (const org of userOrgs(r.values)) if (mode === 'bulk' && !orgs.has(org)) throw refuse('unknown-reference', 'users.csv', r.row, r.values.primaryOrgSourcedId === org ? 'primaryOrgSourcedId' : 'orgSourcedIds', org);
    users.set(id, { row: r.row, roles: new Set(r.values.role ? [r.values.role] : []), live, agents: list(r.values.agentSourcedIds) });
  }
  if (await present('roles')) {
    for await (const r of file('roles', ['userSourcedId', 'role'])) {
      const user = need(r, 'roles.csv', 'userSourcedId');
      const u = users.get(user);
      if (!u) {
        if (mode === 'bulk') throw refuse('unknown-reference', 'roles.csv', r.row, 'userSourcedId', user);
        continue;
      }
      const org = r.values.orgSourcedId;
      if (org && mode === 'bulk' && !orgs.has(org)) throw refuse('unknown-reference', 'roles.csv', r.row, 'orgSourcedId', org);
      if (!isDeleted(r.values.status ?? '')) u.roles.add(need(r, 'roles.csv', 'role'));
    }
  }
  // Guardian links, from both sides: a parent's agents are its children, a student's its parents.
  const links = new Set<string>();
  for (const [id, u] of users) {
    const parent = [...u.roles].some((x) => GUARDIAN_ROLES.has(x));
    for (const agent of u.agents) {
      if (!users.has(agent)) {
        if (mode === 'bulk') throw refuse('unknown-reference', 'users.csv', u.row, 'agentSourcedIds', agent);
        continue;
      }
      if (parent) links.add(`${id}\u0000${agent}`);
      else if (u.roles.has('student')) links.add(`${agent}\u0000${id}`);
    }
  }
  if (await present('demographics')) for await (const r of file('demographics', [])) void r;
  // enrollments: class and user must exist; a teacher enrolled as a student is warned
  let enrollments = 0;
  const enrolledStudents = new Set<string>();
  const enrolledAny = new Set<string>();
  for await (const r of file('enrollments', ['classSourcedId', 'userSourcedId', 'role'])) {
    const cls = need(r, 'enrollments.csv', 'classSourcedId');
    const user = need(r, 'enrollments.csv', 'userSourcedId');
    const role = need(r, 'enrollments.csv', 'role');
    if (mode === 'bulk' && !classes.has(cls)) throw refuse('unknown-reference', 'enrollments.csv', r.row, 'classSourcedId', cls);
    const u = users.get(user);
    if (mode === 'bulk' && !u) throw refuse('unknown-reference', 'enrollments.csv', r.row, 'userSourcedId', user);
    if (isDeleted(r.values.status ?? '') || classes.get(cls) === false) continue;
    enrolledAny.add(user);
    if (role !== 'student') continue;
    enrollments++;
    enrolledStudents.add(user);
    if (u && !u.roles.has('student') && [...u.roles].some((x) => STAFF_ROLES[x] === 'teacher')) {
      warn({ code: 'teacher-enrolled-as-student', file: 'enrollments.csv', row: r.row, column: 'role', value: user });
    }
  }

  const counts: ExportCounts = {
    schools: [...orgs].filter(([, type]) => type === 'school').length || schoolsWithClasses.size,
    classes: [...classes.values()].filter(Boolean).length,
    people: { students: 0, teachers: 0, staff: 0, parents: 0, withoutRole: 0 },
    enrollments,
    guardianships: links.size,
  };
  const parents = new Set([...links].map((l) => l.split('\u0000')[0]!));
  for (const [id, u] of users) {
    if (!u.live) continue;
    const staff = [...u.roles].map((x) => STAFF_ROLES[x]).filter(Boolean);
    if (enrolledStudents.has(id)) counts.people.students++;
    if (staff.includes('teacher')) counts.people.teachers++;
    else if (staff.length > 0) counts.people.staff++;
    if (parents.has(id)) counts.people.parents++;
    if (!enrolledStudents.has(id) && staff.length === 0 && !parents.has(id) && !enrolledAny.has(id)) {
      counts.people.withoutRole++;
      warn({ code: 'person-without-role', file: 'users.csv', row: u.row, column: 'sourcedId', value: id });
    }
  }
  return { version: manifest.get('oneroster.version') ?? null, mode, counts, warnings, warningsNotListed: notListed };
}
