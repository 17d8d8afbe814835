// A regional export (many schools in one set of files) is split once per version into per-school
// files: a school's read then streams its share, and gives exactly the records and errors the
// whole-export read gives.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAll } from '../../../test/conformance/journal-source.conformance.js';
import { isJournalSourceError } from '../errors.js';
import { RosterModel } from '../testing/roster-model.js';
import { OneRosterCsvSource } from './adapter.js';
import { writeOneRosterCsv } from './export.js';

let dir: string;
let root: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oneroster-region-'));
  root = await mkdtemp(join(tmpdir(), 'oneroster-split-root-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
});

const splitSource = (pageSize = 50) => new OneRosterCsvSource({ kind: 'oneroster-csv', path: dir, pageSize }, { splitRoot: root });
const wholeSource = (pageSize = 50) => new OneRosterCsvSource({ kind: 'oneroster-csv', path: dir, pageSize }, { split: false });

/** The records of a read, or the error's detail. */
async function outcome(source: OneRosterCsvSource, school: string): Promise<unknown> {
  try {
    return { records: (await readAll(source, school)).flatMap((p) => p.records) };
  } catch (e) {
    if (!isJournalSourceError(e)) throw e;
    return { error: e.detail };
  }
}

/** Every school read split gives what the whole-export read gives (records in the same order). */
async function expectSameAsWhole(schools: readonly string[]): Promise<unknown[]> {
  const got: unknown[] = [];
  for (const school of schools) {
    const whole = await outcome(wholeSource(), school);
    expect(await outcome(splitSource(), school), `school ${school}`).toEqual(whole);
    got.push(whole);
  }
  return got;
}

const splits = async () => (await readdir(root)).filter((n) => !n.includes('.tmp-'));

async function editLines(file: string, edit: (lines: string[]) => void): Promise<void> {
  const lines = (await readFile(join(dir, file), 'utf8')).split('\n');
  edit(lines);
  await writeFile(join(dir, file), lines.join('\n'));
}

describe('OneRoster CSV: a regional export is split per school', () => {
  it('R-C1..R-C4: the second read of one school of five parses about its share of the rows, not the whole export', async () => {
    const model = RosterModel.generate({ seed: 11, schools: 5, grades: 3 });
    await writeOneRosterCsv(model, dir);
    const school = [...model.schools.keys()][2]!;

    const whole = wholeSource();
    await readAll(whole, school);
    const wholeRows = whole.stats.rows;

    const source = splitSource();
    const first = (await readAll(source, school)).flatMap((p) => p.records);
    source.stats.rows = 0;
    const again = (await readAll(source, school)).flatMap((p) => p.records);
    expect(again).toEqual(first);
    // A fifth of the export (the school's rows) plus the few rows every school sees.
    expect(source.stats.rows).toBeGreaterThan(0);
    expect(source.stats.rows).toBeLessThan(wholeRows / 4);
    expect(await splits()).toHaveLength(1);
  });

  it('R-C1..R-C4: every school reads exactly the records of the whole-export read, also from a checkpoint and with `since`', async () => {
    const model = RosterModel.generate({ seed: 12, schools: 5 });
    await writeOneRosterCsv(model, dir);
    const schools = [...model.schools.keys()];
    const got = await expectSameAsWhole([...schools, 'no-such-school']);
    expect((got[0] as { records: unknown[] }).records.length).toBeGreaterThan(10);

    // Resuming from a checkpoint of the split read continues in the school's split files.
    const pages = await readAll(splitSource(7), schools[1]!);
    const cut = Math.floor(pages.length / 2);
    const rest = await readAll(splitSource(7), schools[1]!, { checkpoint: pages[cut]!.checkpoint });
    expect(rest.flatMap((p) => p.records)).toEqual(pages.slice(cut + 1).flatMap((p) => p.records));

    const since = new Date(Date.now() - 60_000).toISOString();
    for (const school of schools.slice(0, 2)) {
      expect((await readAll(splitSource(), school, { since })).flatMap((p) => p.records)).toEqual((await readAll(wholeSource(), school, { since })).flatMap((p) => p.records));
    }
  });

  it('R-C1..R-C4: a changed export is split again and read fresh; the old split is removed', async () => {
    const model = RosterModel.generate({ seed: 13, schools: 3 });
    await writeOneRosterCsv(model, dir);
    const school = [...model.schools.keys()][1]!;
    const source = splitSource();
    await readAll(source, school);
    const before = await splits();
    expect(before).toHaveLength(1);

    // Rename a person of the school in users.csv (same size: only the contents and mtime differ).
    let renamed = '';
    await editLines('users.csv', (lines) => {
      const i = lines.findIndex((l, n) => n > 0 && l.split(',')[4] === school && l.split(',')[1] === 'active' && l.split(',')[3] === 'TRUE');
      const cells = lines[i]!.split(',');
      renamed = cells[0]!;
      cells[8] = 'Ъ'.repeat([...cells[8]!].length);
      lines[i] = cells.join(',');
    });
    const records = (await readAll(source, school)).flatMap((p) => p.records);
    expect(records).toContainEqual(expect.objectContaining({ kind: 'person', externalId: renamed, firstName: expect.stringMatching(/^Ъ+$/) }));
    const after = await splits();
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
    await expectSameAsWhole([...model.schools.keys()]);
  });

  it('R-C1..R-C4: two concurrent reads of an export not split yet both succeed with the whole-export records', async () => {
    const model = RosterModel.generate({ seed: 14, schools: 4 });
    await writeOneRosterCsv(model, dir);
    const [a, b] = [...model.schools.keys()];
    // A half-written split another process abandoned is not taken for a split.
    await writeFile(join(root, 'x.tmp-0000'), '');
    const [ra, rb, ra2] = await Promise.all([outcome(splitSource(), a!), outcome(splitSource(), b!), outcome(new OneRosterCsvSource({ kind: 'oneroster-csv', path: dir, pageSize: 3 }, { splitRoot: root }), a!)]);
    expect(ra).toEqual(await outcome(wholeSource(), a!));
    expect(rb).toEqual(await outcome(wholeSource(), b!));
    expect(ra2).toEqual(ra);
    expect(await splits()).toHaveLength(1);
  });

  it('R-C1..R-C4: errors of a split read name the original file and row, as the whole-export read does', async () => {
    const model = RosterModel.generate({ seed: 15, schools: 3 });
    const schools = [...model.schools.keys()];
    const cases: Array<[string, (lines: string[]) => void]> = [
      // An enrollment of the second school pointing at no class.
      ['enrollments.csv', (l) => { const i = l.findIndex((x) => x.split(',')[2] === schools[1]); l[i] = l[i]!.replace(/^([^,]*),([^,]*),/, '$1,no-such-class,'); }],
      // Two different people with one id, in the third school.
      ['users.csv', (l) => { const rows = l.map((x, n) => [x, n] as const).filter(([x, n]) => n > 0 && x.split(',')[4] === schools[2]); l[rows[1]![1]] = l[rows[1]![1]]!.replace(/^[^,]*/, rows[0]![0].split(',')[0]!); }],
      // An empty id in a row of the first school fails every school's read (it is read before the school filter).
      ['users.csv', (l) => { const i = l.findIndex((x, n) => n > 0 && x.split(',')[4] === schools[0]); l[i] = l[i]!.replace(/^[^,]*/, ''); }],
      // A required column missing, a short row, an empty title.
      ['classes.csv', (l) => { l[0] = l[0]!.replace('title', 'name'); }],
      ['classes.csv', (l) => { l.splice(4, 0, 'short-row,active'); }],
      ['courses.csv', (l) => { const i = l.findIndex((x) => x.split(',')[7] === schools[2]); const c = l[i]!.split(','); c[4] = ''; l[i] = c.join(','); }],
      // A row of the file that is not CSV.
      ['users.csv', (l) => { l[5] = `"${l[5]}`; }],
      // An enrollment without a school, or naming another school than its class's, and a class id repeated in two schools.
      ['enrollments.csv', (l) => { const i = l.findIndex((x) => x.split(',')[2] === schools[0]); const c = l[i]!.split(','); c[2] = ''; l[i] = c.join(','); const j = l.findIndex((x) => x.split(',')[2] === schools[1]); const d = l[j]!.split(','); d[2] = schools[2]!; l[j] = d.join(','); }],
      ['classes.csv', (l) => { const first = l.findIndex((x) => x.split(',')[9] === schools[0]); const other = l.findLastIndex((x) => x.split(',')[9] === schools[1]); const c = l[other]!.split(','); c[0] = l[first]!.split(',')[0]!; c[7] = 'homeroom'; l.push(c.join(',')); }],
    ];
    for (const [file, edit] of cases) {
      await writeOneRosterCsv(model, dir);
      await editLines(file, edit);
      await expectSameAsWhole(schools);
    }
  });

  it('R-C1..R-C4: a 1.2 export takes a user\'s schools from roles.csv and birth dates from demographics, as the whole-export read does', async () => {
    const csv = (rows: string[][]) => `${rows.map((r) => r.join(',')).join('\n')}\n`;
    const files: Record<string, string[][]> = {
      'manifest.csv': [['propertyName', 'value'], ['oneroster.version', '1.2'], ...['orgs', 'classes', 'users', 'enrollments', 'roles', 'demographics', 'courses'].map((f) => [`file.${f}`, 'bulk'])],
      'orgs.csv': [['sourcedId', 'status', 'name', 'type'], ['s1', 'active', 'One', 'school'], ['s2', 'active', 'Two', 'school'], ['d1', 'active', 'District', 'district']],
      'courses.csv': [['sourcedId', 'status', 'title', 'orgSourcedId'], ['c1', 'active', 'Maths', 's1'], ['c2', 'active', 'Physics', ''], ['c3', 'active', 'Art', 's2']],
      'classes.csv': [['sourcedId', 'status', 'title', 'classType', 'courseSourcedId', 'schoolSourcedId'], ['k1', 'active', '5A', 'homeroom', '', 's1'], ['k2', 'active', '6B', 'homeroom', '', 's2'], ['k3', 'active', 'Maths 5A', 'scheduled', 'c1', 's1'], ['k2', 'active', '6B', 'homeroom', '', 's2'], ['k4', 'active', 'Loose', 'homeroom', '', '']],
      'users.csv': [['sourcedId', 'status', 'enabledUser', 'orgSourcedIds', 'givenName', 'familyName'], ['u1', 'active', 'true', '', 'Ann', 'A'], ['u2', 'active', 'true', 'd1', 'Bob', 'B'], ['u3', 'active', 'true', 's2', 'Cid', 'C'], ['u4', 'active', 'true', 's1,s2', 'Dan', 'D']],
      'roles.csv': [['sourcedId', 'status', 'userSourcedId', 'roleType', 'role', 'orgSourcedId'], ['r1', 'active', 'u1', 'primary', 'student', 's1'], ['r2', 'active', 'u2', 'primary', 'teacher', 's2'], ['r3', 'active', 'u2', 'secondary', 'teacher', 's1'], ['r4', 'tobedeleted', 'u3', 'primary', 'teacher', 's1'], ['r5', 'active', 'u3', 'primary', 'student', ''], ['r6', 'active', 'u4', 'primary', 'teacher', 's1']],
      'demographics.csv': [['sourcedId', 'birthDate'], ['u1', '2012-01-02'], ['u3', '2011-03-04'], ['u1', '2012-01-05'], ['u4', '1980-06-07']],
      'enrollments.csv': [['sourcedId', 'classSourcedId', 'schoolSourcedId', 'userSourcedId', 'role'], ['e1', 'k1', 's1', 'u1', 'student'], ['e2', 'k2', '', 'u3', 'student'], ['e3', 'k3', 's1', 'u2', 'teacher'], ['e4', 'k2', 's1', 'u4', 'teacher'], ['e5', 'k4', 's2', 'u4', 'teacher'], ['e6', 'k1', 's2', 'u3', 'student']],
    };
    for (const [name, rows] of Object.entries(files)) await writeFile(join(dir, name), csv(rows));
    const got = await expectSameAsWhole(['s1', 's2', 'd1']);
    expect(JSON.stringify(got[0])).toContain('2012-01-05');
    expect(await splits()).toHaveLength(1);
  });
});
