// Writes the roster model as an ESH export folder (conformance suite, dev stack).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCsv } from '../csv-write.js';
import type { RosterModel } from '../testing/roster-model.js';
import { ESH_FILES } from './format.js';

const ruDate = (iso: string | undefined) => (iso ? iso.split('-').reverse().join('.') : '');
const invert = <T extends Record<string, string>>(o: T) => Object.fromEntries(Object.entries(o).map(([k, v]) => [v, k]));
const STUDENT = { active: 'обучается', expelled: 'выбыл' };
const STAFF = { employed: 'работает', dismissed: 'уволен' };
const ROLE = invert({ учитель: 'teacher', сотрудник: 'staff', администратор: 'admin' });

export async function writeEshExport(model: RosterModel, dir: string, opts: { duplicate?: boolean } = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  const o = { delimiter: ';', duplicate: opts.duplicate };
  const schools = [...model.schools.values()];
  const all = <T>(f: (schoolId: string) => T[]) => schools.flatMap((s) => f(s.id));
  const F = ESH_FILES;
  await writeCsv(join(dir, F.schools.file), F.schools.columns, schools.map((s) => [s.id, s.name]), o);
  await writeCsv(join(dir, F.classes.file), F.classes.columns, all((s) => model.classesOf(s).map((c) => [s, c.id, c.name, c.grade])), o);
  await writeCsv(join(dir, F.subjects.file), F.subjects.columns, all((s) => model.subjectsOf(s).map((x) => [s, x.id, x.name])), o);
  await writeCsv(join(dir, F.people.file), F.people.columns, [...model.persons.values()].map((p) => [p.schoolId, p.id, p.lastName, p.firstName, p.middleName, ruDate(p.birthDate), p.phone, p.email]), o);
  await writeCsv(join(dir, F.students.file), F.students.columns, all((s) => model.enrollmentsOf(s, { includeExpelled: true }).map((e) => [s, e.studentId, e.classId, STUDENT[e.status]])), o);
  await writeCsv(join(dir, F.staff.file), F.staff.columns, all((s) => model.staffOf(s, { includeDismissed: true }).map((x) => [s, x.personId, ROLE[x.role], STAFF[x.status]])), o);
  await writeCsv(join(dir, F.teaching.file), F.teaching.columns, all((s) => model.teachingOf(s).map((t) => [s, t.teacherId, t.subjectId, t.classId])), o);
  await writeCsv(join(dir, F.classTeachers.file), F.classTeachers.columns, [...model.classTeachers.values()].map((c) => [c.schoolId, c.classId, c.teacherId]), o);
  await writeCsv(join(dir, F.guardians.file), F.guardians.columns, all((s) => model.guardianshipsOf(s).map((g) => [s, g.parentId, g.childId])), o);
}
