// OneRoster 1.2 REST (rostering service) behind the JournalSource port.
// OAuth 2 client credentials; collections paged with limit/offset; deltas with
// `filter=dateLastModified>'…'`, where ended facts arrive with status `tobedeleted`.
import { z } from 'zod';
import { JournalSourceError } from '../errors.js';
import { defaultHttpPolicy, httpPolicySchema, parseReply, requestJson, type HttpPolicy } from '../http.js';
import { pagedRead, type ReadStep } from '../paged-read.js';
import type { JournalSource, ReadRosterOptions, RosterPage, RosterRecord, SchoolInfo } from '../port.js';
import { classIndexEntry, classRecords, courseRecords, enrollmentRecords, userRecords, type ClassIndexEntry, type OrClass, type OrUser } from '../oneroster-common/mapping.js';

export const oneRosterRestConfigSchema = z.object({
  kind: z.literal('oneroster-rest'),
  /** Service root, e.g. https://sis.example/ims/oneroster/rostering/v1p2 */
  baseUrl: z.string().url(),
  tokenUrl: z.string().url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  scope: z.string().optional(),
  pageSize: z.number().int().min(1).max(10_000).default(100),
  http: httpPolicySchema.partial().optional(),
});
export type OneRosterRestConfig = z.input<typeof oneRosterRestConfigSchema>;

const ref = z.object({ sourcedId: z.string() });
const bool = z.union([z.boolean(), z.string().transform((s) => s.toLowerCase() === 'true')]);
const userJson = z.object({
  sourcedId: z.string(),
  status: z.string().default('active'),
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

function toOrUser(u: z.infer<typeof userJson>): OrUser {
  const role = u.roles?.find((r) => r.roleType === 'primary')?.role ?? u.roles?.[0]?.role ?? u.role ?? '';
  return {
    sourcedId: u.sourcedId, status: u.status, enabledUser: u.enabledUser, role, givenName: u.givenName, familyName: u.familyName,
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

  /** GET with the bearer token; one refresh on 401 (an expired token), then `auth`. */
  private async get(path: string, params: Record<string, string>): Promise<{ body: unknown; total: number | undefined }> {
    const url = `${this.cfg.baseUrl}${path}?${new URLSearchParams(params).toString()}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = await this.accessToken(attempt > 0);
      const reply = await requestJson(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, this.policy, (s) => (s >= 200 && s < 300) || s === 401);
      if (reply.status === 401) continue;
      const total = reply.header('x-total-count');
      return { body: reply.body, total: total === null ? undefined : Number(total) };
    }
    throw new JournalSourceError({ code: 'auth', reason: 'token refused by the rostering service' });
  }

  async listSchools(): Promise<SchoolInfo[]> {
    const out: SchoolInfo[] = [];
    for (let offset = 0; ; offset += this.cfg.pageSize) {
      const { body, total } = await this.get('/orgs', { filter: "type='school'", limit: String(this.cfg.pageSize), offset: String(offset) });
      const { orgs } = parseReply(z.object({ orgs: z.array(orgJson) }), body, 'orgs');
      for (const o of orgs) if (o.type === 'school' && o.status === 'active' && !out.some((s) => s.externalId === o.sourcedId)) out.push({ externalId: o.sourcedId, name: o.name });
      if (orgs.length < this.cfg.pageSize || (total !== undefined && offset + this.cfg.pageSize >= total)) return out;
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
        const next = offset + this.cfg.pageSize;
        const more = total !== undefined ? next < total : rows.length >= this.cfg.pageSize;
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

  readRoster(school: string, options: ReadRosterOptions = {}): AsyncIterable<RosterPage> {
    return pagedRead({ source: this.kind, school, lookahead: this.policy.readAhead, ...options }, (since) => {
      const changed = since ? `dateLastModified>'${since}'` : undefined;
      const and = (f: string) => (changed ? `${f} AND ${changed}` : f);
      const users = (u: z.infer<typeof userJson>) => (belongsTo(u, school) ? userRecords(toOrUser(u)) : []);
      let index: Map<string, ClassIndexEntry> | undefined;
      const enrollments = this.collection('enrollments', `/schools/${school}/enrollments`, 'enrollments', enrollmentJson, changed, (e) =>
        enrollmentRecords(
          { sourcedId: e.sourcedId, status: e.status, classSourcedId: e.class.sourcedId, userSourcedId: e.user.sourcedId, role: e.role, primary: e.primary },
          index?.get(e.class.sourcedId) ?? { role: 'homeroom', deleted: true },
        ) ?? [],
      );
      return [
        this.collection('courses', `/schools/${school}/courses`, 'courses', courseJson, changed, (c) => courseRecords({ ...c, courseCode: c.courseCode ?? undefined })),
        this.collection('classes', `/schools/${school}/classes`, 'classes', classJson, changed, (c) => classRecords(toOrClass(c), true)),
        this.collection('students', `/schools/${school}/students`, 'users', userJson, changed, (u) => userRecords(toOrUser(u))),
        this.collection('teachers', `/schools/${school}/teachers`, 'users', userJson, changed, (u) => userRecords(toOrUser(u))),
        this.collection('administrators', '/users', 'users', userJson, and("role='administrator'"), users),
        this.collection('aides', '/users', 'users', userJson, and("role='aide'"), users),
        this.collection('parents', '/users', 'users', userJson, and("role='parent'"), users),
        {
          key: enrollments.key,
          // Enrollments need their class's kind (homeroom or section); the index is rebuilt per read,
          // so a read resumed at this step has it too. A class the provider no longer lists ended.
          fetch: async (cursor) => {
            index ??= await this.classIndex(school);
            return enrollments.fetch(cursor);
          },
        },
      ];
    });
  }
}
