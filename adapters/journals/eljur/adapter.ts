// ЭлЖур (Eljur) apiv3 behind the JournalSource port. `auth` gives a token; replies are wrapped in
// {response:{state,error,result}} and the state (not only the HTTP status) decides the outcome.
// No deltas: full snapshots, in which expelled students and dismissed staff still appear, marked.
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

export const eljurConfigSchema = z.object({
  kind: z.literal('eljur'),
  /** https://<vendor>.eljur.ru/apiv3 */
  baseUrl: z.string().url(),
  vendor: z.string().min(1),
  devkey: z.string().min(1),
  login: z.string().min(1),
  password: z.string().min(1),
  staffPageSize: z.number().int().min(1).max(1000).default(50),
  /** Parents whose relations (`getrules`) are read per page, one request each. */
  rulesBatch: z.number().int().min(1).max(500).default(20),
  http: httpPolicySchema.partial().optional(),
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
const parentsReply = z.object({ parents: z.array(personJson) });
const rulesReply = z.object({
  relations: z
    .object({
      students: z
        .record(z.string(), z.object({ name: idish }))
        .or(z.array(z.never()))
        .default({}),
    })
    .default({ students: {} }),
});

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

  constructor(config: EljurConfig) {
    this.cfg = eljurConfigSchema.parse(config);
    this.policy = { ...defaultHttpPolicy, ...this.cfg.http };
  }

  private async raw(
    method: string,
    params: Record<string, string>,
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
      { headers: { accept: 'application/json' } },
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
      if (r.state === 401 && attempt === 0) {
        if (this.token === token) this.token = undefined; // expired: authenticate once more
        continue;
      }
      throw this.translate(r.state, r.error, method);
    }
    throw new JournalSourceError({ code: 'auth', reason: 'token refused twice' });
  }

  private async authenticate(): Promise<string> {
    const r = await this.raw('auth', { login: this.cfg.login, password: this.cfg.password });
    if (r.state !== 200) throw this.translate(r.state, r.error, 'auth');
    return parseReply(authReply, r.result, 'auth').token;
  }

  private translate(state: number, error: string | null | undefined, method: string): JournalSourceError {
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

  private rules(parentId: string) {
    return this.call('getrules', { id: parentId }, rulesReply);
  }

  async listSchools(): Promise<SchoolInfo[]> {
    const { schools } = await this.call('getschools', {}, schoolsReply);
    const seen = new Set<string>();
    return schools
      .filter((s) => !seen.has(s.id) && seen.add(s.id))
      .map((s) => ({ externalId: s.id, name: s.title }));
  }

  readRoster(school: string, options: ReadRosterOptions = {}): AsyncIterable<RosterPage> {
    return pagedRead({ source: this.kind, school, lookahead: this.policy.readAhead, ...options }, async () => {
      const { classes } = await this.call('getclasses', { school }, classesReply);
      // A parent of children in several classes is listed in each; their relations are asked for once.
      const rulesOf = new Map<string, ReturnType<typeof this.rules>>();
      const rules = (parentId: string) => {
        let r = rulesOf.get(parentId);
        if (!r) {
          r = this.rules(parentId);
          rulesOf.set(parentId, r);
          r.catch(() => rulesOf.delete(parentId));
        }
        return r;
      };
      const steps: ReadStep[] = [
        {
          key: 'subjects',
          fetch: async () => {
            const { subjects } = await this.call('getsubjects', { school }, subjectsReply);
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
              'getstaff',
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
        let parents: PersonJson[] | undefined;
        steps.push(
          {
            key: `class:${c.id}:students`,
            fetch: async () => {
              const { students } = await this.call('getclassstudents', { class: c.id }, studentsReply);
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
              const { teaching } = await this.call('getclassteaching', { class: c.id }, teachingReply);
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
          {
            // Parents of the class, then each parent's relations (getrules) in batches.
            key: `class:${c.id}:parents`,
            fetch: async (cursor) => {
              parents ??= (await this.call('getclassparents', { class: c.id }, parentsReply)).parents;
              const from = Number(cursor ?? 0);
              const records: RosterRecord[] = [];
              for (const p of parents.slice(from, from + this.cfg.rulesBatch)) {
                const { relations } = await rules(p.id);
                records.push(personRecord(p));
                for (const child of Object.values(relations.students))
                  records.push({ kind: 'guardianship', parentId: p.id, childId: child.name });
              }
              const next = from + this.cfg.rulesBatch;
              return { records, next: next < parents.length ? String(next) : null };
            },
          },
        );
      }
      return steps;
    });
  }
}
