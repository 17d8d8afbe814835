// OneRoster 1.2 REST provider over the roster model: OAuth 2 client-credentials token endpoint,
// rostering collections with limit/offset paging and X-Total-Count, `sort`, and `filter` with the
// predicates adapters use (`roles.role='principal'`, `type='school'`, `sourcedId='…'`,
// `dateLastModified>'…'`) joined by AND or OR (AND binds tighter; no parentheses, as in the
// binding's grammar). `maxFilterPredicates` makes it refuse longer filters with 400, as a provider
// that keeps to the binding's baseline of one logical operator (two predicates) may.
// Strict as a 1.2 provider is: users carry `roles` (no top-level `role`, which 1.1 had), so a
// filter on `role` of users, or a role value 1.2 does not define (1.1's `administrator`), is 400.
// Faults a real provider has: `maxLimit` caps `limit` lower than asked, `omitTotalCount` leaves
// out X-Total-Count, `unordered` answers in a different order each time unless `sort` is given.
//
// The OneRoster view of the model is built once per model revision and indexed by school, by
// sourcedId and by role, so a page costs about what it returns, not the region's size.
import { randomUUID } from 'node:crypto';
import type { RosterModel } from '../testing/roster-model.js';
import { FaultPlan, maybeDuplicate, startSim, type RunningSim, type SimRequest } from '../testing/sim-server.js';
import { oneRosterView } from '../oneroster-common/from-model.js';

export const ONEROSTER_BASE = '/ims/oneroster/rostering/v1p2';
export interface OneRosterSimOptions {
  clientId: string;
  clientSecret: string;
  tokenTtlSeconds?: number;
  /** Refuse (400) a filter with more predicates than this; unset = no limit. */
  maxFilterPredicates?: number;
  /** Keep the sourcedIds of the user rows each request returned (`served`), for tests. */
  logServedUsers?: boolean;
  /** Pages hold at most this many rows whatever `limit` asks (a provider's own cap). */
  maxLimit?: number;
  /** Leave out the X-Total-Count header (the binding says "may"). */
  omitTotalCount?: boolean;
  /** Without `sort`, rows come in a fresh random order on every request (an unordered set). */
  unordered?: boolean;
  /** Keep every collection reply with its request's query (`replies`), for the contract test. */
  logReplies?: boolean;
}

export interface SimCollectionReply {
  path: string;
  query: URLSearchParams;
  /** The collection's name (`users`, `orgs`, …): which Set schema the body answers to. */
  name: string;
  json: unknown;
}

/** The roles OneRoster 1.2 defines (RoleEnum of the 1.2 OpenAPI file). */
export const ONEROSTER_1P2_ROLES: ReadonlySet<string> = new Set([
  'aide', 'counselor', 'districtAdministrator', 'guardian', 'parent', 'principal', 'proctor', 'relative',
  'siteAdministrator', 'student', 'systemAdministrator', 'teacher',
]);
/** The model's view names an administrator as 1.1 did; a 1.2 provider says siteAdministrator. */
const role1p2 = (role: unknown): string => (role === 'administrator' ? 'siteAdministrator' : String(role));

export interface ServedUsers {
  path: string;
  filter: string | null;
  sourcedIds: string[];
}

export interface OneRosterSim extends RunningSim {
  /** Rows (collection entries) returned to one path, faults' duplicates included. */
  rowsTo(pathname: string): number;
  /** With `logServedUsers`: every `users` reply, in order. Tests may clear it. */
  readonly served: ServedUsers[];
  /** With `logReplies`: every collection reply, in order. */
  readonly replies: SimCollectionReply[];
}

type Row = Record<string, unknown> & { sourcedId: string; dateLastModified: number; status: string };
type Predicate = (row: Row) => boolean;

interface Term {
  field: string;
  op: string;
  value: string;
}

class BadFilter extends Error {}

function parseTerm(expr: string): Term {
  const m = /^\s*([\w.]+)\s*(!=|>=|<=|=|>|<|~)\s*'([^']*)'\s*$/.exec(expr);
  if (!m) throw new BadFilter(`bad filter: ${expr}`);
  const [, field, op, value] = m as unknown as [string, string, string, string];
  return { field, op, value };
}

function predicate({ field, op, value }: Term): Predicate {
  // dateLastModified is kept as epoch ms in the view: compare as numbers.
  const want: string | number = field === 'dateLastModified' ? Date.parse(value) : value;
  return (row) => {
    const v = field === 'roles.role' ? role1p2(row.role) : row[field];
    switch (op) {
      case '=': return v === want;
      case '!=': return v !== want;
      case '>': return (v as number) > (want as number);
      case '>=': return (v as number) >= (want as number);
      case '<': return (v as number) < (want as number);
      case '<=': return (v as number) <= (want as number);
      default: return String(v).includes(String(want));
    }
  };
}

/** OR of ANDs: `a AND b OR c` is `(a AND b) OR c`. */
function parseFilter(filter: string): Term[][] {
  return filter.split(/\s+OR\s+/).map((d) => d.split(/\s+AND\s+/).map(parseTerm));
}

/** The term every class of a school is held in (1.2 requires a class's `terms`). */
export const termId = (school: string) => `term-${school}`;

/**
 * A row as the 1.2 OpenAPI file's schemas have it (test/fixtures/oneroster-openapi): references with
 * absolute `href`s, `enabledUser` and `primary` as the strings "true" / "false", users with `roles`
 * (no `role`, no `school`), courses under `org` with a `courseCode`, orgs with an `identifier`,
 * classes with `terms`. `base` is the service root the hrefs point into.
 */
function toJson(name: string, row: Row, base: string): Record<string, unknown> {
  // birthDate lives in OneRoster demographics, which this provider does not publish.
  const { dateLastModified, schoolSourcedId, agentSourcedIds, homeroomSourcedId, courseSourcedId, classSourcedId, userSourcedId, birthDate: _b, ...rest } = row;
  const out: Record<string, unknown> = { ...rest, dateLastModified: new Date(dateLastModified).toISOString() };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  const path = { org: 'orgs', user: 'users', course: 'courses', class: 'classes', academicSession: 'academicSessions' } as Record<string, string>;
  const ref = (type: string, id: unknown) => ({ href: `${base}/${path[type]}/${encodeURIComponent(String(id))}`, sourcedId: String(id), type });
  if (name === 'users') {
    delete out.role;
    out.enabledUser = String(rest.enabledUser !== false);
    if (schoolSourcedId !== undefined) out.roles = [{ roleType: 'primary', role: role1p2(rest.role), org: ref('org', schoolSourcedId) }];
    if (Array.isArray(agentSourcedIds)) out.agents = agentSourcedIds.map((a) => ref('user', a));
    return out;
  }
  if (name === 'orgs') out.identifier ??= row.sourcedId;
  if (name === 'courses') {
    out.courseCode ??= row.sourcedId;
    if (schoolSourcedId !== undefined) out.org = ref('org', schoolSourcedId);
    return out;
  }
  if (schoolSourcedId !== undefined) out.school = ref('org', schoolSourcedId);
  if (name === 'classes') out.terms = [ref('academicSession', termId(String(schoolSourcedId)))];
  if (name === 'enrollments') out.primary = String(rest.primary === true);
  if (courseSourcedId !== undefined) out.course = ref('course', courseSourcedId);
  if (homeroomSourcedId !== undefined) out.metadata = { 'ru.homeroomSourcedId': homeroomSourcedId };
  if (classSourcedId !== undefined) out.class = ref('class', classSourcedId);
  if (userSourcedId !== undefined) out.user = ref('user', userSourcedId);
  return out;
}

/** Rows of one listing: all of them (deltas see `tobedeleted`), the live ones, and lookups. */
class Listing {
  readonly live: Row[];
  private byId?: Map<string, Row[]>;
  private byRole?: Map<string, Row[]>;
  private position?: Map<Row, number>;
  constructor(readonly all: Row[]) {
    this.live = all.filter((r) => r.status !== 'tobedeleted');
  }
  private sortedLive?: Row[];
  /** The live rows by sourcedId, sorted once per model revision (the adapter asks sort=sourcedId on every page). */
  liveBySourcedId(): Row[] {
    return (this.sortedLive ??= [...this.live].sort((a, b) => (a.sourcedId < b.sourcedId ? -1 : a.sourcedId > b.sourcedId ? 1 : 0)));
  }
  /** Where the row stands in the listing (the order every reply keeps). */
  positionOf(row: Row): number {
    this.position ??= new Map(this.all.map((r, i) => [r, i]));
    return this.position.get(row) ?? 0;
  }
  /** Rows that may match `terms`, without scanning: by sourcedId or role when a term names one. */
  candidates(terms: Term[]): Row[] | undefined {
    const id = terms.find((t) => t.field === 'sourcedId' && t.op === '=');
    if (id) {
      this.byId ??= group(this.all, (r) => r.sourcedId);
      return this.byId.get(id.value) ?? [];
    }
    const role = terms.find((t) => (t.field === 'role' || t.field === 'roles.role') && t.op === '=');
    if (role) {
      this.byRole ??= group(this.all, (r) => role1p2(r.role));
      return this.byRole.get(role.value) ?? [];
    }
    return undefined;
  }
}

function group(rows: Row[], key: (r: Row) => string): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const r of rows) {
    const k = key(r);
    const xs = out.get(k);
    if (xs) xs.push(r);
    else out.set(k, [r]);
  }
  return out;
}

interface Indexed {
  orgs: Listing;
  users: Listing;
  schools: Map<string, { courses: Listing; classes: Listing; enrollments: Listing; students: Listing; teachers: Listing }>;
}

function indexView(model: RosterModel): Indexed {
  const view = oneRosterView(model, { includeDeleted: true });
  const bySchool = <T extends { schoolSourcedId: string }>(rows: T[]) => group(rows as unknown as Row[], (r) => String(r.schoolSourcedId));
  const courses = bySchool(view.courses);
  const classes = bySchool(view.classes);
  const enrollments = bySchool(view.enrollments);
  const users = bySchool(view.users);
  const schools: Indexed['schools'] = new Map();
  for (const id of model.schools.keys()) {
    const mine = users.get(id) ?? [];
    schools.set(id, {
      courses: new Listing(courses.get(id) ?? []),
      classes: new Listing(classes.get(id) ?? []),
      enrollments: new Listing(enrollments.get(id) ?? []),
      students: new Listing(mine.filter((u) => u.role === 'student')),
      teachers: new Listing(mine.filter((u) => u.role === 'teacher')),
    });
  }
  return { orgs: new Listing(view.orgs as unknown as Row[]), users: new Listing(view.users as unknown as Row[]), schools };
}

export async function startOneRosterSimulator(model: RosterModel, opts: OneRosterSimOptions, faults = new FaultPlan()): Promise<OneRosterSim> {
  const tokens = new Map<string, number>();
  const ttl = (opts.tokenTtlSeconds ?? 3600) * 1000;
  const rowsByPath = new Map<string, number>();
  const served: ServedUsers[] = [];
  const replies: SimCollectionReply[] = [];
  let cache: { revision: number; index: Indexed } | undefined;
  const current = (): Indexed => {
    if (cache?.revision !== model.revision) cache = { revision: model.revision, index: indexView(model) };
    return cache.index;
  };

  const refuse = (description: string) => ({ status: 400, json: { imsx_codeMajor: 'failure', imsx_severity: 'error', imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldName: 'TargetEndSystem', imsx_codeMinorFieldValue: 'invalid_filter_field' }] }, imsx_description: description } });
  const list = (req: SimRequest, name: string, listing: Listing) => {
    const filter = req.url.searchParams.get('filter');
    const asked = Number(req.url.searchParams.get('limit') ?? 100);
    const limit = opts.maxLimit !== undefined ? Math.min(asked, opts.maxLimit) : asked;
    const offset = Number(req.url.searchParams.get('offset') ?? 0);
    const sort = req.url.searchParams.get('sort');
    let out: Row[];
    if (!filter) out = listing.live;
    else {
      let ors: Term[][];
      try {
        ors = parseFilter(filter);
      } catch (e) {
        if (e instanceof BadFilter) return refuse(e.message);
        throw e;
      }
      for (const t of ors.flat()) {
        if (name === 'users' && t.field === 'role') return refuse('users have no field role in OneRoster 1.2 (roles.role)');
        if (t.field === 'roles.role' && !ONEROSTER_1P2_ROLES.has(t.value)) return refuse(`no role ${t.value} in OneRoster 1.2`);
      }
      const count = ors.reduce((n, d) => n + d.length, 0);
      if (opts.maxFilterPredicates !== undefined && count > opts.maxFilterPredicates) {
        return refuse(`at most ${opts.maxFilterPredicates} predicates`);
      }
      const isDelta = filter.includes('dateLastModified');
      const tests = ors.map((d) => d.map(predicate));
      const matches = (r: Row) => (isDelta || r.status !== 'tobedeleted') && tests.some((d) => d.every((p) => p(r)));
      const pools = ors.map((d) => listing.candidates(d));
      if (pools.every((p) => p !== undefined)) {
        // Every alternative names an id or a role: look those rows up, keep the listing's order.
        const seen = new Set<Row>();
        for (const p of pools) for (const r of p) if (matches(r)) seen.add(r);
        out = [...seen];
        if (pools.length > 1) out.sort((a, b) => listing.positionOf(a) - listing.positionOf(b));
      } else out = listing.all.filter(matches);
    }
    if (sort === 'sourcedId' && !filter && req.url.searchParams.get('orderBy') !== 'desc') out = listing.liveBySourcedId();
    else if (sort) {
      const key = (r: Row) => String(r[sort] ?? '');
      out = [...out].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      if (req.url.searchParams.get('orderBy') === 'desc') out.reverse();
    } else if (opts.unordered) {
      out = [...out];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
    }
    const page = maybeDuplicate(req, out.slice(offset, offset + limit));
    rowsByPath.set(req.url.pathname, (rowsByPath.get(req.url.pathname) ?? 0) + page.length);
    if (opts.logServedUsers && name === 'users') served.push({ path: req.url.pathname, filter, sourcedIds: page.map((r) => r.sourcedId) });
    const base = `http://${req.headers.host ?? '127.0.0.1'}${ONEROSTER_BASE}`;
    const json = { [name]: page.map((r) => toJson(name, r, base)) };
    if (opts.logReplies) replies.push({ path: req.url.pathname, query: new URLSearchParams(req.url.searchParams), name, json });
    return { json, headers: (opts.omitTotalCount ? {} : { 'x-total-count': String(out.length) }) as Record<string, string> };
  };

  const sim = await startSim((req) => {
    const path = req.url.pathname;
    if (path === '/oauth/token' && req.method === 'POST') {
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const [id, secret] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [];
      const form = new URLSearchParams(req.body);
      if (form.get('grant_type') !== 'client_credentials' || id !== opts.clientId || secret !== opts.clientSecret) {
        return { status: 401, json: { error: 'invalid_client' } };
      }
      const token = randomUUID();
      tokens.set(token, Date.now() + ttl);
      return { json: { access_token: token, token_type: 'Bearer', expires_in: ttl / 1000 } };
    }
    if (!path.startsWith(ONEROSTER_BASE)) return { status: 404, json: { imsx_codeMajor: 'failure', imsx_severity: 'error' } };
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || (tokens.get(bearer) ?? 0) < Date.now()) return { status: 401, json: { imsx_codeMajor: 'failure', imsx_severity: 'error', imsx_description: 'invalid token' } };

    const index = current();
    const rest = path.slice(ONEROSTER_BASE.length);
    if (rest === '/orgs') return list(req, 'orgs', index.orgs);
    if (rest === '/users') return list(req, 'users', index.users);
    const m = /^\/schools\/([^/]+)\/(courses|classes|students|teachers|enrollments)$/.exec(rest);
    if (m) {
      const [, school, what] = m as unknown as [string, string, 'courses' | 'classes' | 'students' | 'teachers' | 'enrollments'];
      const listings = index.schools.get(school);
      if (!listings) return { status: 404, json: { imsx_codeMajor: 'failure', imsx_severity: 'error', imsx_description: 'unknown school' } };
      return list(req, what === 'students' || what === 'teachers' ? 'users' : what, listings[what]);
    }
    return { status: 404, json: { imsx_codeMajor: 'failure', imsx_severity: 'error' } };
  }, faults);
  return Object.assign(sim, { rowsTo: (pathname: string) => rowsByPath.get(pathname) ?? 0, served, replies });
}
