// Eljur REST (apiv3) over the roster model. Every call is GET /apiv3/<method> with `devkey`,
// `vendor`, `out_format=json` and, after the `auth` method, `auth_token`; every reply is wrapped
// as {response:{state,error,result}}. `auth` and `getrules` follow public clients (README.md;
// test/contract/eljur-shapes.test.ts checks the answers): `getrules` takes no `id`, it answers for the
// token's owner. The roster methods (getschools, getclasses, ...) have no public basis: they are
// modelled in the same style and served under the names the installation configures.
import { randomUUID } from 'node:crypto';
import type { ModelPerson, RosterModel } from '../testing/roster-model.js';
import { FaultPlan, maybeDuplicate, startSim, type RunningSim, type SimReply, type SimRequest } from '../testing/sim-server.js';

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
  /** An installation whose people sign in only through Госуслуги: `auth` refuses every password. */
  gosuslugiOnly?: boolean;
  /** Tokens the vendor issued for the integration account (the Госуслуги-only token flow). */
  issuedTokens?: string[];
  /** The installation's names of the modelled roster methods (EljurMethods); absent = the defaults. */
  methods?: Partial<Record<RosterMethod, string | null>>;
  onExchange?: (x: EljurExchange) => void;
}

/** One request and its answer, for contract tests. */
export interface EljurExchange {
  method: string;
  httpMethod: string;
  query: URLSearchParams;
  /** The request body as sent (a form or JSON), '' for GET. */
  requestBody: string;
  status: number;
  body: unknown;
}

export type RosterMethod = 'schools' | 'classes' | 'subjects' | 'staff' | 'classStudents' | 'classTeaching' | 'classParents';
const DEFAULT_METHODS: Record<RosterMethod, string> = {
  schools: 'getschools',
  classes: 'getclasses',
  subjects: 'getsubjects',
  staff: 'getstaff',
  classStudents: 'getclassstudents',
  classTeaching: 'getclassteaching',
  classParents: 'getclassparents',
};

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

/** What `getrules` says of a person (BetterJournal/EljurAPI src/personal/UserRules.ts, RelationsModel.ts). */
function rulesOf(model: RosterModel, who: ModelPerson, vendor: string) {
  const students: Record<string, unknown> = {};
  for (const g of model.childrenOf(who.id)) {
    const child = model.persons.get(g.childId)!;
    const enr = model.enrollmentsOfStudent(child.id).find((e) => e.schoolId === child.schoolId && e.status === 'active');
    const c = enr ? model.classes.get(enr.classId) : undefined;
    students[child.id] = {
      name: child.id, title: `${child.lastName} ${child.firstName}`, lastname: child.lastName, firstname: child.firstName,
      gender: '', city: '', class: c?.name ?? '', parallel: c?.grade ?? 0, rel: 'child', rules: [],
    };
  }
  const roles = model.childrenOf(who.id).length ? ['parent'] : model.staff.has(who.id) ? ['teacher'] : ['student'];
  return {
    id: who.id, name: who.id, title: `${who.lastName} ${who.firstName}`, lastname: who.lastName, firstname: who.firstName,
    middlename: who.middleName ?? '', email: who.email ?? '', roles, vendor,
    // PHP writes an empty map as []: public clients accept both (RelationsModel.ts, byStudents).
    relations: { groups: [], schools: [], students: Object.keys(students).length ? students : [] },
  };
}

export async function startEljurSimulator(model: RosterModel, opts: EljurSimOptions, faults = new FaultPlan()): Promise<RunningSim> {
  /** token → the journal person who signed in, or null for the hub's integration account. */
  const tokens = new Map<string, string | null>((opts.issuedTokens ?? []).map((t) => [t, null]));
  const names = { ...DEFAULT_METHODS, ...opts.methods };
  const served = new Map<string, RosterMethod>(
    (Object.entries(names) as Array<[RosterMethod, string | null]>).filter((e): e is [RosterMethod, string] => !!e[1]).map(([k, v]) => [v, k]),
  );
  const handle = (req: SimRequest): SimReply => {
    const m = /^\/apiv3\/(\w+)$/.exec(req.url.pathname);
    if (!m) return { status: 404, json: { response: { state: 404, error: 'Метод не найден', result: {} } } };
    const q = req.url.searchParams;
    if (q.get('devkey') !== opts.devkey || q.get('vendor') !== opts.vendor) return wrap(403, {}, 'не удалось авторизовать разработчика');
    const method = m[1]!;
    if (method === 'auth') {
      if (opts.gosuslugiOnly) return wrap(400, {}, 'Вход по логину и паролю отключён: войдите через Госуслуги');
      const { login, password } = credentialsOf(req);
      const account = login === opts.login && password === opts.password ? null : opts.people?.get(login ?? '');
      if (account === undefined || (account && account.password !== password)) return wrap(400, {}, 'Неверный логин или пароль');
      const token = randomUUID();
      tokens.set(token, account ? account.personId : null);
      return wrap(200, { token, expires: new Date(Date.now() + 3600_000).toISOString().slice(0, 19).replace('T', ' ') });
    }
    if (!tokens.has(q.get('auth_token') ?? '')) return wrap(401, {}, 'Требуется авторизация');
    const owner = tokens.get(q.get('auth_token') ?? '');
    if (method === 'getrules') {
      // The published method answers for the token's owner, whatever else the query says.
      if (owner === null || owner === undefined) {
        return wrap(200, { id: `i-${opts.login}`, name: `i-${opts.login}`, title: 'Интеграция', lastname: '', firstname: '', middlename: '', email: '', roles: ['administrator'], vendor: opts.vendor, relations: { groups: [], schools: [], students: [] } });
      }
      const who = model.persons.get(owner);
      return who ? wrap(200, rulesOf(model, who, opts.vendor)) : wrap(404, {}, 'Пользователь не найден');
    }
    const rows = <T>(xs: T[]) => maybeDuplicate(req, xs);
    const school = q.get('school') ?? '';
    const cls = model.classes.get(q.get('class') ?? '');
    switch (served.get(method)) {
      case 'schools':
        return wrap(200, { schools: rows([...model.schools.values()].map((s) => ({ id: s.id, title: s.name }))) });
      case 'classes':
        return wrap(200, { classes: rows(model.classesOf(school).map((c) => ({ id: c.id, name: c.name, parallel: c.grade, hometeacher_id: model.classTeachers.get(c.id)?.teacherId ?? '' }))) });
      case 'subjects':
        return wrap(200, { subjects: rows(model.subjectsOf(school).map((s) => ({ id: s.id, name: s.name }))) });
      case 'staff': {
        const page = Number(q.get('page') ?? 1);
        const limit = Number(q.get('limit') ?? 50);
        const all = model.staffOf(school, { includeDismissed: true });
        const slice = all.slice((page - 1) * limit, page * limit);
        return wrap(200, { total: all.length, staff: rows(slice.map((s) => ({ ...person(model.persons.get(s.personId)!), role: s.role, dismissed: s.status === 'dismissed' }))) });
      }
      case 'classStudents':
        if (!cls) return wrap(404, {}, 'Класс не найден');
        return wrap(200, { students: rows(model.enrollmentsOf(cls.schoolId, { classId: cls.id, includeExpelled: true }).map((e) => ({ ...person(model.persons.get(e.studentId)!), status: e.status }))) });
      case 'classTeaching':
        if (!cls) return wrap(404, {}, 'Класс не найден');
        return wrap(200, { teaching: rows(model.teachingOf(cls.schoolId, cls.id).map((t) => ({ teacher_id: t.teacherId, subject_id: t.subjectId }))) });
      case 'classParents': {
        if (!cls) return wrap(404, {}, 'Класс не найден');
        const children = new Map<string, string[]>();
        for (const e of model.enrollmentsOf(cls.schoolId, { classId: cls.id })) {
          for (const g of model.guardiansOf(e.studentId)) children.set(g.parentId, [...(children.get(g.parentId) ?? []), e.studentId]);
        }
        return wrap(200, { parents: rows([...children].map(([id, students]) => ({ ...person(model.persons.get(id)!), students }))) });
      }
      default:
        return wrap(404, {}, 'Метод не найден');
    }
  };
  return startSim((req) => {
    const reply = handle(req);
    opts.onExchange?.({ method: req.url.pathname.replace(/^\/apiv3\//, ''), httpMethod: req.method, query: req.url.searchParams, requestBody: req.body, status: reply.status ?? 200, body: reply.json ?? null });
    return reply;
  }, faults, opts.port ?? 0);
}
