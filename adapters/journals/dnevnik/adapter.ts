// Dnevnik.ru (/v2/ partner API, `Access-Token` header) behind the JournalSource port. No deltas:
// every read is a full snapshot; ended enrollments and employment show as absence.
import { z } from 'zod';
import { defaultHttpPolicy, httpPolicySchema, parseReply, type HttpPolicy } from '../http.js';
import { pagedRead, type ReadStep } from '../paged-read.js';
import { gradeFromClassName, type JournalSource, type PersonRecord, type ReadRosterOptions, type RosterPage, type RosterRecord, type SchoolInfo } from '../port.js';
import { dnevnikGet } from './http.js';

export const dnevnikConfigSchema = z.object({
  kind: z.literal('dnevnik'),
  baseUrl: z.string().url().default('https://api.dnevnik.ru'),
  accessToken: z.string().min(1),
  /** Students whose relatives are fetched per page (one request each). */
  relativesBatch: z.number().int().min(1).max(500).default(20),
  http: httpPolicySchema.partial().optional(),
});
export type DnevnikConfig = z.input<typeof dnevnikConfigSchema>;

// Reply shapes as the public client models them (alllexey123/dnevnik-partners-api,
// src/main/java/api/dnevnik/partners/model/...); test/contract/dnevnik-shapes.test.ts holds our
// simulator to the same transcription. Fields we do not use are not read.
const idish = z.union([z.number(), z.string()]).transform(String);
/** model/user/Person.java (lists of students, staff, a group's teachers, the class teacher, relatives). */
const personJson = z.object({
  id: idish,
  id_str: z.string().nullish(),
  userId: idish.nullish(),
  userId_str: z.string().nullish(),
  lastName: z.string(),
  firstName: z.string(),
  middleName: z.string().nullish(),
});
type PersonJson = z.infer<typeof personJson>;
/** model/user/Teacher.java: `schools/{id}/teachers` answers PascalCase records. */
const teacherJson = z.object({
  Id: idish,
  IdStr: z.string().nullish(),
  FirstName: z.string(),
  LastName: z.string(),
  MiddleName: z.string().nullish(),
  DateBirth: z.string().nullish(),
  Email: z.string().nullish(),
  /** Free text; read as the names of the subjects the teacher teaches (README: assumed). */
  Subjects: z.string().nullish(),
});
type TeacherJson = z.infer<typeof teacherJson>;
/** model/user/EduGroup.java (+ GroupType.java): a Subgroup names its class in `parentIds`. */
const groupJson = z.object({
  id: idish,
  id_str: z.string().nullish(),
  name: z.string(),
  parallel: z.number().nullish(),
  type: z.string().nullish(),
  parentIds: z.array(idish).nullish(),
  parentIds_str: z.array(z.string()).nullish(),
});
type GroupJson = z.infer<typeof groupJson>;
/** model/work/Subject.java (its string id is `idStr`; other models say `id_str`: both read). */
const subjectJson = z.object({ id: idish, id_str: z.string().nullish(), idStr: z.string().nullish(), name: z.string() });
const sid = (s: z.infer<typeof subjectJson>) => s.id_str ?? s.idStr ?? s.id;
/** model/user/UserRelative.java: `{type, person}`. */
const relativeJson = z.object({ type: z.string().nullish(), person: personJson });

const persons = z.array(personJson);
const teachers = z.array(teacherJson);
const groups = z.array(groupJson);
const subjects = z.array(subjectJson);
const relatives = z.array(relativeJson);

const pid = (p: PersonJson) => p.id_str ?? p.id;
const tid = (t: TeacherJson) => t.IdStr ?? t.Id;
const gid = (g: GroupJson) => g.id_str ?? g.id;
function personRecord(p: PersonJson): PersonRecord {
  const r: PersonRecord = { kind: 'person', externalId: pid(p), lastName: p.lastName, firstName: p.firstName };
  if (p.middleName) r.middleName = p.middleName;
  return r;
}
function teacherRecord(t: TeacherJson): PersonRecord {
  const r: PersonRecord = { kind: 'person', externalId: tid(t), lastName: t.LastName, firstName: t.FirstName };
  if (t.MiddleName) r.middleName = t.MiddleName;
  const birth = t.DateBirth ? /^\d{4}-\d{2}-\d{2}/.exec(t.DateBirth)?.[0] : undefined;
  if (birth && !birth.startsWith('0001')) r.birthDate = birth;
  if (t.Email && t.Email.includes('@')) r.email = t.Email;
  return r;
}
/** A subgroup (R-C4: not a class) is typed `Subgroup` or names a parent group. */
const parentOf = (g: GroupJson): string | undefined =>
  g.type === 'Subgroup' || (g.parentIds?.length ?? 0) > 0 ? (g.parentIds_str?.[0] ?? g.parentIds?.[0] ?? '') : undefined;
const norm = (s: string) => s.trim().toLowerCase().replace(/ё/g, 'е');
/** Relatives of a student are their parents; only a `Child` entry (a parent's own list) is not. */
const isParentRelative = (type: string | null | undefined) => !type || norm(type) !== 'child';

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
    return parseReply(schema, await dnevnikGet(url, this.cfg.accessToken, this.policy), path);
  }

  async listSchools(): Promise<SchoolInfo[]> {
    const ids = await this.get('/v2/users/me/schools', z.array(idish));
    if (ids.length === 0) return [];
    const params = new URLSearchParams(ids.map((id): [string, string] => ['schools', id]));
    const schools = await this.get('/v2/schools', z.array(z.object({ id: idish, id_str: z.string().nullish(), name: z.string() })), params);
    const seen = new Set<string>();
    return schools
      .map((s) => ({ externalId: s.id_str ?? s.id, name: s.name }))
      .filter((s) => !seen.has(s.externalId) && seen.add(s.externalId));
  }

  /** An unpaged list as a single-page step. */
  private single(key: string, load: () => Promise<RosterRecord[]>): ReadStep {
    return { key, fetch: async () => ({ records: await load(), next: null }) };
  }

  /**
   * Who teaches what in one group: `edu-groups/{g}/teachers` is a plain list of people, so a teacher
   * is paired with the group's subjects (`edu-groups/{g}/subjects`): all of them when the group has
   * one subject (a subgroup usually has), else those named in the teacher's `Subjects` text. A teacher
   * with no nameable subject in a group of several yields no teaching there (still staff, R-C3).
   */
  private async teachingOf(group: string, classId: string, subjectsOfTeacher: () => Promise<Map<string, Set<string>>>): Promise<RosterRecord[]> {
    const [people, taught] = await Promise.all([
      this.get(`/v2/edu-groups/${group}/teachers`, persons),
      this.get(`/v2/edu-groups/${group}/subjects`, subjects),
    ]);
    if (people.length === 0 || taught.length === 0) return [];
    const names = await subjectsOfTeacher();
    const out: RosterRecord[] = [];
    for (const t of people) {
      const own = names.get(pid(t));
      for (const s of taught) {
        if (taught.length === 1 || own?.has(norm(s.name))) out.push({ kind: 'teaching', teacherId: pid(t), subjectId: sid(s), classId });
      }
    }
    return out;
  }

  readRoster(school: string, options: ReadRosterOptions = {}): AsyncIterable<RosterPage> {
    return pagedRead({ source: this.kind, school, lookahead: this.policy.readAhead, ...options }, async () => {
      // The plan names one step per group, so it lists the groups first; a resumed read does too.
      const all = await this.get(`/v2/schools/${school}/edu-groups`, groups);
      const classes = all.filter((g) => parentOf(g) === undefined);
      const classIds = new Set(classes.map(gid));
      // R-C4: a subgroup is not a class: no class or parents chat; its subject teaching counts toward
      // its class's subject chat. A subgroup whose class is not listed gives nothing.
      const subgroupsOf = new Map<string, string[]>();
      for (const g of all) {
        const parent = parentOf(g);
        if (parent !== undefined && classIds.has(parent)) subgroupsOf.set(parent, [...(subgroupsOf.get(parent) ?? []), gid(g)]);
      }
      let schoolTeachers: Promise<TeacherJson[]> | undefined;
      const loadTeachers = () => (schoolTeachers ??= this.get(`/v2/schools/${school}/teachers`, teachers));
      let subjectNames: Promise<Map<string, Set<string>>> | undefined;
      const subjectsOfTeacher = () =>
        (subjectNames ??= loadTeachers().then(
          (ts) => new Map(ts.map((t) => [tid(t), new Set((t.Subjects ?? '').split(/[,;]/).map(norm).filter(Boolean))])),
        ));
      const staff = (type: string, role: 'staff' | 'admin'): ReadStep =>
        this.single(`membership:${type}`, async () => {
          const people = await this.get(`/v2/schools/${school}/membership`, persons, new URLSearchParams({ schoolMembershipType: type }));
          return people.flatMap((p) => [personRecord(p), { kind: 'staff' as const, personId: pid(p), role, status: 'employed' as const }]);
        });
      const steps: ReadStep[] = [
        this.single('subjects', async () =>
          (await this.get(`/v2/schools/${school}/subjects`, subjects)).map((s) => ({ kind: 'subject' as const, externalId: sid(s), name: s.name })),
        ),
        this.single('groups', async () =>
          classes.map((g) => ({ kind: 'class' as const, externalId: gid(g), name: g.name, grade: g.parallel ?? gradeFromClassName(g.name) })),
        ),
        this.single('teachers', async () =>
          (await loadTeachers()).flatMap((t) => [
            teacherRecord(t),
            { kind: 'staff' as const, personId: tid(t), role: 'teacher' as const, status: 'employed' as const },
          ]),
        ),
        staff('Staff', 'staff'),
        staff('Admins', 'admin'),
      ];
      for (const g of classes) {
        const group = gid(g);
        // Two steps need the group's students and may run at once: one request, shared.
        let students: Promise<PersonJson[]> | undefined;
        const loadStudents = () => (students ??= this.get(`/v2/edu-groups/${group}/students`, persons));
        steps.push(
          this.single(`group:${group}:students`, async () =>
            (await loadStudents()).flatMap((p) => [personRecord(p), { kind: 'enrollment' as const, studentId: pid(p), classId: group, status: 'active' as const }]),
          ),
          this.single(`group:${group}:teachers`, () => this.teachingOf(group, group, subjectsOfTeacher)),
          ...(subgroupsOf.get(group) ?? []).map((sub) => this.single(`subgroup:${sub}:teachers`, () => this.teachingOf(sub, group, subjectsOfTeacher))),
          this.single(`group:${group}:classteacher`, async () => {
            const ct = await this.get(`/v2/edu-groups/${group}/classteacher`, personJson.nullable());
            return ct ? [{ kind: 'class-teacher' as const, classId: group, teacherId: pid(ct) }] : [];
          }),
          {
            // One request per student: pages of `relativesBatch` students, the cursor is the index.
            key: `group:${group}:relatives`,
            fetch: async (cursor) => {
              const list = await loadStudents();
              const from = Number(cursor ?? 0);
              const batch = list.slice(from, from + this.cfg.relativesBatch);
              const records: RosterRecord[] = [];
              for (const s of batch) {
                const user = s.userId_str ?? s.userId;
                if (!user) continue;
                for (const r of await this.get(`/v2/users/${user}/relatives`, relatives)) {
                  if (!isParentRelative(r.type)) continue;
                  records.push(personRecord(r.person), { kind: 'guardianship', parentId: pid(r.person), childId: pid(s) });
                }
              }
              const next = from + this.cfg.relativesBatch;
              return { records, next: next < list.length ? String(next) : null };
            },
          },
        );
      }
      return steps;
    });
  }
}
