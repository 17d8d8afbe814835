// OneRoster 1.2 REST (rostering service) behind the JournalSource port.
// OAuth 2 client credentials; collections paged with limit/offset, sorted by sourcedId (an offset
// means something only over an ordered set), the next offset counted from the rows received (a
// provider may cap `limit` lower than asked); deltas with `filter=dateLastModified>'…'`, where
// ended facts arrive with status `tobedeleted`. A 1.1 (or 1.0) service root is refused by name:
// those versions sign requests with OAuth 1.0a, which this adapter does not do.
// A school's parents are the `agents` its students name, read by id in batches
// (`sourcedId='a' OR sourcedId='b' …`), so a school's read costs what the school holds, not what
// the region holds (README.md, "Parents").
import { z } from 'zod';
import { JournalSourceError } from '../errors.js';
import { defaultHttpPolicy, httpPolicySchema, parseReply, requestJson, type HttpPolicy } from '../http.js';
import { pagedRead, type ReadStep } from '../paged-read.js';
import type { JournalSource, ReadRosterOptions, RosterPage, RosterRecord, SchoolInfo } from '../port.js';
import { classIndexEntry, classRecords, courseRecords, enrollmentRecords, GUARDIAN_ROLES, STAFF_ROLES, userRecords, type ClassIndexEntry, type OrClass, type OrUser } from '../oneroster-common/mapping.js';

export const oneRosterRestConfigSchema = z.object({
  kind: z.literal('oneroster-rest'),
  /** Service root, e.g. https://sis.example/ims/oneroster/rostering/v1p2 */
  baseUrl: z.string().url(),
  tokenUrl: z.string().url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  scope: z.string().optional(),
  pageSize: z.number().int().min(1).max(10_000).default(100),
  /**
   * Parents asked for in one request (`sourcedId='a' OR …`), at most `pageSize`. A provider that
   * refuses a long filter with 400 is asked two at a time from then on (the binding's baseline of
   * one logical operator), one if it refuses that too; 1 asks one id per request from the start.
   */
  parentsPerRequest: z.number().int().min(1).max(100).default(50),
  http: httpPolicySchema.partial().optional(),
});
export type OneRosterRestConfig = z.input<typeof oneRosterRestConfigSchema>;

const ref = z.object({ sourcedId: z.string() });
const bool = z.union([z.boolean(), z.string().transform((s) => s.toLowerCase() === 'true')]);
const userJson = z.object({
  sourcedId: z.string(),
  status: z.string().default('active'),
  dateLastModified: z.string().nullish(),
  enabledUser: bool.default(true),
  role: z.string().optional(),
  roles: z.array(z.object({ roleType: z.string(), role: z.string(), org: ref.optional() })).optional(),
  orgs: z.array(ref).optional(),
  givenName: z.string(),
  familyName: z.string(),
  middleName: z.string().nullish(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  sms: z.string().nullish(),
  agents: z.array(ref).optional(),
});
const classJson = z.object({
  sourcedId: z.string(),
  status: z.string().default('active'),
  title: z.string(),
  classType: z.string().default('scheduled'),
  grades: z.array(z.string()).nullish(),
  course: ref.nullish(),
  subjects: z.array(z.string()).nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
});
const courseJson = z.object({ sourcedId: z.string(), status: z.string().default('active'), title: z.string(), courseCode: z.string().nullish() });
const enrollmentJson = z.object({ sourcedId: z.string(), status: z.string().default('active'), role: z.string(), primary: bool.default(false), class: ref, user: ref });
const orgJson = z.object({ sourcedId: z.string(), status: z.string().default('active'), name: z.string(), type: z.string() });

/**
 * `school`: staff roles count only where their org is that school (or unnamed), so a teacher of
 * another school who is a parent here is not staff here; guardian roles count whatever their org
 * (many providers put parents under the district).
 */
function toOrUser(u: z.infer<typeof userJson>, school?: string): OrUser {
  const role = u.roles?.find((r) => r.roleType === 'primary')?.role ?? u.roles?.[0]?.role ?? u.role ?? '';
  const roles = (u.roles ?? []).filter((r) => GUARDIAN_ROLES.has(r.role) || school === undefined || !r.org || r.org.sourcedId === school).map((r) => r.role);
  const primaryHere = u.roles === undefined || roles.includes(role) || !STAFF_ROLES[role];
  return {
    sourcedId: u.sourcedId, status: u.status, enabledUser: u.enabledUser, role: primaryHere ? role : '', roles, givenName: u.givenName, familyName: u.familyName,
    middleName: u.middleName ?? undefined, email: u.email ?? undefined, phone: u.phone ?? u.sms ?? undefined,
    agentSourcedIds: (u.agents ?? []).map((a) => a.sourcedId),
  };
}
function toOrClass(c: z.infer<typeof classJson>): OrClass {
  const homeroom = c.metadata?.['ru.homeroomSourcedId'];
  return {
    sourcedId: c.sourcedId, status: c.status, title: c.title, classType: c.classType, grades: c.grades ?? [],
    courseSourcedId: c.course?.sourcedId, subjects: c.subjects ?? [], homeroomSourcedId: typeof homeroom === 'string' ? homeroom : undefined,
  };
}
function belongsTo(u: z.infer<typeof userJson>, school: string): boolean {
  return (u.roles ?? []).some((r) => r.org?.sourcedId === school) || (u.orgs ?? []).some((o) => o.sourcedId === school);
}
/**
 * A user read as someone's parent: in the guardian role it holds (a provider may list one user
 * with several roles, e.g. a teacher who is also a parent), or nothing when it holds none.
 */
function asGuardian(u: z.infer<typeof userJson>): OrUser | undefined {
  const role = [u.role, ...(u.roles ?? []).map((r) => r.role)].find((r) => r !== undefined && GUARDIAN_ROLES.has(r));
  // Only the guardian role: the user's staff roles, if any, belong to its own school's read.
  return role === undefined ? undefined : { ...toOrUser(u), role, roles: [role] };
}
/** Changed after `sinceMs` (a row without a stamp counts as changed). */
function changedSince(u: z.infer<typeof userJson>, sinceMs: number | undefined): boolean {
  if (sinceMs === undefined || !u.dateLastModified) return true;
  const at = Date.parse(u.dateLastModified);
  return Number.isNaN(at) || at > sinceMs;
}
/** A OneRoster filter string literal. */
const quoted = (s: string) => `'${s.replaceAll("'", "''")}'`;
/** Cursor of the parents step: the position in the sorted id list (`p:<n>`). */
const PARENTS_CURSOR = /^p:(\d+)$/;
/**
 * Staff without a school-scoped listing, one region-wide listing per 1.2 role (a role filter each,
 * with no OR: a delta adds `AND dateLastModified>…`, and the baseline grammar takes one operator).
 * Step keys of the 1.1-era listings stay for the roles that replaced them, so checkpoints resume.
 */
const STAFF_LISTINGS = [
  { key: 'administrators', role: 'siteAdministrator' },
  { key: 'principals', role: 'principal' },
  { key: 'aides', role: 'aide' },
  { key: 'counselors', role: 'counselor' },
  { key: 'proctors', role: 'proctor' },
] as const;
/** A 1.0 / 1.1 service root (`…/v1p1`): those bindings sign with OAuth 1.0a. */
const OLD_VERSION = /\/v1p([01])(?:\/|$)/;

/**
 * Next offset and whether to ask again, from what the provider actually sent: the rows received
 * (a provider may cap `limit` below what was asked), and X-Total-Count when it sends one. Without
 * it, only an empty page ends the listing: a short page may be a capped one.
 */
/** Rows a page moved the offset by: a row sent twice word for word in one page (a provider's fault) counts once. */
const distinctRows = (rows: readonly unknown[]): number => new Set(rows.map((r) => JSON.stringify(r))).size;

export function nextOffset(offset: number, received: number, total: number | undefined): { next: number; more: boolean } {
  const next = offset + received;
  return { next, more: received > 0 && (total === undefined || next < total) };
}

export class OneRosterRestSource implements JournalSource {
  readonly kind = 'oneroster-rest' as const;
  readonly supportsDelta = true;
  private readonly cfg: z.infer<typeof oneRosterRestConfigSchema>;
  private readonly policy: HttpPolicy;
  private tokenRequest: Promise<string> | undefined;
  private token: { value: string; until: number } | undefined;

  constructor(config: OneRosterRestConfig) {
    this.cfg = oneRosterRestConfigSchema.parse(config);
    this.policy = { ...defaultHttpPolicy, ...this.cfg.http };
  }

  private async accessToken(fresh = false): Promise<string> {
    if (!fresh && this.token && this.token.until > Date.now()) return this.token.value;
    // Listings are read several at a time: they share one token request.
    this.tokenRequest ??= this.requestToken().finally(() => (this.tokenRequest = undefined));
    return this.tokenRequest;
  }

  private async requestToken(): Promise<string> {
    const basic = Buffer.from(`${this.cfg.clientId}:${this.cfg.clientSecret}`).toString('base64');
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.cfg.scope) form.set('scope', this.cfg.scope);
    const reply = await requestJson(this.cfg.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    }, this.policy, (s) => (s >= 200 && s < 300) || s === 400 || s === 401);
    if (reply.status !== 200) throw new JournalSourceError({ code: 'auth', reason: 'token endpoint refused the client' });
    const body = parseReply(z.object({ access_token: z.string(), expires_in: z.coerce.number().default(3600) }), reply.body, 'token');
    this.token = { value: body.access_token, until: Date.now() + Math.max(0, body.expires_in - 60) * 1000 };
    return body.access_token;
  }

  /**
   * GET with the bearer token; one refresh on 401 (an expired token), then `auth`. With
   * `filterRefusal`, a 400 is an answer (`refused`) instead of a `bad-data` error.
   */
  private async get(path: string, params: Record<string, string>, opts: { filterRefusal?: boolean } = {}): Promise<{ body: unknown; total: number | undefined; refused?: true }> {
    const old = OLD_VERSION.exec(new URL(this.cfg.baseUrl).pathname);
    if (old) {
      throw new JournalSourceError({
        code: 'not-configured',
        reason: 'unsupported-version',
        note: `OneRoster 1.${old[1]} REST (v1p${old[1]}) signs requests with OAuth 1.0a, which is not supported; use the provider's OneRoster 1.2 endpoint (…/v1p2) or a CSV export`,
      });
    }
    // Offsets page over a set only when the set has an order: every listing is sorted by id.
    const query = 'offset' in params ? { ...params, sort: 'sourcedId', orderBy: 'asc' } : params;
    const url = `${this.cfg.baseUrl}${path}?${new URLSearchParams(query).toString()}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await this.accessToken(attempt > 0);
      const reply = await requestJson(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, this.policy, (s) => (s >= 200 && s < 300) || s === 401 || (s === 400 && opts.filterRefusal === true));
      if (reply.status === 401) continue;
      if (reply.status === 400) return { body: reply.body, total: undefined, refused: true };
      const total = reply.header('x-total-count');
      return { body: reply.body, total: total === null ? undefined : Number(total) };
    }
    throw new JournalSourceError({ code: 'auth', reason: 'token refused by the rostering service' });
  }

  async listSchools(): Promise<SchoolInfo[]> {
    const out: SchoolInfo[] = [];
    for (let offset = 0; ; ) {
      const { body, total } = await this.get('/orgs', { filter: "type='school'", limit: String(this.cfg.pageSize), offset: String(offset) });
      const { orgs } = parseReply(z.object({ orgs: z.array(orgJson) }), body, 'orgs');
      for (const o of orgs) if (o.type === 'school' && o.status === 'active' && !out.some((s) => s.externalId === o.sourcedId)) out.push({ externalId: o.sourcedId, name: o.name });
      const { next, more } = nextOffset(offset, distinctRows(orgs), total);
      if (!more) return out;
      offset = next;
    }
  }

  /** One collection, limit/offset paged; the cursor is the next offset. */
  private collection<T>(key: string, path: string, field: string, schema: z.ZodType<T>, filter: string | undefined, map: (row: T) => RosterRecord[]): ReadStep {
    return {
      key,
      fetch: async (cursor) => {
        const offset = Number(cursor ?? 0);
        const params: Record<string, string> = { limit: String(this.cfg.pageSize), offset: String(offset) };
        if (filter) params.filter = filter;
        const { body, total } = await this.get(path, params);
        const rows = parseReply(z.object({ [field]: z.array(schema) }), body, path)[field] as T[];
        const { next, more } = nextOffset(offset, distinctRows(rows), total);
        return { records: rows.flatMap(map), next: more ? String(next) : null };
      },
    };
  }

  private async classIndex(school: string): Promise<Map<string, ClassIndexEntry>> {
    const index = new Map<string, ClassIndexEntry>();
    const step = this.collection('index', `/schools/${school}/classes`, 'classes', classJson, undefined, (c) => {
      index.set(c.sourcedId, classIndexEntry(toOrClass(c)));
      return [];
    });
    for (let cursor: string | null = null; ; ) {
      cursor = (await step.fetch(cursor)).next;
      if (cursor === null) return index;
    }
  }

  /** Parents named as `agents` by the school's students (every one, not only changed ones), sorted. */
  private async agentIndex(school: string): Promise<string[]> {
    const ids = new Set<string>();
    const step = this.collection('agents', `/schools/${school}/students`, 'users', userJson, undefined, (u) => {
      for (const a of u.agents ?? []) ids.add(a.sourcedId);
      return [];
    });
    for (let cursor: string | null = null; ; ) {
      cursor = (await step.fetch(cursor)).next;
      if (cursor === null) return [...ids].sort();
    }
  }

  /**
   * Ids per request: the setting, at most a page; once the provider refused a longer filter (400),
   * two (the binding's baseline: one logical operator), then one (no operator at all).
   */
  private idsPerRequest(): number {
    return Math.min(this.cfg.parentsPerRequest, this.cfg.pageSize, this.refusedAbove ?? Infinity);
  }
  /** Ids per request the provider is known to take at most, after it refused more. */
  private refusedAbove: number | undefined;

  /** Users with these ids (`sourcedId='a' OR …`, paged if the reply is longer than a page); undefined when the filter was refused. */
  private async usersById(ids: readonly string[]): Promise<Array<z.infer<typeof userJson>> | undefined> {
    const filter = ids.map((id) => `sourcedId=${quoted(id)}`).join(' OR ');
    const out: Array<z.infer<typeof userJson>> = [];
    for (let offset = 0; ; ) {
      const reply = await this.get('/users', { filter, limit: String(this.cfg.pageSize), offset: String(offset) }, { filterRefusal: ids.length > 1 });
      if (reply.refused) return undefined;
      const { users } = parseReply(z.object({ users: z.array(userJson) }), reply.body, '/users');
      out.push(...users);
      // Asked by id, the reply holds at most the ids asked: once every one came, nothing is left.
      if (new Set(out.map((u) => u.sourcedId)).size >= ids.length) return out;
      const { next, more } = nextOffset(offset, distinctRows(users), reply.total);
      if (!more) return out;
      offset = next;
    }
  }

  readRoster(school: string, options: ReadRosterOptions = {}): AsyncIterable<RosterPage> {
    return pagedRead({ source: this.kind, school, lookahead: this.policy.readAhead, ...options }, (since) => {
      const changed = since ? `dateLastModified>'${since}'` : undefined;
      const sinceMs = since ? Date.parse(since) : undefined;
      const and = (f: string) => (changed ? `${f} AND ${changed}` : f);
      const users = (u: z.infer<typeof userJson>) => (belongsTo(u, school) ? userRecords(toOrUser(u, school)) : []);
      let index: Map<string, ClassIndexEntry> | undefined;
      const enrollments = this.collection('enrollments', `/schools/${school}/enrollments`, 'enrollments', enrollmentJson, changed, (e) =>
        enrollmentRecords(
          { sourcedId: e.sourcedId, status: e.status, classSourcedId: e.class.sourcedId, userSourcedId: e.user.sourcedId, role: e.role, primary: e.primary },
          index?.get(e.class.sourcedId) ?? { role: 'homeroom', deleted: true },
        ) ?? [],
      );
      // The students listing names the parents (`agents`). A full read that lists every student
      // keeps them for the parents step, which otherwise (a delta, a read resumed past the
      // students) lists the students once more for them.
      const agents = { ids: new Set<string>(), fromStart: false, complete: false };
      const students = this.collection('students', `/schools/${school}/students`, 'users', userJson, changed, (u) => {
        if (!changed) for (const a of u.agents ?? []) agents.ids.add(a.sourcedId);
        return userRecords(toOrUser(u, school));
      });
      let parentIds: Promise<string[]> | undefined;
      const parentIdList = () =>
        (parentIds ??= agents.complete ? Promise.resolve([...agents.ids].sort()) : this.agentIndex(school)).catch((e: unknown) => {
          parentIds = undefined;
          throw e;
        });
      return [
        this.collection('courses', `/schools/${school}/courses`, 'courses', courseJson, changed, (c) => courseRecords({ ...c, courseCode: c.courseCode ?? undefined })),
        this.collection('classes', `/schools/${school}/classes`, 'classes', classJson, changed, (c) => classRecords(toOrClass(c), true)),
        {
          key: students.key,
          fetch: async (cursor) => {
            if (cursor === null) agents.fromStart = true;
            const page = await students.fetch(cursor);
            if (page.next === null && agents.fromStart && !changed) agents.complete = true;
            return page;
          },
        },
        this.collection('teachers', `/schools/${school}/teachers`, 'users', userJson, changed, (u) => userRecords(toOrUser(u, school))),
        // OneRoster has no school-scoped listing of administrators, aides, counselors, proctors:
        // these stay region-wide, kept when a role's org is the school (a handful of rows per school).
        ...STAFF_LISTINGS.map(({ key, role }) => this.collection(key, '/users', 'users', userJson, and(`roles.role=${quoted(role)}`), users)),
        {
          key: enrollments.key,
          // Enrollments need their class's kind (homeroom or section); the index is rebuilt per read,
          // so a read resumed at this step has it too. A class the provider no longer lists ended.
          fetch: async (cursor) => {
            index ??= await this.classIndex(school);
            return enrollments.fetch(cursor);
          },
        },
        {
          key: 'parents',
          // The students' agents, sorted, asked for by id a batch at a time; the cursor is the
          // position in that list. A delta keeps the parents whose row changed after `since`: a
          // parent can change (a phone, a new child) while none of their children's rows does.
          // A cursor of the older region-wide form (a bare offset) starts the list again.
          fetch: async (cursor) => {
            const ids = await parentIdList();
            const start = Number(PARENTS_CURSOR.exec(cursor ?? '')?.[1] ?? 0);
            for (;;) {
              const batch = ids.slice(start, start + this.idsPerRequest());
              const rows = batch.length ? await this.usersById(batch) : [];
              if (!rows) {
                this.refusedAbove = batch.length > 2 ? 2 : 1;
                continue;
              }
              const records = rows.flatMap((u) => {
                const parent = asGuardian(u);
                return parent && changedSince(u, sinceMs) ? userRecords(parent) : [];
              });
              const next = start + batch.length;
              return { records, next: next < ids.length ? `p:${next}` : null };
            }
          },
        },
      ];
    });
  }
}
