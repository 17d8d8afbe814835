// OneRoster 1.2 REST provider over the roster model: OAuth 2 client-credentials token endpoint,
// rostering collections with limit/offset paging and X-Total-Count, and `filter` with the
// predicates adapters use (`role='parent'`, `type='school'`, `dateLastModified>'…'`, joined by AND).
import { randomUUID } from 'node:crypto';
import type { RosterModel } from '../testing/roster-model.js';
import { FaultPlan, maybeDuplicate, startSim, type RunningSim, type SimRequest } from '../testing/sim-server.js';
import { oneRosterView, type OneRosterView } from '../oneroster-common/from-model.js';

export const ONEROSTER_BASE = '/ims/oneroster/rostering/v1p2';
export interface OneRosterSimOptions { clientId: string; clientSecret: string; tokenTtlSeconds?: number }

interface Row { dateLastModified: number; status: string }

function predicate(expr: string): (row: Record<string, unknown>) => boolean {
  const m = /^\s*([\w.]+)\s*(!=|>=|<=|=|>|<|~)\s*'([^']*)'\s*$/.exec(expr);
  if (!m) throw new Error(`bad filter: ${expr}`);
  const [, field, op, raw] = m as unknown as [string, string, string, string];
  return (row) => {
    let v = row[field!];
    let want: string | number = raw!;
    if (field === 'dateLastModified') {
      v = new Date(v as string).getTime();
      want = Date.parse(raw!);
    }
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

function toJson(row: Row): Record<string, unknown> {
  // birthDate lives in OneRoster demographics, which this provider does not publish.
  const { dateLastModified, schoolSourcedId, agentSourcedIds, homeroomSourcedId, courseSourcedId, classSourcedId, userSourcedId, birthDate: _b, ...rest } = row as unknown as Record<string, unknown> & Row;
  const out: Record<string, unknown> = { ...rest, dateLastModified: new Date(dateLastModified).toISOString() };
  const ref = (type: string, id: unknown) => ({ href: `/${type}s/${String(id)}`, sourcedId: id, type });
  if (schoolSourcedId !== undefined) out.school = ref('org', schoolSourcedId);
  if (Array.isArray(agentSourcedIds)) out.agents = agentSourcedIds.map((a) => ref('user', a));
  if (schoolSourcedId !== undefined && 'givenName' in rest) out.roles = [{ roleType: 'primary', role: rest.role, org: ref('org', schoolSourcedId) }];
  if (courseSourcedId !== undefined) out.course = ref('course', courseSourcedId);
  if (homeroomSourcedId !== undefined) out.metadata = { 'ru.homeroomSourcedId': homeroomSourcedId };
  if (classSourcedId !== undefined) out.class = ref('class', classSourcedId);
  if (userSourcedId !== undefined) out.user = ref('user', userSourcedId);
  return out;
}

export async function startOneRosterSimulator(model: RosterModel, opts: OneRosterSimOptions, faults = new FaultPlan()): Promise<RunningSim> {
  const tokens = new Map<string, number>();
  const ttl = (opts.tokenTtlSeconds ?? 3600) * 1000;

  const list = (req: SimRequest, name: keyof OneRosterView, rows: readonly Row[]) => {
    const filter = req.url.searchParams.get('filter');
    let out = rows;
    const isDelta = filter?.includes('dateLastModified') ?? false;
    if (!isDelta) out = out.filter((r) => r.status !== 'tobedeleted');
    if (filter) {
      const preds = filter.split(/\s+AND\s+/).map((e) => predicate(e));
      out = out.filter((r) => preds.every((p) => p({ ...(r as unknown as Record<string, unknown>), dateLastModified: new Date(r.dateLastModified).toISOString() })));
    }
    const limit = Number(req.url.searchParams.get('limit') ?? 100);
    const offset = Number(req.url.searchParams.get('offset') ?? 0);
    const page = out.slice(offset, offset + limit).map(toJson);
    return { json: { [name]: maybeDuplicate(req, page) }, headers: { 'x-total-count': String(out.length) } };
  };

  return startSim((req) => {
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
    if (!path.startsWith(ONEROSTER_BASE)) return { status: 404, json: { imsx_codeMajor: 'failure' } };
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || (tokens.get(bearer) ?? 0) < Date.now()) return { status: 401, json: { imsx_codeMajor: 'failure', imsx_description: 'invalid token' } };

    const view = oneRosterView(model, { includeDeleted: true });
    const rest = path.slice(ONEROSTER_BASE.length);
    if (rest === '/orgs') return list(req, 'orgs', view.orgs);
    if (rest === '/users') return list(req, 'users', view.users);
    const m = /^\/schools\/([^/]+)\/(courses|classes|students|teachers|enrollments)$/.exec(rest);
    if (m) {
      const [, school, what] = m as unknown as [string, string, string];
      if (!model.schools.has(school)) return { status: 404, json: { imsx_codeMajor: 'failure', imsx_description: 'unknown school' } };
      const mine = <T extends { schoolSourcedId: string }>(rows: T[]) => rows.filter((r) => r.schoolSourcedId === school);
      switch (what) {
        case 'courses': return list(req, 'courses', mine(view.courses));
        case 'classes': return list(req, 'classes', mine(view.classes));
        case 'enrollments': return list(req, 'enrollments', mine(view.enrollments));
        case 'students': return list(req, 'users', mine(view.users).filter((u) => u.role === 'student'));
        default: return list(req, 'users', mine(view.users).filter((u) => u.role === 'teacher'));
      }
    }
    return { status: 404, json: { imsx_codeMajor: 'failure' } };
  }, faults);
}
