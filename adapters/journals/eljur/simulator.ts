// Eljur REST (apiv3) over the roster model. Every call is GET /apiv3/<method> with `devkey`,
// `vendor`, `out_format=json` and, after the `auth` method, `auth_token`; every reply is wrapped
// as {response:{state,error,result}}. `auth` and `getrules` follow the published API; the roster
// methods (getschools, getclasses, ...) are modelled in the same style, see README.md.
import { randomUUID } from 'node:crypto';
import type { ModelPerson, RosterModel } from '../testing/roster-model.js';
import { FaultPlan, maybeDuplicate, startSim, type RunningSim, type SimRequest } from '../testing/sim-server.js';

export interface EljurSimOptions {
  devkey: string;
  vendor: string;
  /** The hub's own integration account (the nightly read). */
  login: string;
  password: string;
  port?: number;
  /**
   * People's own journal accounts (login → password and journal person id), for the sign-in that
   * proves a journal identity (R-L5). A live map: tests add accounts as they go.
   */
  people?: Map<string, { password: string; personId: string }>;
}

/** Every model person gets a journal account: login = their journal id, the same password for all (dev stack). */
export function accountsFor(model: RosterModel, password: string): Map<string, { password: string; personId: string }> {
  return new Map([...model.persons.keys()].map((id) => [id, { password, personId: id }]));
}

/** `auth` takes login and password from the query, or (as most clients send them) a POST JSON or form body. */
function credentialsOf(req: SimRequest): { login: string | null; password: string | null } {
  const q = req.url.searchParams;
  if (req.method === 'POST' && req.body) {
    const form = new URLSearchParams(req.body);
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      // a form body
    }
    const pick = (k: string) => (typeof json[k] === 'string' ? (json[k] as string) : form.get(k));
    return { login: pick('login'), password: pick('password') };
  }
  return { login: q.get('login'), password: q.get('password') };
}

const wrap = (state: number, result: unknown, error: string | null = null) => ({ status: state, json: { response: { state, error, result } } });

function person(p: ModelPerson) {
  return {
    id: p.id, lastname: p.lastName, firstname: p.firstName, middlename: p.middleName ?? '',
    birthday: p.birthDate ?? '', phone: p.phone ?? '', email: p.email ?? '',
  };
}

export async function startEljurSimulator(model: RosterModel, opts: EljurSimOptions, faults = new FaultPlan()): Promise<RunningSim> {
  /** token → the journal person who signed in, or null for the hub's integration account. */
  const tokens = new Map<string, string | null>();
  return startSim((req) => {
    const m = /^\/apiv3\/(\w+)$/.exec(req.url.pathname);
    if (!m) return { status: 404, json: { response: { state: 404, error: 'Метод не найден', result: {} } } };
    const q = req.url.searchParams;
    if (q.get('devkey') !== opts.devkey || q.get('vendor') !== opts.vendor) return wrap(403, {}, 'не удалось авторизовать разработчика');
    const method = m[1]!;
    if (method === 'auth') {
      const { login, password } = credentialsOf(req);
      const account = login === opts.login && password === opts.password ? null : opts.people?.get(login ?? '');
      if (account === undefined || (account && account.password !== password)) return wrap(400, {}, 'Неверный логин или пароль');
      const token = randomUUID();
      tokens.set(token, account ? account.personId : null);
      return wrap(200, { token, expires: new Date(Date.now() + 3600_000).toISOString().slice(0, 19).replace('T', ' ') });
    }
    if (!tokens.has(q.get('auth_token') ?? '')) return wrap(401, {}, 'Требуется авторизация');
    const rows = <T>(xs: T[]) => maybeDuplicate(req, xs);
    const school = q.get('school') ?? '';
    const cls = model.classes.get(q.get('class') ?? '');
    switch (method) {
      case 'getschools':
        return wrap(200, { schools: rows([...model.schools.values()].map((s) => ({ id: s.id, title: s.name }))) });
      case 'getclasses':
        return wrap(200, { classes: rows(model.classesOf(school).map((c) => ({ id: c.id, name: c.name, parallel: c.grade, hometeacher_id: model.classTeachers.get(c.id)?.teacherId ?? '' }))) });
      case 'getsubjects':
        return wrap(200, { subjects: rows(model.subjectsOf(school).map((s) => ({ id: s.id, name: s.name }))) });
      case 'getstaff': {
        const page = Number(q.get('page') ?? 1);
        const limit = Number(q.get('limit') ?? 50);
        const all = model.staffOf(school, { includeDismissed: true });
        const slice = all.slice((page - 1) * limit, page * limit);
        return wrap(200, { total: all.length, staff: rows(slice.map((s) => ({ ...person(model.persons.get(s.personId)!), role: s.role, dismissed: s.status === 'dismissed' }))) });
      }
      case 'getclassstudents':
        if (!cls) return wrap(404, {}, 'Класс не найден');
        return wrap(200, { students: rows(model.enrollmentsOf(cls.schoolId, { classId: cls.id, includeExpelled: true }).map((e) => ({ ...person(model.persons.get(e.studentId)!), status: e.status }))) });
      case 'getclassteaching':
        if (!cls) return wrap(404, {}, 'Класс не найден');
        return wrap(200, { teaching: rows(model.teachingOf(cls.schoolId, cls.id).map((t) => ({ teacher_id: t.teacherId, subject_id: t.subjectId }))) });
      case 'getclassparents': {
        if (!cls) return wrap(404, {}, 'Класс не найден');
        const parents = new Set(model.enrollmentsOf(cls.schoolId, { classId: cls.id }).flatMap((e) => model.guardiansOf(e.studentId).map((g) => g.parentId)));
        return wrap(200, { parents: rows([...parents].map((id) => person(model.persons.get(id)!))) });
      }
      case 'getrules': {
        // The published method answers for the token's owner; `id` (another person's rules) is the
        // integration account's modelled extension for reading parents' children.
        const owner = tokens.get(q.get('auth_token') ?? '');
        const asked = owner ? owner : q.get('id');
        const who = model.persons.get(asked ?? '');
        if (!who) return wrap(404, {}, 'Пользователь не найден');
        const students: Record<string, unknown> = {};
        for (const g of model.childrenOf(who.id)) {
          const child = model.persons.get(g.childId)!;
          const enr = model.enrollmentsOfStudent(child.id).find((e) => e.schoolId === child.schoolId && e.status === 'active');
          const c = enr ? model.classes.get(enr.classId) : undefined;
          students[child.id] = { name: child.id, title: `${child.lastName} ${child.firstName}`, lastname: child.lastName, firstname: child.firstName, class: c?.name ?? '', parallel: c?.grade ?? 0, rel: 'child' };
        }
        const roles = model.childrenOf(who.id).length ? ['parent'] : model.staff.has(who.id) ? ['teacher'] : ['student'];
        return wrap(200, { id: who.id, name: who.id, lastname: who.lastName, firstname: who.firstName, title: `${who.lastName} ${who.firstName}`, roles, relations: { students } });
      }
      default:
        return wrap(404, {}, 'Метод не найден');
    }
  }, faults, opts.port ?? 0);
}
