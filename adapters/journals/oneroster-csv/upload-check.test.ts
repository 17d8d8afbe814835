// Issue 16 item 5: the OneRoster CSV upload check reads the whole export; deltas are applied as
// changes to the export before them; every role of a user is kept and guardian links are read from
// both sides; dates that are not ISO 8601 are never guessed; odd but readable things are warnings.
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readAll } from '../../../test/conformance/journal-source.conformance.js';
import { isJournalSourceError } from '../errors.js';
import { openBundle } from '../files.js';
import { recordKey, type RosterRecord } from '../port.js';
import { RosterModel } from '../testing/roster-model.js';
import { OneRosterCsvSource } from './adapter.js';
import { mergeDelta } from './delta.js';
import { writeOneRosterCsv } from './export.js';
import { csvWarningText } from './warnings.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/oneroster/', import.meta.url));
const v1p2 = join(fixtures, 'catalyst-v1p2');
const dirs: string[] = [];
const scratch = async () => {
  const d = await mkdtemp(join(tmpdir(), 'oneroster-check-'));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
const source = (path: string) => new OneRosterCsvSource({ kind: 'oneroster-csv', path }, { split: false });
const records = async (path: string, school: string) => (await readAll(source(path), school)).flatMap((p) => p.records);
/** A read as a set of facts, each with all its fields. */
const facts = (rs: RosterRecord[]) => new Set(rs.map((r) => JSON.stringify(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)))));
const parsed = (keys: string[]): RosterRecord[] => keys.map((k) => Object.fromEntries(JSON.parse(k) as Array<[string, unknown]>) as RosterRecord);
const minus = <T>(a: Set<T>, b: Set<T>) => [...a].filter((x) => !b.has(x)).sort();

async function edit(dir: string, file: string, change: (lines: string[]) => string[]): Promise<void> {
  const eol = (await readFile(join(dir, file), 'utf8')).includes('\r\n') ? '\r\n' : '\n';
  const lines = (await readFile(join(dir, file), 'utf8')).split(eol);
  await writeFile(join(dir, file), change(lines).join(eol));
}

describe('OneRoster CSV upload check (issue 16 item 5)', () => {
  it('a public 1.2 export: misspelt headers and a non-ISO date are warnings naming file, row and column; counts per kind', async () => {
    const got = await source(v1p2).inspectExport();
    expect(got.version).toBe('1.2');
    expect(got.mode).toBe('bulk');
    expect(got.warnings).toContainEqual({ code: 'unknown-column', file: 'roles.csv', row: 1, column: 'dataLastModified', suggestion: 'dateLastModified' });
    expect(got.warnings).toContainEqual({ code: 'unknown-column', file: 'users.csv', row: 1, column: 'prefferedGivenName', suggestion: 'preferredGivenName' });
    expect(got.warnings).toContainEqual({ code: 'not-iso-date', file: 'users.csv', row: 2, column: 'dateLastModified', value: '1/05/2023' });
    const date = got.warnings.find((w) => w.code === 'not-iso-date')!;
    expect(csvWarningText(date, 'ru')).toBe('файл users.csv, строка 2, столбец «dateLastModified»: дата «1/05/2023» не в формате ISO 8601 (ГГГГ-ММ-ДД), не читается: день и месяц не угадываются.');
    expect(csvWarningText(date, 'en')).toMatch(/^file users\.csv, row 2, column "dateLastModified": the date "1\/05\/2023" is not ISO 8601/);
    expect(got.counts).toMatchObject({ schools: 1, classes: 1 });
    expect(got.counts.people.teachers).toBeGreaterThan(0);
    expect(got.counts.people.students).toBeGreaterThan(0);
  });

  it('a broken reference in the last school of a regional export is refused at upload naming file, row and column (the first page of the first school reads fine)', async () => {
    const model = RosterModel.generate({ seed: 9, schools: 3 });
    const dir = await scratch();
    await writeOneRosterCsv(model, dir);
    let row = 0;
    await edit(dir, 'enrollments.csv', (lines) => {
      const last = lines.findLastIndex((l) => l.includes(',student,'));
      row = last + 1;
      lines[last] = lines[last]!.replace(/^([^,]*,[^,]*,[^,]*,)[^,]*/, '$1nobody-here');
      return lines;
    });
    const first = [...model.schools.keys()][0]!;
    for await (const page of source(dir).readRoster(first)) {
      expect(page.records.length).toBeGreaterThan(0);
      break;
    }
    const err = await source(dir).inspectExport().then(() => undefined, (e: unknown) => e);
    expect(isJournalSourceError(err, 'bad-data')).toBe(true);
    if (!isJournalSourceError(err)) return;
    expect(err.detail).toMatchObject({ problem: 'unknown-reference', file: 'enrollments.csv', row, column: 'userSourcedId', value: 'nobody-here' });
    expect(err.message).toBe(`файл enrollments.csv, строка ${row}, столбец «userSourcedId»: ссылка на неизвестную запись (значение «nobody-here»).`);
  });

  it('a teacher enrolled as a student is a warning naming the enrollment row', async () => {
    const model = RosterModel.generate({ seed: 9, schools: 1 });
    const dir = await scratch();
    await writeOneRosterCsv(model, dir);
    const school = [...model.schools.keys()][0]!;
    const teacher = model.staffOf(school).find((s) => s.role === 'teacher')!.personId;
    const cls = model.classesOf(school)[0]!.id;
    let row = 0;
    await edit(dir, 'enrollments.csv', (lines) => {
      row = lines.filter((l) => l !== '').length + 1;
      return [...lines.filter((l) => l !== ''), `enr-odd,${cls},${school},${teacher},student,false,,,active,2024-01-01T00:00:00.000Z`, ''];
    });
    const got = await source(dir).inspectExport();
    expect(got.warnings).toContainEqual({ code: 'teacher-enrolled-as-student', file: 'enrollments.csv', row, column: 'role', value: teacher });
  });

  it('a date that is not ISO 8601 is never guessed: with `since` after what `1/05/2023` would be guessed as, the row counts as changed', async () => {
    const since = '2023-02-01T00:00:00.000Z'; // after 5 January 2023, before 1 May 2023
    const got = await records(v1p2, 'org-sch-222-456').then(() => readAll(source(v1p2), 'org-sch-222-456', { since }));
    expect(got.flatMap((p) => p.records)).toContainEqual(expect.objectContaining({ kind: 'person', externalId: 'usr-222-123456' }));
  });

  it('1.2: every role of a user is kept (a teacher who is also a parent), and a student names its parent (agentSourcedIds) as the parent row would', async () => {
    const dir = await scratch();
    await cp(v1p2, dir, { recursive: true });
    // The student Mary names John (a teacher) as her agent; John's roles.csv rows: teacher, and now parent.
    const before = await records(dir, 'org-sch-222-456');
    expect(before).toContainEqual({ kind: 'guardianship', parentId: 'usr-222-123456', childId: 'usr-222-66778899' });
    await edit(dir, 'roles.csv', (lines) => [...lines.filter((l) => l !== ''), 'rol-123-9999,active,2025-01-01,usr-222-123456,secondary,parent,2024-03-06,2025-09-23,org-sch-222-456', '']);
    const after = await records(dir, 'org-sch-222-456');
    expect(after).toContainEqual({ kind: 'staff', personId: 'usr-222-123456', role: 'teacher', status: 'employed' });
    expect(after.filter((r) => r.kind === 'guardianship' && r.parentId === 'usr-222-123456' && r.childId === 'usr-222-66778899')).toHaveLength(1);
  });
});

describe('OneRoster CSV delta after bulk (issue 16 item 5)', () => {
  it('a delta export applied to the bulk one before it changes exactly what the delta says; read alone it is refused, never taken for the whole school', async () => {
    const model = RosterModel.generate({ seed: 21, schools: 2 });
    const [school] = [...model.schools.keys()] as [string];
    const bulk = await scratch();
    await writeOneRosterCsv(model, bulk);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    // The journal's changes: one student leaves, one moves, a parent is added, a teacher leaves.
    const [first, second, third] = model.enrollmentsOf(school).map((e) => e.studentId) as [string, string, string];
    model.expel(first);
    model.transfer(second, model.classesOf(school).find((c) => !model.enrollmentsOf(school, { classId: c.id }).some((e) => e.studentId === second))!.id);
    model.addGuardian(third);
    model.dismiss(model.staffOf(school).find((s) => s.role === 'teacher')!.personId);
    const full = await scratch();
    await writeOneRosterCsv(model, full);

    // The delta: the rows of the full export stamped after t0, every data file in `delta` mode.
    const delta = await scratch();
    const names = (await readdir(full)).filter((n) => n.endsWith('.csv') && n !== 'manifest.csv');
    for (const name of names) {
      const lines = (await readFile(join(full, name), 'utf8')).split('\n');
      const header = lines[0]!.split(',');
      const at = header.indexOf('dateLastModified');
      const changed = lines.slice(1).filter((l) => l !== '' && Date.parse(l.split(',')[at] ?? '') > t0);
      await writeFile(join(delta, name), [lines[0], ...changed, ''].join('\n'));
    }
    const manifest = (await readFile(join(full, 'manifest.csv'), 'utf8')).replaceAll(',bulk', ',delta');
    await writeFile(join(delta, 'manifest.csv'), manifest);

    const alone = await readAll(source(delta), school).then(() => undefined, (e: unknown) => e);
    expect(isJournalSourceError(alone, 'bad-data')).toBe(true);
    expect((alone as Error).message).toMatch(/manifest\.csv.*delta/);

    const merged = await scratch();
    for (const f of await mergeDelta(openBundle(bulk), openBundle(delta))) await writeFile(join(merged, f.name), f.content);
    const [was, now, expected] = (await Promise.all([bulk, merged, full].map((d) => records(d, school).then(facts)))) as [Set<string>, Set<string>, Set<string>];
    expect(minus(now, expected)).toEqual([]);
    expect(minus(expected, now)).toEqual([]);
    // ...and what changed is what the delta says: the student left, the move, the parent, the teacher.
    const gained = parsed(minus(now, was)).map(recordKey);
    expect(gained).toContain(`enrollment:${first}:${model.enrollmentsOfStudent(first)[0]!.classId}`); // now expelled
    expect(gained.filter((k) => k.startsWith(`enrollment:${second}:`))).toHaveLength(2); // old class ended, new one
    expect(gained.some((k) => k.startsWith('guardianship:') && k.endsWith(`:${third}`))).toBe(true);
    expect(parsed(minus(now, was))).toContainEqual(expect.objectContaining({ kind: 'staff', status: 'dismissed' }));
    // Everyone the delta does not name is still there (a full-roster reading would have lost them).
    const untouched = model.enrollmentsOf(school).map((e) => e.studentId).filter((s) => ![first, second, third].includes(s));
    const active = new Set(parsed([...now]).filter((r) => r.kind === 'enrollment' && r.status === 'active').map((r) => (r as { studentId: string }).studentId));
    for (const s of untouched) expect(active.has(s)).toBe(true);
    expect(minus(was, now).length).toBeLessThanOrEqual(gained.length);
    expect((await source(merged).inspectExport()).mode).toBe('bulk');
  });
});
