// Scenario-named seed helpers: the arrange step of a test reads like the story.
import type { Principal } from '../../api/auth.js';
import { insertClass, insertSchool, type School, type SchoolClass } from '../../db/repositories/schools.js';
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
