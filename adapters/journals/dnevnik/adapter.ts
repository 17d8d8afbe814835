// Dnevnik.ru (/v2/ partner API, `Access-Token` header) behind the JournalSource port. No deltas:
// every read is a full snapshot; ended enrollments and employment show as absence.
import { z } from 'zod';
import { defaultHttpPolicy, httpPolicySchema, parseReply, requestJson, type HttpPolicy } from '../http.js';
import { pagedRead, type ReadStep } from '../paged-read.js';
import type { JournalSource, PersonRecord, ReadRosterOptions, RosterPage, RosterRecord, SchoolInfo } from '../port.js';

export const dnevnikConfigSchema = z.object({
  kind: z.literal('dnevnik'),
  baseUrl: z.string().url().default('https://api.dnevnik.ru'),
  accessToken: z.string().min(1),
  /** Students whose relatives are fetched per page (one request each). */
  relativesBatch: z.number().int().min(1).max(500).default(20),
  http: httpPolicySchema.partial().optional(),
});
export type DnevnikConfig = z.input<typeof dnevnikConfigSchema>;

const idish = z.union([z.number(), z.string()]).transform(String);
const personJson = z.object({
  id: idish,
  id_str: z.string().optional(),
  userId: idish.optional(),
  userId_str: z.string().optional(),
  lastName: z.string(),
  firstName: z.string(),
  middleName: z.string().nullish(),
  birthday: z.string().nullish(),
});
type PersonJson = z.infer<typeof personJson>;
const groupJson = z.object({ id: idish, id_str: z.string().optional(), name: z.string(), parallel: z.number().nullish() });
const subjectJson = z.object({ id: idish, id_str: z.string().optional(), name: z.string() });
const groupTeacherJson = z.object({ teacher: idish, teacher_str: z.string().optional(), subjects: z.array(idish) });
const relativeJson = z.object({ relativeType: z.string(), person: personJson });

const pid = (p: PersonJson) => p.id_str ?? p.id;
function personRecord(p: PersonJson): PersonRecord {
  const r: PersonRecord = { kind: 'person', externalId: pid(p), lastName: p.lastName, firstName: p.firstName };
  if (p.middleName) r.middleName = p.middleName;
  if (p.birthday) r.birthDate = p.birthday.slice(0, 10);
  return r;
}

export class DnevnikSource implements JournalSource {
  readonly kind = 'dnevnik' as const;
  readonly supportsDelta = false;
  private readonly cfg: z.infer<typeof dnevnikConfigSchema>;
  private readonly policy: HttpPolicy;

  constructor(config: DnevnikConfig) {
    this.cfg = dnevnikConfigSchema.parse(config);
    this.policy = { ...defaultHttpPolicy, ...this.cfg.http };
  }

  private async get<T>(path: string, schema: z.ZodType<T>, params?: URLSearchParams): Promise<T> {
    const url = `${this.cfg.baseUrl}${path}${params ? `?${params.toString()}` : ''}`;
    const reply = await requestJson(url, { headers: { 'Access-Token': this.cfg.accessToken, accept: 'application/json' } }, this.policy);
    return parseReply(schema, reply.body, path);
  }

  async listSchools(): Promise<SchoolInfo[]> {
    const ids = await this.get('/v2/users/me/schools', z.array(idish));
    if (ids.length === 0) return [];
    const params = new URLSearchParams(ids.map((id): [string, string] => ['schools', id]));
    const schools = await this.get('/v2/schools', z.array(z.object({ id: idish, name: z.string() })), params);
    const seen = new Set<string>();
    return schools.filter((s) => !seen.has(s.id) && seen.add(s.id)).map((s) => ({ externalId: s.id, name: s.name }));
  }

  /** An unpaged list as a single-page step. */
  private single(key: string, load: () => Promise<RosterRecord[]>): ReadStep {
    return { key, fetch: async () => ({ records: await load(), next: null }) };
  }

  readRoster(school: string, options: ReadRosterOptions = {}): AsyncIterable<RosterPage> {
    return pagedRead({ source: this.kind, school, lookahead: this.policy.readAhead, ...options }, async () => {
      // The plan names one step per group, so it lists the groups first; a resumed read does too.
      const groups = await this.get(`/v2/schools/${school}/edu-groups`, z.array(groupJson));
      const staff = (type: string, role: 'staff' | 'admin'): ReadStep =>
        this.single(`membership:${type}`, async () => {
          const people = await this.get(`/v2/schools/${school}/membership`, z.array(personJson), new URLSearchParams({ schoolMembershipType: type }));
          return people.flatMap((p) => [personRecord(p), { kind: 'staff' as const, personId: pid(p), role, status: 'employed' as const }]);
        });
      const steps: ReadStep[] = [
        this.single('subjects', async () =>
          (await this.get(`/v2/schools/${school}/subjects`, z.array(subjectJson))).map((s) => ({ kind: 'subject' as const, externalId: s.id_str ?? s.id, name: s.name })),
        ),
        this.single('groups', async () =>
          groups.map((g) => ({ kind: 'class' as const, externalId: g.id_str ?? g.id, name: g.name, grade: g.parallel ?? null })),
        ),
        this.single('teachers', async () =>
          (await this.get(`/v2/schools/${school}/teachers`, z.array(personJson))).flatMap((p) => [
            personRecord(p),
            { kind: 'staff' as const, personId: pid(p), role: 'teacher' as const, status: 'employed' as const },
          ]),
        ),
        staff('Staff', 'staff'),
        staff('Admins', 'admin'),
      ];
      for (const g of groups) {
        const group = g.id_str ?? g.id;
        // Two steps need the group's students and may run at once: one request, shared.
        let students: Promise<PersonJson[]> | undefined;
        const loadStudents = () => (students ??= this.get(`/v2/edu-groups/${group}/students`, z.array(personJson)));
        steps.push(
          this.single(`group:${group}:students`, async () =>
            (await loadStudents()).flatMap((p) => [personRecord(p), { kind: 'enrollment' as const, studentId: pid(p), classId: group, status: 'active' as const }]),
          ),
          this.single(`group:${group}:teachers`, async () =>
            (await this.get(`/v2/edu-groups/${group}/teachers`, z.array(groupTeacherJson))).flatMap((t) =>
              t.subjects.map((subjectId) => ({ kind: 'teaching' as const, teacherId: t.teacher_str ?? t.teacher, subjectId, classId: group })),
            ),
          ),
          this.single(`group:${group}:classteacher`, async () => {
            const ct = await this.get(`/v2/edu-groups/${group}/classteacher`, personJson.nullable());
            return ct ? [{ kind: 'class-teacher' as const, classId: group, teacherId: pid(ct) }] : [];
          }),
          {
            // One request per student: pages of `relativesBatch` students, the cursor is the index.
            key: `group:${group}:relatives`,
            fetch: async (cursor) => {
              const all = await loadStudents();
              const from = Number(cursor ?? 0);
              const batch = all.slice(from, from + this.cfg.relativesBatch);
              const records: RosterRecord[] = [];
              for (const s of batch) {
                const user = s.userId_str ?? s.userId;
                if (!user) continue;
                for (const r of await this.get(`/v2/users/${user}/relatives`, z.array(relativeJson))) {
                  if (r.relativeType.toLowerCase() !== 'parent') continue;
                  records.push(personRecord(r.person), { kind: 'guardianship', parentId: pid(r.person), childId: pid(s) });
                }
              }
              const next = from + this.cfg.relativesBatch;
              return { records, next: next < all.length ? String(next) : null };
            },
          },
        );
      }
      return steps;
    });
  }
}
