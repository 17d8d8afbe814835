import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { journalSourceConformance, readAll } from '../../../test/conformance/journal-source.conformance.js';
import { isJournalSourceError } from '../errors.js';
import type { RosterRecord } from '../port.js';
import { RosterModel } from '../testing/roster-model.js';
import { OneRosterCsvSource } from './adapter.js';
import { writeOneRosterCsv } from './export.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/oneroster/', import.meta.url));

journalSourceConformance('oneroster-csv', async () => {
  const model = RosterModel.generate({ seed: 5, schools: 2 });
  const dir = await mkdtemp(join(tmpdir(), 'oneroster-csv-'));
  await writeOneRosterCsv(model, dir);
  return {
    model,
    schoolId: [...model.schools.keys()][0]!,
    personFields: ['middleName', 'birthDate', 'phone', 'email'],
    hasCredentials: false,
    sync: () => writeOneRosterCsv(model, dir),
    writeDuplicates: () => writeOneRosterCsv(model, dir, { duplicate: true }),
    source: () => new OneRosterCsvSource({ kind: 'oneroster-csv', path: dir, pageSize: 20 }),
    close: () => rm(dir, { recursive: true, force: true }),
  };
});

async function rows(file: string): Promise<Array<Record<string, string>>> {
  return parse(await readFile(file), { columns: (h: string[]) => h.map((c, i) => c || `_${i}`), bom: true, relax_column_count: true, skip_empty_lines: true });
}
const count = (records: RosterRecord[], kind: RosterRecord['kind']) => records.filter((r) => r.kind === kind).length;

describe('OneRoster CSV: real public dataset (catalyst/moodle-enrol_oneroster)', () => {
  it('R-C1, R-C5: 1.2 folder — people, classes, enrollments and staff match the files', async () => {
    const dir = join(fixtures, 'catalyst-v1p2');
    const source = new OneRosterCsvSource({ kind: 'oneroster-csv', path: dir, pageSize: 2 });
    const [users, classes, enrollments, roles] = await Promise.all(['users', 'classes', 'enrollments', 'roles'].map((f) => rows(join(dir, `${f}.csv`))));
    const schools = await source.listSchools();
    expect(schools).toEqual([{ externalId: 'org-sch-222-456', name: 'History Department' }]);

    const pages = await readAll(source, 'org-sch-222-456');
    expect(pages.length).toBeGreaterThan(3);
    const got = pages.flatMap((p) => p.records);
    const deletedClasses = new Set(classes!.filter((c) => c.status === 'tobedeleted').map((c) => c.sourcedId));
    expect(count(got, 'person')).toBe(users!.filter((u) => u.status !== 'tobedeleted' && u.enabledUser !== 'FALSE').length);
    expect(count(got, 'class')).toBe(classes!.length - deletedClasses.size);
    const students = enrollments!.filter((e) => e.role === 'student');
    expect(got.filter((r) => r.kind === 'enrollment' && r.status === 'active').length).toBe(students.filter((e) => !deletedClasses.has(e.classSourcedId!)).length);
    expect(got.filter((r) => r.kind === 'enrollment' && r.status === 'expelled').length).toBe(students.filter((e) => deletedClasses.has(e.classSourcedId!)).length);
    const primary = new Map<string, string>();
    for (const r of roles!) if (!primary.has(r.userSourcedId!) || r.roleType === 'primary') primary.set(r.userSourcedId!, r.role!);
    expect(count(got, 'staff')).toBe([...primary.values()].filter((r) => ['teacher', 'siteAdministrator', 'administrator', 'aide'].includes(r)).length);
    expect(count(got, 'teaching')).toBe(enrollments!.filter((e) => e.role === 'teacher' && !deletedClasses.has(e.classSourcedId!)).length);
    expect(got).toContainEqual({ kind: 'staff', personId: 'usr-222-1234561', role: 'admin', status: 'employed' });
  });

  it('R-C1: 1.1 .zip — read straight from the archive, guardians from parent rows', async () => {
    const source = new OneRosterCsvSource({ kind: 'oneroster-csv', path: join(fixtures, 'catalyst-v1p1', 'Test_full_data_set.zip'), pageSize: 4 });
    const got = (await readAll(source, 'org-sch-222-456')).flatMap((p) => p.records);
    expect(count(got, 'person')).toBe(6);
    expect(got).toContainEqual({ kind: 'guardianship', parentId: 'usr-222-1234561', childId: 'usr-222-66778899' });
    expect(got).toContainEqual({ kind: 'class', externalId: 'cls-222-123456', name: 'Introduction to Physics', grade: 9 });
    expect(got).toContainEqual({ kind: 'teaching', teacherId: 'usr-222-123456', subjectId: 'crs-222-2023-456-12345', classId: 'cls-222-123456' });
    expect(count(got, 'enrollment')).toBe(4);
  });

  it('R-C1: a broken export names file, row and column (Russian by default, English on request)', async () => {
    const model = RosterModel.generate({ seed: 9 });
    const dir = await mkdtemp(join(tmpdir(), 'oneroster-bad-'));
    try {
      await writeOneRosterCsv(model, dir);
      const file = join(dir, 'enrollments.csv');
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines[3] = lines[3]!.replace(/^([^,]*),([^,]*),/, '$1,no-such-class,');
      await import('node:fs/promises').then((fs) => fs.writeFile(file, lines.join('\n')));
      const err = await readAll(new OneRosterCsvSource({ kind: 'oneroster-csv', path: dir }), [...model.schools.keys()][0]!).catch((e: unknown) => e);
      expect(isJournalSourceError(err, 'bad-data')).toBe(true);
      if (!isJournalSourceError(err)) return;
      expect(err.detail).toMatchObject({ file: 'enrollments.csv', row: 4, column: 'classSourcedId', value: 'no-such-class' });
      expect(err.message).toBe('файл enrollments.csv, строка 4, столбец «classSourcedId»: ссылка на неизвестную запись (значение «no-such-class»).');
      expect(err.text('en')).toBe('file enrollments.csv, row 4, column "classSourcedId": a reference to an unknown record (value "no-such-class").');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('issue 7: broken exports are refused naming file, row and column', () => {
    /** A generated export with one file changed by `corrupt`; the read's error, or undefined if it read. */
    async function readBroken(file: string, corrupt: (bytes: Buffer) => Buffer): Promise<unknown> {
      const model = RosterModel.generate({ seed: 9 });
      const dir = await mkdtemp(join(tmpdir(), 'oneroster-bad-'));
      try {
        await writeOneRosterCsv(model, dir);
        await writeFile(join(dir, file), corrupt(await readFile(join(dir, file))));
        await readAll(new OneRosterCsvSource({ kind: 'oneroster-csv', path: dir }), [...model.schools.keys()][0]!);
        return undefined;
      } catch (e) {
        return e;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    const lines = (b: Buffer) => b.toString('utf8').split('\n');

    it('an export saved as Windows-1251 is refused at its first non-UTF-8 line, not read as mojibake', async () => {
      const err = await readBroken('users.csv', (b) => {
        const l = lines(b);
        // «Иванов» in Windows-1251: one byte per letter, none of them valid UTF-8 here.
        l[5] = l[5]!.replace(/^([^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,)[^,]*/, '$1\u0000');
        const [before, after] = l.join('\n').split('\u0000');
        return Buffer.concat([Buffer.from(before!), Buffer.from([0xc8, 0xe2, 0xe0, 0xed, 0xee, 0xe2]), Buffer.from(after!)]);
      });
      expect(isJournalSourceError(err, 'bad-data')).toBe(true);
      if (!isJournalSourceError(err)) return;
      expect(err.detail).toMatchObject({ problem: 'bad-encoding', file: 'users.csv', row: 6 });
      expect(err.message).toBe('файл users.csv, строка 6: текст не в кодировке UTF-8 (сохраните выгрузку как «CSV UTF-8»).');
      expect(err.text('en')).toMatch(/^file users\.csv, row 6: the text is not UTF-8/);
    });

    it('a required column missing from the header is named', async () => {
      const err = await readBroken('users.csv', (b) => {
        const l = lines(b);
        l[0] = l[0]!.replace('familyName', 'surname');
        return Buffer.from(l.join('\n'));
      });
      expect(isJournalSourceError(err, 'bad-data')).toBe(true);
      if (!isJournalSourceError(err)) return;
      expect(err.detail).toMatchObject({ problem: 'missing-column', file: 'users.csv', row: 1, column: 'familyName' });
      expect(err.message).toBe('файл users.csv, строка 1, столбец «familyName»: нет обязательного столбца.');
    });

    it('one sourcedId used for two different people is refused naming both rows; an identical repeated row is not', async () => {
      let duplicated = '';
      const err = await readBroken('users.csv', (b) => {
        const l = lines(b);
        // Row 3 (a user of the school read) takes the id of row 2, with its own name.
        const firstId = l[1]!.split(',')[0]!;
        duplicated = firstId;
        l[2] = l[2]!.replace(/^[^,]*/, firstId);
        return Buffer.from(l.join('\n'));
      });
      expect(isJournalSourceError(err, 'bad-data')).toBe(true);
      if (!isJournalSourceError(err)) return;
      expect(err.detail).toMatchObject({ problem: 'duplicate-id', file: 'users.csv', row: 3, column: 'sourcedId', value: duplicated, firstRow: 2 });
      expect(err.message).toBe(`файл users.csv, строка 3, столбец «sourcedId»: этот идентификатор уже встречался с другими данными (значение «${duplicated}»), впервые в строке 2.`);
      const copied = await readBroken('users.csv', (b) => {
        const l = lines(b);
        l.splice(3, 0, l[2]!);
        return Buffer.from(l.join('\n'));
      });
      expect(copied).toBeUndefined();
    });
  });
});
