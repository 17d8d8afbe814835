// ЭлЖур (Eljur) apiv3 behind the JournalSource port. `auth` gives a token; replies are wrapped in
// {response:{state,error,result}} and the state (not only the HTTP status) decides the outcome.
// No deltas: full snapshots, in which expelled students and dismissed staff still appear, marked.
// The roster methods have no public basis (README.md): their names are settings of the installation,
// and the class's parents come with their children in one call per class, never one call per parent.
import { z } from 'zod';
import { isoDateFrom } from '../dates.js';
import { JournalSourceError } from '../errors.js';
import { defaultHttpPolicy, httpPolicySchema, parseReply, requestJson, type HttpPolicy } from '../http.js';
import { pagedRead, type ReadStep } from '../paged-read.js';
import type {
  JournalSource,
  PersonRecord,
  ReadRosterOptions,
  RosterPage,
  RosterRecord,
  SchoolInfo,
} from '../port.js';

const methodName = z.string().regex(/^[a-z][a-z0-9_]*$/i, 'an apiv3 method name');

/**
 * The vendor-integration methods the nightly read calls. None is in a public client or in
 * eljur.ru/api (README.md), so each installation names its own; `classParents: null` where the
 * integration lists no parents (then parent–child links come from parents' own sign-ins, R-L5).
 */
export const eljurMethodsSchema = z.object({
  schools: methodName.default('getschools'),
  classes: methodName.default('getclasses'),
  subjects: methodName.default('getsubjects'),
  staff: methodName.default('getstaff'),
  classStudents: methodName.default('getclassstudents'),
  classTeaching: methodName.default('getclassteaching'),
  classParents: methodName.nullable().default('getclassparents'),
});
export type EljurMethods = z.infer<typeof eljurMethodsSchema>;

export const eljurConfigSchema = z
  .object({
    kind: z.literal('eljur'),
    /** https://<vendor>.eljur.ru/apiv3 */
    baseUrl: z.string().url(),
    vendor: z.string().min(1),
    devkey: z.string().min(1),
    /** The integration account's login and password (`auth`); absent on a Госуслуги-only installation. */
    login: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /**
     * A token the vendor issued for the integration (on a Госуслуги-only installation the token flow
     * ends in one: `getusersvendors`). Used as `auth_token` as it is; it cannot be renewed by the hub.
     */
    authToken: z.string().min(1).optional(),
    /** `gosuslugi-only`: the installation has no passwords; without `authToken` the hub refuses at once. */
    signIn: z.enum(['password', 'gosuslugi-only']).default('password'),
    staffPageSize: z.number().int().min(1).max(1000).default(50),
    methods: eljurMethodsSchema.prefault({}),
    http: httpPolicySchema.partial().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.authToken || c.signIn === 'gosuslugi-only') return;
    for (const key of ['login', 'password'] as const) {
      if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required unless authToken is given' });
    }
  });
export type EljurConfig = z.input<typeof eljurConfigSchema>;

const envelope = z.object({
  response: z.object({ state: z.coerce.number(), error: z.string().nullish(), result: z.unknown() }),
});
const idish = z.union([z.number(), z.string()]).transform(String);
const personJson = z.object({
  id: idish,
  lastname: z.string(),
  firstname: z.string(),
  middlename: z.string().nullish(),
  birthday: z.string().nullish(),
  phone: z.string().nullish(),
  email: z.string().nullish(),
});
// Reply schemas are built once: building them per page cost ~13 % of the worker's CPU (bench/RESULTS.md).
const authReply = z.object({ token: z.string() });
const schoolsReply = z.object({ schools: z.array(z.object({ id: idish, title: z.string() })) });
const classesReply = z.object({
  classes: z.array(
    z.object({
      id: idish,
      name: z.string(),
      parallel: z.coerce.number().nullish(),
      hometeacher_id: idish.nullish(),
    }),
  ),
});
const subjectsReply = z.object({ subjects: z.array(z.object({ id: idish, name: z.string() })) });
const staffReply = z.object({
  total: z.coerce.number(),
  staff: z.array(
    personJson.extend({ role: z.enum(['teacher', 'staff', 'admin']), dismissed: z.coerce.boolean() }),
  ),
});
const studentsReply = z.object({
  students: z.array(personJson.extend({ status: z.enum(['active', 'expelled']) })),
});
const teachingReply = z.object({ teaching: z.array(z.object({ teacher_id: idish, subject_id: idish })) });
/** Modelled: the class's parents, each with the ids of their children in the class. */
const parentsReply = z.object({ parents: z.array(personJson.extend({ students: z.array(idish).default([]) })) });
type PersonJson = z.infer<typeof personJson>;

function personRecord(p: PersonJson): PersonRecord {
  const r: PersonRecord = { kind: 'person', externalId: p.id, lastName: p.lastname, firstName: p.firstname };
  if (p.middlename) r.middleName = p.middlename;
  // Eljur writes birthdays as YYYY-MM-DD or DD.MM.YYYY depending on the installation.
  const birth = p.birthday ? isoDateFrom(p.birthday) : undefined;
  if (birth) r.birthDate = birth;
  if (p.phone) r.phone = p.phone;
  if (p.email) r.email = p.email;
  return r;
}

export class EljurSource implements JournalSource {
  readonly kind = 'eljur' as const;
  readonly supportsDelta = false;
  private readonly cfg: z.infer<typeof eljurConfigSchema>;
  private readonly policy: HttpPolicy;
  /** Shared by the listings read at once, so an expired token is renewed by one `auth` call. */
  private token: Promise<string> | undefined;
  private issuedTokenRefused = false;

  constructor(config: EljurConfig) {
    this.cfg = eljurConfigSchema.parse(config);
    this.policy = { ...defaultHttpPolicy, ...this.cfg.http };
  }

  private async raw(
    method: string,
    params: Record<string, string>,
    form?: Record<string, string>,
  ): Promise<{ state: number; error?: string | null; result: unknown }> {
    const q = new URLSearchParams({
      ...params,
      devkey: this.cfg.devkey,
      vendor: this.cfg.vendor,
      out_format: 'json',
    });
    // Eljur answers its own errors with 4xx and the wrapper; those are read, not retried.
    const reply = await requestJson(
      `${this.cfg.baseUrl}/${method}?${q.toString()}`,
      form
        ? {
            method: 'POST',
            headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(form).toString(),
          }
        : { headers: { accept: 'application/json' } },
      this.policy,
      (s) => s < 500 && s !== 429 && s !== 408,
    );
    return parseReply(envelope, reply.body, method).response;
  }

  private async call<T>(method: string, params: Record<string, string>, schema: z.ZodType<T>): Promise<T> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = (this.token ??= this.authenticate());
      let auth: string;
      try {
        auth = await token;
      } catch (e) {
        if (this.token === token) this.token = undefined;
        throw e;
      }
      const r = await this.raw(method, { ...params, auth_token: auth });
      if (r.state === 200) return parseReply(schema, r.result, method);
      // An expired token is renewed once through `auth`; a refused vendor-issued token only when a
      // password is configured too.
      if (r.state === 401 && auth === this.cfg.authToken) this.issuedTokenRefused = true;
      if (r.state === 401 && attempt === 0 && this.canSignIn()) {
        if (this.token === token) this.token = undefined;
        continue;
      }
      throw this.translate(r.state, r.error, method);
    }
    throw new JournalSourceError({ code: 'auth', reason: 'token refused twice' });
  }

  private canSignIn(): boolean {
    return this.cfg.signIn === 'password' && !!this.cfg.login && !!this.cfg.password;
  }

  private async authenticate(): Promise<string> {
    if (this.cfg.authToken && !this.issuedTokenRefused) return this.cfg.authToken;
    if (!this.canSignIn()) {
      if (this.cfg.signIn === 'gosuslugi-only') throw new JournalSourceError({ code: 'auth', reason: 'gosuslugi-only', because: 'eljur-gosuslugi-only' });
      throw new JournalSourceError({ code: 'auth', reason: 'the integration token was refused' });
    }
    // The password goes in a form body (as public clients post it), never in a URL a proxy might log.
    const r = await this.raw('auth', {}, { login: this.cfg.login ?? '', password: this.cfg.password ?? '' });
    if (r.state !== 200) throw this.translate(r.state, r.error, 'auth');
    return parseReply(authReply, r.result, 'auth').token;
  }

  private translate(state: number, error: string | null | undefined, method: string): JournalSourceError {
    // A host that went Госуслуги-only refuses password sign-in; its words name it (assumed, README.md).
    if (method === 'auth' && error && /госуслуг|есиа|esia|gosuslugi/i.test(error))
      return new JournalSourceError({ code: 'auth', reason: error, because: 'eljur-gosuslugi-only' });
    if (method === 'auth' || state === 401 || state === 403)
      return new JournalSourceError({ code: 'auth', reason: error ?? `state ${state}` });
    if (state === 404)
      return new JournalSourceError({ code: 'not-found', what: `${method}: ${error ?? ''}` });
    return new JournalSourceError({
      code: 'bad-data',
      problem: 'unexpected-reply',
      note: `${method}: state ${state}`,
    });
  }

  async listSchools(): Promise<SchoolInfo[]> {
    const { schools } = await this.call(this.cfg.methods.schools, {}, schoolsReply);
    const seen = new Set<string>();
    return schools
      .filter((s) => !seen.has(s.id) && seen.add(s.id))
      .map((s) => ({ externalId: s.id, name: s.title }));
  }

  readRoster(school: string, options: ReadRosterOptions = {}): AsyncIterable<RosterPage> {
    const m = this.cfg.methods;
    return pagedRead({ source: this.kind, school, lookahead: this.policy.readAhead, ...options }, async () => {
      const { classes } = await this.call(m.classes, { school }, classesReply);
      const steps: ReadStep[] = [
        {
          key: 'subjects',
          fetch: async () => {
            const { subjects } = await this.call(m.subjects, { school }, subjectsReply);
            return {
              records: subjects.map((s) => ({ kind: 'subject' as const, externalId: s.id, name: s.name })),
              next: null,
            };
          },
        },
        {
          key: 'classes',
          fetch: async () => ({
            records: classes.flatMap((c): RosterRecord[] => [
              { kind: 'class', externalId: c.id, name: c.name, grade: c.parallel ?? null },
              ...(c.hometeacher_id
                ? [{ kind: 'class-teacher' as const, classId: c.id, teacherId: c.hometeacher_id }]
                : []),
            ]),
            next: null,
          }),
        },
        {
          key: 'staff',
          fetch: async (cursor) => {
            const page = Number(cursor ?? 1);
            const { staff, total } = await this.call(
              m.staff,
              { school, page: String(page), limit: String(this.cfg.staffPageSize) },
              staffReply,
            );
            const records = staff.flatMap((s): RosterRecord[] => [
              ...(s.dismissed ? [] : [personRecord(s)]),
              { kind: 'staff', personId: s.id, role: s.role, status: s.dismissed ? 'dismissed' : 'employed' },
            ]);
            return { records, next: page * this.cfg.staffPageSize < total ? String(page + 1) : null };
          },
        },
      ];
      for (const c of classes) {
        steps.push(
          {
            key: `class:${c.id}:students`,
            fetch: async () => {
              const { students } = await this.call(m.classStudents, { class: c.id }, studentsReply);
              return {
                records: students.flatMap((s) => [
                  personRecord(s),
                  { kind: 'enrollment' as const, studentId: s.id, classId: c.id, status: s.status },
                ]),
                next: null,
              };
            },
          },
          {
            key: `class:${c.id}:teaching`,
            fetch: async () => {
              const { teaching } = await this.call(m.classTeaching, { class: c.id }, teachingReply);
              return {
                records: teaching.map((t) => ({
                  kind: 'teaching' as const,
                  teacherId: t.teacher_id,
                  subjectId: t.subject_id,
                  classId: c.id,
                })),
                next: null,
              };
            },
          },
        );
        const classParents = m.classParents;
        if (classParents) {
          steps.push({
            // One call per class: its parents and, with each, their children in the class.
            key: `class:${c.id}:parents`,
            fetch: async () => {
              const { parents } = await this.call(classParents, { class: c.id }, parentsReply);
              return {
                records: parents.flatMap((p): RosterRecord[] => [
                  personRecord(p),
                  ...p.students.map((child) => ({ kind: 'guardianship' as const, parentId: p.id, childId: child })),
                ]),
                next: null,
              };
            },
          });
        }
      }
      return steps;
    });
  }
}
