// The roster model as a OneRoster provider would publish it: used by the REST simulator and by the
// CSV writer the conformance suite exports with. `includeDeleted` adds `tobedeleted` rows, as a
// delta does; a bulk export leaves them out.
import type { RosterModel } from '../testing/roster-model.js';
import { HOMEROOM_COURSE_CODE, type OrClass, type OrCourse, type OrEnrollment, type OrUser } from './mapping.js';

export interface Stamped { dateLastModified: number; schoolSourcedId: string }
export interface OneRosterView {
  orgs: Array<{ sourcedId: string; status: string; name: string; type: string; dateLastModified: number }>;
  courses: Array<OrCourse & Stamped>;
  classes: Array<OrClass & Stamped>;
  users: Array<OrUser & Stamped>;
  enrollments: Array<OrEnrollment & Stamped>;
}

export const homeroomCourseId = (schoolId: string) => `hr-${schoolId}`;
export const sectionId = (classId: string, subjectId: string) => `sec-${classId}-${subjectId}`;

export function oneRosterView(model: RosterModel, opts: { includeDeleted: boolean }): OneRosterView {
  const view: OneRosterView = { orgs: [], courses: [], classes: [], users: [], enrollments: [] };
  for (const school of model.schools.values()) {
    const s = school.id;
    const classes = model.classesOf(s);
    const first = Math.min(...classes.map((c) => c.modifiedAt));
    view.orgs.push({ sourcedId: s, status: 'active', name: school.name, type: 'school', dateLastModified: first });
    view.courses.push({ sourcedId: homeroomCourseId(s), status: 'active', title: 'Классное руководство', courseCode: HOMEROOM_COURSE_CODE, dateLastModified: first, schoolSourcedId: s });
    for (const sub of model.subjectsOf(s)) view.courses.push({ sourcedId: sub.id, status: 'active', title: sub.name, dateLastModified: sub.modifiedAt, schoolSourcedId: s });
    const subjectName = new Map(model.subjectsOf(s).map((x) => [x.id, x.name]));
    for (const c of classes) {
      view.classes.push({ sourcedId: c.id, status: 'active', title: c.name, classType: 'homeroom', grades: [String(c.grade).padStart(2, '0')], courseSourcedId: homeroomCourseId(s), subjects: [], dateLastModified: c.modifiedAt, schoolSourcedId: s });
    }
    const sections = new Set<string>();
    for (const t of model.teachingOf(s)) {
      const cls = model.classes.get(t.classId)!;
      const id = sectionId(t.classId, t.subjectId);
      if (!sections.has(id)) {
        sections.add(id);
        const name = subjectName.get(t.subjectId) ?? '';
        view.classes.push({ sourcedId: id, status: 'active', title: `${cls.name} - ${name}`, classType: 'scheduled', grades: [String(cls.grade).padStart(2, '0')], courseSourcedId: t.subjectId, subjects: [name], homeroomSourcedId: t.classId, dateLastModified: cls.modifiedAt, schoolSourcedId: s });
      }
      view.enrollments.push({ sourcedId: `enr-t-${t.teacherId}-${id}`, status: 'active', classSourcedId: id, userSourcedId: t.teacherId, role: 'teacher', primary: true, dateLastModified: t.modifiedAt, schoolSourcedId: s });
    }
    for (const ct of model.classTeachers.values()) {
      if (ct.schoolId !== s) continue;
      view.enrollments.push({ sourcedId: `enr-ct-${ct.teacherId}-${ct.classId}`, status: 'active', classSourcedId: ct.classId, userSourcedId: ct.teacherId, role: 'teacher', primary: true, dateLastModified: ct.modifiedAt, schoolSourcedId: s });
    }
    for (const e of model.enrollmentsOf(s, { includeExpelled: opts.includeDeleted })) {
      view.enrollments.push({ sourcedId: `enr-${e.studentId}-${e.classId}`, status: e.status === 'active' ? 'active' : 'tobedeleted', classSourcedId: e.classId, userSourcedId: e.studentId, role: 'student', primary: false, dateLastModified: e.modifiedAt, schoolSourcedId: s });
    }
    const user = (id: string, role: string, stamps: number[], status: string, agents: string[]): OrUser & Stamped => {
      const p = model.persons.get(id)!;
      return {
        sourcedId: id, status, enabledUser: true, role, givenName: p.firstName, familyName: p.lastName, middleName: p.middleName,
        email: p.email, phone: p.phone, birthDate: p.birthDate, agentSourcedIds: agents,
        dateLastModified: Math.max(p.modifiedAt, ...stamps), schoolSourcedId: s,
      };
    };
    const roleName = { teacher: 'teacher', admin: 'administrator', staff: 'aide' } as const;
    for (const st of model.staffOf(s, { includeDismissed: opts.includeDeleted })) {
      view.users.push(user(st.personId, roleName[st.role], [st.modifiedAt], st.status === 'employed' ? 'active' : 'tobedeleted', []));
    }
    const students = new Set(model.enrollmentsOf(s, { includeExpelled: true }).map((e) => e.studentId));
    for (const id of students) view.users.push(user(id, 'student', [], 'active', model.guardiansOf(id).map((g) => g.parentId)));
    for (const p of model.parentsOf(s)) {
      const kids = model.childrenOf(p.id);
      view.users.push(user(p.id, 'parent', kids.map((g) => g.modifiedAt), 'active', kids.map((g) => g.childId)));
    }
  }
  return view;
}
