// Dnevnik.ru partner API (/v2/, `Access-Token` header) over the roster model: the school, group,
// teacher and relatives endpoints a roster read needs. Lists are unpaged, as upstream. Shapes follow
// the public client's models (README.md; test/contract/dnevnik-shapes.test.ts checks every answer):
// camelCase Person, PascalCase Teacher from `schools/{id}/teachers`, edu-groups typed Group/Subgroup,
// relatives as `{type, person}`, errors as `{type, description}`.
import { randomUUID } from 'node:crypto';
import type { ModelPerson, RosterModel } from '../testing/roster-model.js';
import { FaultPlan, maybeDuplicate, startSim, type RunningSim, type SimReply, type SimRequest } from '../testing/sim-server.js';

/** Dnevnik tells users (accounts) and persons apart; the simulator derives one from the other. */
export const userIdOf = (personId: string) => String(Number(personId) + 1_000_000);
export const personIdOfUser = (userId: string) => String(Number(userId) - 1_000_000);

function person(p: ModelPerson) {
  return {
    id: Number(p.id), id_str: p.id, userId: Number(userIdOf(p.id)), userId_str: userIdOf(p.id),
    shortName: `${p.lastName} ${p.firstName.charAt(0)}.`, lastName: p.lastName, firstName: p.firstName,
    middleName: p.middleName ?? null, sex: null,
  };
}

/** model/user/Teacher.java: PascalCase; `Subjects` is free text (here: the names, comma-separated). */
function teacher(p: ModelPerson, subjectNames: string[]) {
  return {
    Id: Number(p.id), IdStr: p.id, UserId: Number(userIdOf(p.id)), UserIdStr: userIdOf(p.id),
    FirstName: p.firstName, LastName: p.lastName, MiddleName: p.middleName ?? null,
    ShortName: `${p.lastName} ${p.firstName.charAt(0)}.`, Sex: null,
    DateBirth: p.birthDate ? `${p.birthDate}T00:00:00` : null, Email: p.email ?? null,
    Subjects: subjectNames.join(', '), HouseMaster: false, TeachingStaff: true,
  };
}

const failure = (status: number, type: string, description: string) => ({ status, json: { type, description } });

/** A subgroup of a class (e.g. half the class for English): typed `Subgroup`, `parentIds` = [class]. */
export interface SimSubgroup {
  id: string;
  classId: string;
  name: string;
  subjectId: string;
  teacherId: string;
  studentIds: string[];
}

/** Dnevnik's own failures, served before the answer (the shared FaultPlan sends generic JSON). */
export type DnevnikFault =
  | { kind: 'error'; status: number; type: string; description?: string; retryAfterSeconds?: number }
  | { kind: 'html'; status: number; description: string };

export class DnevnikFaults {
  private readonly planned: Array<{ fault: DnevnikFault; times: number; path?: RegExp }> = [];
  inject(fault: DnevnikFault, opts: { times?: number; path?: RegExp } = {}): void {
    this.planned.push({ fault, times: opts.times ?? 1, path: opts.path });
  }
  take(path: string): DnevnikFault | undefined {
    const p = this.planned.find((f) => f.times > 0 && (!f.path || f.path.test(path)));
    if (!p) return undefined;
    p.times--;
    if (p.times === 0) this.planned.splice(this.planned.indexOf(p), 1);
    return p.fault;
  }
}

/** One request and its answer, for contract tests. */
export interface DnevnikExchange {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
  body: unknown;
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
  subgroups?: SimSubgroup[];
  onExchange?: (x: DnevnikExchange) => void;
}

export type DnevnikSim = RunningSim & { vendorFaults: DnevnikFaults };

export async function startDnevnikSimulator(model: RosterModel, opts: DnevnikSimOptions, faults = new FaultPlan()): Promise<DnevnikSim> {
  const codes = new Map<string, { personId: string; redirectUri: string }>();
  const userTokens = new Map<string, string>();
  const vendorFaults = new DnevnikFaults();
  const subgroups = new Map((opts.subgroups ?? []).map((g) => [g.id, g]));
  const handle = (req: SimRequest): SimReply => {
    const path = req.url.pathname;
    const fault = vendorFaults.take(path);
    if (fault?.kind === 'error') {
      return { ...failure(fault.status, fault.type, fault.description ?? fault.type), ...(fault.retryAfterSeconds !== undefined ? { headers: { 'retry-after': String(fault.retryAfterSeconds) } } : {}) };
    }
    if (fault?.kind === 'html') {
      return {
        status: fault.status,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        text: `<!DOCTYPE html><html><head><title>Дневник.ру</title></head><body><div class="error__description"><p>${fault.description}</p></div></body></html>`,
      };
    }
    const oauth = opts.oauth;
    if (oauth && path === '/oauth2') {
      const q = req.url.searchParams;
      const account = oauth.people.get(q.get('login') ?? '');
      if (q.get('client_id') !== oauth.clientId || q.get('response_type') !== 'code') return failure(400, 'invalidRequest', 'Invalid request');
      if (!account || account.password !== q.get('password')) return failure(401, 'authorizationFailed', 'Invalid login or password');
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
      if (body.client_id !== oauth.clientId || body.client_secret !== oauth.clientSecret) return failure(401, 'authorizationFailed', 'Invalid client');
      if (!grant || body.grant_type !== 'AuthorizationCode' || (body.redirect_uri && body.redirect_uri !== grant.redirectUri)) return failure(400, 'invalidGrant', 'Invalid grant');
      const accessToken = randomUUID();
      userTokens.set(accessToken, grant.personId);
      return { json: { accessToken, expiresIn: 3600, user: Number(userIdOf(grant.personId)), scope: 'CommonInfo' } };
    }
    const owner = userTokens.get(String(req.headers['access-token'] ?? ''));
    if (owner !== undefined) {
      if (path !== '/v2/users/me') return failure(403, 'apiAccessForbidden', 'Access forbidden');
      const roles = model.childrenOf(owner).length ? ['EduParent'] : model.staff.has(owner) ? ['EduStaff'] : ['EduStudent'];
      return { json: { id: Number(userIdOf(owner)), id_str: userIdOf(owner), personId: Number(owner), personId_str: owner, roles } };
    }
    if (req.headers['access-token'] !== opts.token) return failure(401, 'invalidToken', 'Invalid access token');
    const list = (rows: unknown[]) => ({ json: maybeDuplicate(req, rows) });
    const persons = (ids: string[]) => list(ids.map((id) => person(model.persons.get(id)!)));
    let m: RegExpExecArray | null;
    if (path === '/v2/users/me/schools') return list([...model.schools.keys()].map(Number));
    if (path === '/v2/schools') {
      const ids = req.url.searchParams.getAll('schools');
      return list(ids.filter((id) => model.schools.has(id)).map((id) => ({ id: Number(id), id_str: id, name: model.schools.get(id)!.name })));
    }
    const notFound = () => failure(404, 'resourceNotFound', 'Resource not found');
    if ((m = /^\/v2\/schools\/(\d+)\/(edu-groups|subjects|teachers|membership)$/.exec(path))) {
      const [, school, what] = m as unknown as [string, string, string];
      if (!model.schools.has(school)) return notFound();
      if (what === 'edu-groups') {
        const own = model.classesOf(school).map((c) => ({ id: Number(c.id), id_str: c.id, parentIds: [], parentIds_str: [], type: 'Group', name: c.name, parallel: c.grade, status: 'Active' }));
        const subs = [...subgroups.values()]
          .filter((g) => model.classes.get(g.classId)?.schoolId === school)
          .map((g) => ({ id: Number(g.id), id_str: g.id, parentIds: [Number(g.classId)], parentIds_str: [g.classId], type: 'Subgroup', name: g.name, parallel: model.classes.get(g.classId)!.grade, status: 'Active' }));
        return list([...own, ...subs]);
      }
      if (what === 'subjects') return list(model.subjectsOf(school).map((s) => ({ id: Number(s.id), idStr: s.id, name: s.name })));
      if (what === 'teachers') {
        const taught = new Map<string, string[]>();
        for (const t of model.teachingOf(school)) taught.set(t.teacherId, [...new Set([...(taught.get(t.teacherId) ?? []), model.subjects.get(t.subjectId)!.name])]);
        for (const g of subgroups.values()) taught.set(g.teacherId, [...new Set([...(taught.get(g.teacherId) ?? []), model.subjects.get(g.subjectId)!.name])]);
        return list(model.staffOf(school).filter((s) => s.role === 'teacher').map((s) => teacher(model.persons.get(s.personId)!, taught.get(s.personId) ?? [])));
      }
      const type = req.url.searchParams.get('schoolMembershipType');
      const role = type === 'Admins' ? 'admin' : type === 'Staff' ? 'staff' : undefined;
      if (!role) return failure(400, 'parameterInvalid', 'schoolMembershipType');
      return persons(model.staffOf(school).filter((s) => s.role === role).map((s) => s.personId));
    }
    if ((m = /^\/v2\/edu-groups\/(\d+)\/(students|teachers|subjects|classteacher)$/.exec(path))) {
      const [, group, what] = m as unknown as [string, string, string];
      const sub = subgroups.get(group);
      if (sub) {
        if (what === 'students') return persons(sub.studentIds);
        if (what === 'teachers') return persons([sub.teacherId]);
        if (what === 'subjects') return list([model.subjects.get(sub.subjectId)!].map((s) => ({ id: Number(s.id), idStr: s.id, name: s.name })));
        return { status: 204 };
      }
      const cls = model.classes.get(group);
      if (!cls) return notFound();
      if (what === 'students') return persons(model.enrollmentsOf(cls.schoolId, { classId: group }).map((e) => e.studentId));
      const teaching = model.teachingOf(cls.schoolId, group);
      if (what === 'teachers') return persons([...new Set(teaching.map((t) => t.teacherId))]);
      if (what === 'subjects') return list([...new Set(teaching.map((t) => t.subjectId))].map((id) => model.subjects.get(id)!).map((s) => ({ id: Number(s.id), idStr: s.id, name: s.name })));
      const ct = model.classTeachers.get(group);
      return ct ? { json: person(model.persons.get(ct.teacherId)!) } : { status: 204 };
    }
    if ((m = /^\/v2\/users\/(\d+)\/relatives$/.exec(path))) {
      const child = personIdOfUser(m[1]!);
      if (!model.persons.has(child)) return notFound();
      return list(model.guardiansOf(child).map((g) => ({ type: 'Parent', person: person(model.persons.get(g.parentId)!) })));
    }
    return notFound();
  };
  const sim = await startSim((req) => {
    const reply = handle(req);
    opts.onExchange?.({ method: req.method, path: req.url.pathname, query: req.url.searchParams, status: reply.status ?? 200, body: reply.text ?? reply.json ?? null });
    return reply;
  }, faults);
  return Object.assign(sim, { vendorFaults });
}
