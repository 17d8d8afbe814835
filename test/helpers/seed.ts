// Scenario-named seed helpers: the arrange step of a test reads like the story.
import type { Principal } from '../../api/auth.js';
import { insertClass, insertSchool, type School, type SchoolClass } from '../../db/repositories/schools.js';
import { insertPerson, type Person } from '../../db/repositories/people.js';
import type { Queryable } from '../../infra/postgres.js';

export interface SchoolWithClasses {
  school: School;
  classes: Record<string, SchoolClass>;
  admin: Principal;
  teacherOf: (className: string) => Principal;
}

export async function seedSchool(
  db: Queryable,
  opts: { name?: string; settlement?: string; region?: string; timezone?: string; classes?: string[] } = {},
): Promise<SchoolWithClasses> {
  const school = await insertSchool(db, {
    name: opts.name ?? 'МБОУ СОШ № 1',
    settlement: opts.settlement ?? 'Казань',
    region: opts.region ?? '16',
    timezone: opts.timezone ?? 'Europe/Moscow',
  });
  const classes: Record<string, SchoolClass> = {};
  for (const name of opts.classes ?? ['1А', '5Б']) {
    classes[name] = await insertClass(db, { schoolId: school.id, name, grade: Number.parseInt(name, 10) || null });
  }
  return {
    school,
    classes,
    admin: { sub: `admin-${school.id}`, role: 'school_admin', schools: [school.id], classes: [] },
    teacherOf: (className) => ({
      sub: `teacher-${className}-${school.id}`,
      role: 'class_teacher',
      schools: [school.id],
      classes: [classes[className]!.id],
    }),
  };
}

let phoneCounter = 0;
/** A unique Russian mobile number per call, so tests never collide on people.phone. */
export const uniquePhone = (): string => `+7900${String(process.pid % 1000).padStart(3, '0')}${String(++phoneCounter).padStart(4, '0')}`;

/** A signed-up person (what the signup journey leaves behind), and the principal they act as. */
export async function seedPerson(
  db: Queryable,
  opts: { firstName?: string; lastName?: string; birthDate?: string | null; phone?: string | null; email?: string } = {},
): Promise<{ person: Person; as: Principal }> {
  const person = await insertPerson(db, {
    phone: opts.phone === undefined ? uniquePhone() : opts.phone,
    email: opts.email ?? null,
    firstName: opts.firstName ?? 'Иван',
    lastName: opts.lastName ?? 'Петров',
    birthDate: opts.birthDate === undefined ? '1990-05-01' : opts.birthDate,
  });
  return { person, as: { sub: person.id, role: 'person', schools: [], classes: [] } };
}

/** A birth date that makes someone `years` old today, `days` days past their birthday. */
export function birthDateForAge(years: number, days = 10): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() - days);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  return d.toISOString().slice(0, 10);
}
