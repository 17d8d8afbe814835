// Dnevnik.ru partner API (/v2/, `Access-Token` header) over the roster model: the school, group,
// teacher and relatives endpoints a roster read needs. Lists are unpaged, as upstream.
import { randomUUID } from 'node:crypto';
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

export interface DnevnikSimOptions {
  /** The hub's partner token (the nightly read). */
  token: string;
  /**
   * People's own Dnevnik accounts and the hub's OAuth client (R-L5 sign-in): `/oauth2` is the sign-in
   * page (login and password arrive as query parameters, the answer is the 302 back with code and
   * state), `/v2/authorizations` exchanges the code, `/v2/users/me` answers for the token's owner.
   */
  oauth?: { clientId: string; clientSecret: string; people: Map<string, { password: string; personId: string }> };
}

export async function startDnevnikSimulator(model: RosterModel, opts: DnevnikSimOptions, faults = new FaultPlan()): Promise<RunningSim> {
  const codes = new Map<string, { personId: string; redirectUri: string }>();
  const userTokens = new Map<string, string>();
  return startSim((req) => {
    const path = req.url.pathname;
    const oauth = opts.oauth;
    if (oauth && path === '/oauth2') {
      const q = req.url.searchParams;
      const account = oauth.people.get(q.get('login') ?? '');
      if (q.get('client_id') !== oauth.clientId || q.get('response_type') !== 'code') return { status: 400, json: { type: 'invalidRequest' } };
      if (!account || account.password !== q.get('password')) return { status: 401, json: { type: 'authorizationFailed' } };
      const code = randomUUID();
      codes.set(code, { personId: account.personId, redirectUri: q.get('redirect_uri') ?? '' });
      const back = new URL(q.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state') ?? '');
      return { status: 302, headers: { location: back.toString() } };
    }
    if (oauth && path === '/v2/authorizations' && req.method === 'POST') {
      const body = JSON.parse(req.body || '{}') as Record<string, string>;
      const grant = codes.get(body.code ?? '');
      codes.delete(body.code ?? '');
      if (body.client_id !== oauth.clientId || body.client_secret !== oauth.clientSecret) return { status: 401, json: { type: 'authorizationFailed' } };
      if (!grant || body.grant_type !== 'AuthorizationCode' || (body.redirect_uri && body.redirect_uri !== grant.redirectUri)) return { status: 400, json: { type: 'invalidGrant' } };
      const accessToken = randomUUID();
      userTokens.set(accessToken, grant.personId);
      return { json: { accessToken, expiresIn: 3600, user: Number(userIdOf(grant.personId)), scope: 'CommonInfo' } };
    }
    const owner = userTokens.get(String(req.headers['access-token'] ?? ''));
    if (owner !== undefined) {
      if (path !== '/v2/users/me') return { status: 403, json: { type: 'apiAccessForbidden' } };
      const roles = model.childrenOf(owner).length ? ['EduParent'] : model.staff.has(owner) ? ['EduStaff'] : ['EduStudent'];
      return { json: { id: Number(userIdOf(owner)), id_str: userIdOf(owner), personId: Number(owner), personId_str: owner, roles } };
    }
    if (req.headers['access-token'] !== opts.token) return { status: 401, json: { type: 'authorizationFailed', description: 'Invalid access token' } };
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
