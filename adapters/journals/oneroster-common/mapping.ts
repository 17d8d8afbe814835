// OneRoster (1.1 / 1.2) rows → roster records, shared by the CSV and REST adapters.
// Russian schools put students in a homeroom class ("1А"); subject teaching is a `scheduled` class
// (section) of a course (the subject) that names its homeroom in `metadata.ru.homeroomSourcedId`.
// A section without that link stands for its own class, so sites that roster only sections still
// get chats.
import { gradeFromClassName, type RosterRecord } from '../port.js';

export interface OrUser {
  sourcedId: string;
  status: string;
  enabledUser: boolean;
  /** The primary role (1.1's one `role`). */
  role: string;
  /**
   * Every role the user holds (1.2: `roles` / roles.csv), the primary one included or not: a teacher
   * who is also a parent is both (issue 16 item 5).
   */
  roles?: string[];
  givenName: string;
  familyName: string;
  middleName?: string;
  email?: string;
  phone?: string;
  agentSourcedIds: string[];
  birthDate?: string;
}
export interface OrClass {
  sourcedId: string;
  status: string;
  title: string;
  classType: string;
  grades: string[];
  courseSourcedId?: string;
  subjects: string[];
  homeroomSourcedId?: string;
}
export interface OrCourse { sourcedId: string; status: string; title: string; courseCode?: string }
export interface OrEnrollment { sourcedId: string; status: string; classSourcedId: string; userSourcedId: string; role: string; primary: boolean }

/** What enrollments need to know about their class. */
export type ClassIndexEntry =
  | { role: 'homeroom'; deleted: boolean }
  | { role: 'section'; deleted: boolean; homeroomId: string; subjectId: string }
  | { role: 'standalone'; deleted: boolean; subjectId: string };

/** Courses our exporter writes for homerooms carry this code; they are not subjects. */
export const HOMEROOM_COURSE_CODE = 'homeroom';
export const HOMEROOM_METADATA = 'metadata.ru.homeroomSourcedId';

/** OneRoster 1.1 and 1.2 roles of staff (1.1's `administrator` is 1.2's principal / siteAdministrator). */
export const STAFF_ROLES: Record<string, 'teacher' | 'staff' | 'admin'> = {
  teacher: 'teacher',
  administrator: 'admin',
  principal: 'admin',
  siteAdministrator: 'admin',
  districtAdministrator: 'admin',
  systemAdministrator: 'admin',
  aide: 'staff',
  counselor: 'staff',
  proctor: 'staff',
};
export const GUARDIAN_ROLES: ReadonlySet<string> = new Set(['parent', 'guardian', 'relative']);

/** 1.0 used `inactive`; 1.1+ `tobedeleted`. Both end the fact. */
export function isDeleted(status: string): boolean {
  return status === 'tobedeleted' || status === 'inactive';
}

/** Every role of the user, the primary first. */
export function rolesOf(u: Pick<OrUser, 'role' | 'roles'>): string[] {
  return [...new Set([u.role, ...(u.roles ?? [])].filter((r) => r !== ''))];
}

/** The staff role among the user's roles: the primary one when it is staff, else the first staff one. */
function staffRoleOf(u: OrUser): 'teacher' | 'staff' | 'admin' | undefined {
  for (const r of rolesOf(u)) if (STAFF_ROLES[r]) return STAFF_ROLES[r];
  return undefined;
}

export function userRecords(u: OrUser): RosterRecord[] {
  const gone = isDeleted(u.status) || !u.enabledUser;
  const staffRole = staffRoleOf(u);
  const out: RosterRecord[] = [];
  if (!gone) {
    const person: Extract<RosterRecord, { kind: 'person' }> = { kind: 'person', externalId: u.sourcedId, lastName: u.familyName, firstName: u.givenName };
    if (u.middleName) person.middleName = u.middleName;
    if (u.birthDate) person.birthDate = u.birthDate;
    if (u.phone) person.phone = u.phone;
    if (u.email) person.email = u.email;
    out.push(person);
  }
  if (staffRole) out.push({ kind: 'staff', personId: u.sourcedId, role: staffRole, status: gone ? 'dismissed' : 'employed' });
  if (!gone && rolesOf(u).some((r) => GUARDIAN_ROLES.has(r))) {
    for (const child of u.agentSourcedIds) out.push({ kind: 'guardianship', parentId: u.sourcedId, childId: child });
  }
  return out;
}

function subjectOf(c: OrClass): { id: string; name: string } {
  return { id: c.courseSourcedId || `class:${c.sourcedId}`, name: c.subjects[0] || c.title };
}

export function classIndexEntry(c: OrClass): ClassIndexEntry {
  const deleted = isDeleted(c.status);
  if (c.classType.toLowerCase() === 'homeroom') return { role: 'homeroom', deleted };
  const subjectId = subjectOf(c).id;
  return c.homeroomSourcedId ? { role: 'section', deleted, homeroomId: c.homeroomSourcedId, subjectId } : { role: 'standalone', deleted, subjectId };
}

/**
 * `courseTitles` (when the source has courses) gives subject names; without it a standalone section
 * names its subject from its `subjects` column.
 */
export function classRecords(c: OrClass, hasCourses: boolean): RosterRecord[] {
  const entry = classIndexEntry(c);
  if (entry.deleted || entry.role === 'section') return [];
  const grade = c.grades.map((g) => Number.parseInt(g, 10)).find((g) => Number.isInteger(g) && g >= 0 && g <= 12);
  const cls: RosterRecord = { kind: 'class', externalId: c.sourcedId, name: c.title, grade: grade ?? gradeFromClassName(c.title) };
  if (entry.role === 'homeroom' || hasCourses) return [cls];
  const subject = subjectOf(c);
  return [cls, { kind: 'subject', externalId: subject.id, name: subject.name }];
}

export function courseRecords(c: OrCourse): RosterRecord[] {
  if (isDeleted(c.status) || c.courseCode === HOMEROOM_COURSE_CODE) return [];
  return [{ kind: 'subject', externalId: c.sourcedId, name: c.title }];
}

/** `undefined` class: the enrollment points at a class the source does not have. */
export function enrollmentRecords(e: OrEnrollment, cls: ClassIndexEntry | undefined): RosterRecord[] | undefined {
  if (!cls) return undefined;
  const ended = isDeleted(e.status) || cls.deleted;
  if (e.role === 'student') {
    if (cls.role === 'section') return [];
    return [{ kind: 'enrollment', studentId: e.userSourcedId, classId: e.classSourcedId, status: ended ? 'expelled' : 'active' }];
  }
  if (e.role !== 'teacher' || ended) return [];
  if (cls.role === 'homeroom') return [{ kind: 'class-teacher', classId: e.classSourcedId, teacherId: e.userSourcedId }];
  const classId = cls.role === 'section' ? cls.homeroomId : e.classSourcedId;
  return [{ kind: 'teaching', teacherId: e.userSourcedId, subjectId: cls.subjectId, classId }];
}
