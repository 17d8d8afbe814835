// Dnevnik.ru partner API (/v2/, `Access-Token` header) over the roster model: the school, group,
// teacher and relatives endpoints a roster read needs. Lists are unpaged, as upstream.
import type { ModelPerson, RosterModel } from '../testing/roster-model.js';
import { FaultPlan, maybeDuplicate, startSim, type RunningSim } from '../testing/sim-server.js';

/** Dnevnik tells users (accounts) and persons apart; the simulator derives one from the other. */
export const userIdOf = (personId: string) => String(Number(personId) + 1_000_000);
export const personIdOfUser = (userId: string) => String(Number(userId) - 1_000_000);

function person(p: ModelPerson) {
  return {
    id: Number(p.id), id_str: p.id, userId: Number(userIdOf(p.id)), userId_str: userIdOf(p.id),
    shortName: `${p.lastName} ${p.firstName.charAt(0)}.`, lastName: p.lastName, firstName: p.firstName,
    middleName: p.middleName ?? null, sex: null, birthday: p.birthDate ? `${p.birthDate}T00:00:00` : null,
  };
}

export async function startDnevnikSimulator(model: RosterModel, opts: { token: string }, faults = new FaultPlan()): Promise<RunningSim> {
  return startSim((req) => {
    if (req.headers['access-token'] !== opts.token) return { status: 401, json: { type: 'authorizationFailed', description: 'Invalid access token' } };
    const path = req.url.pathname;
    const list = (rows: unknown[]) => ({ json: maybeDuplicate(req, rows) });
    const persons = (ids: string[]) => list(ids.map((id) => person(model.persons.get(id)!)));
    let m: RegExpExecArray | null;
    if (path === '/v2/users/me/schools') return list([...model.schools.keys()].map(Number));
    if (path === '/v2/schools') {
      const ids = req.url.searchParams.getAll('schools');
      return list(ids.filter((id) => model.schools.has(id)).map((id) => ({ id: Number(id), name: model.schools.get(id)!.name })));
    }
    if ((m = /^\/v2\/schools\/(\d+)\/(edu-groups|subjects|teachers|membership)$/.exec(path))) {
      const [, school, what] = m as unknown as [string, string, string];
      if (!model.schools.has(school)) return { status: 404, json: { type: 'resourceNotFound' } };
      if (what === 'edu-groups') return list(model.classesOf(school).map((c) => ({ id: Number(c.id), id_str: c.id, name: c.name, parallel: c.grade, type: 'Group', status: 'Active' })));
      if (what === 'subjects') return list(model.subjectsOf(school).map((s) => ({ id: Number(s.id), id_str: s.id, name: s.name })));
      if (what === 'teachers') return persons(model.staffOf(school).filter((s) => s.role === 'teacher').map((s) => s.personId));
      const type = req.url.searchParams.get('schoolMembershipType');
      const role = type === 'Admins' ? 'admin' : type === 'Staff' ? 'staff' : undefined;
      return persons(model.staffOf(school).filter((s) => s.role === role).map((s) => s.personId));
    }
    if ((m = /^\/v2\/edu-groups\/(\d+)\/(students|teachers|classteacher)$/.exec(path))) {
      const [, group, what] = m as unknown as [string, string, string];
      const cls = model.classes.get(group);
      if (!cls) return { status: 404, json: { type: 'resourceNotFound' } };
      if (what === 'students') return persons(model.enrollmentsOf(cls.schoolId, { classId: group }).map((e) => e.studentId));
      if (what === 'teachers') {
        const bySubject = new Map<string, string[]>();
        for (const t of model.teachingOf(cls.schoolId, group)) bySubject.set(t.teacherId, [...(bySubject.get(t.teacherId) ?? []), t.subjectId]);
        return list([...bySubject].map(([teacher, subjects]) => ({ teacher: Number(teacher), teacher_str: teacher, subjects: subjects.map(Number) })));
      }
      const ct = model.classTeachers.get(group);
      return ct ? { json: person(model.persons.get(ct.teacherId)!) } : { status: 204 };
    }
    if ((m = /^\/v2\/users\/(\d+)\/relatives$/.exec(path))) {
      const child = personIdOfUser(m[1]!);
      if (!model.persons.has(child)) return { status: 404, json: { type: 'resourceNotFound' } };
      return list(model.guardiansOf(child).map((g) => ({ relativeType: 'Parent', person: person(model.persons.get(g.parentId)!) })));
    }
    return { status: 404, json: { type: 'resourceNotFound' } };
  }, faults);
}
