// The one in-memory roster every journal simulator and file writer serves from. A seeded generator
// builds small Russian schools; mutation helpers change it the way journals do (transfer, expel,
// enroll, hire, dismiss, truncate), stamping each touched fact with a time so deltas can be served.
import type { RosterRecord } from '../port.js';
import { seededRandom } from '../../../infra/seeded-random.js';

export interface ModelSchool { id: string; name: string }
export interface ModelPerson {
  id: string;
  schoolId: string;
  lastName: string;
  firstName: string;
  middleName?: string;
  birthDate?: string;
  phone?: string;
  email?: string;
  modifiedAt: number;
}
export interface ModelClass { id: string; schoolId: string; name: string; grade: number; modifiedAt: number }
export interface ModelSubject { id: string; schoolId: string; name: string; modifiedAt: number }
export interface ModelTeaching { teacherId: string; subjectId: string; classId: string; schoolId: string; modifiedAt: number }
export interface ModelEnrollment { studentId: string; classId: string; schoolId: string; status: 'active' | 'expelled'; modifiedAt: number }
export type StaffRole = 'teacher' | 'staff' | 'admin';
export interface ModelStaff { personId: string; schoolId: string; role: StaffRole; status: 'employed' | 'dismissed'; modifiedAt: number }
export interface ModelClassTeacher { classId: string; teacherId: string; schoolId: string; modifiedAt: number }
export interface ModelGuardianship { parentId: string; childId: string; schoolId: string; modifiedAt: number }

export interface GenerateOptions {
  seed?: number;
  schools?: number;
  /** Parallels per school, each with classes А and Б. */
  grades?: number;
  studentsPerClass?: number;
}


const SURNAMES = ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов', 'Новиков', 'Фёдоров', 'Морозов', 'Волков', 'Алексеев', 'Лебедев', 'Семёнов', 'Егоров'];
const MALE = ['Александр', 'Дмитрий', 'Максим', 'Сергей', 'Андрей', 'Алексей', 'Артём', 'Илья', 'Кирилл', 'Михаил'];
const FEMALE = ['Анна', 'Мария', 'Елена', 'Дарья', 'Алиса', 'Полина', 'Виктория', 'Екатерина', 'Софья', 'Ольга'];
const PATRONYMIC_M = ['Александрович', 'Дмитриевич', 'Сергеевич', 'Андреевич', 'Игоревич'];
const PATRONYMIC_F = ['Александровна', 'Дмитриевна', 'Сергеевна', 'Андреевна', 'Игоревна'];
const SUBJECTS = ['Русский язык', 'Математика', 'Литературное чтение', 'Окружающий мир', 'Английский язык', 'Физическая культура'];
const LETTERS = ['А', 'Б'];

export const key = {
  teaching: (t: { teacherId: string; subjectId: string; classId: string }) => `${t.teacherId}:${t.subjectId}:${t.classId}`,
  enrollment: (e: { studentId: string; classId: string }) => `${e.studentId}:${e.classId}`,
  guardianship: (g: { parentId: string; childId: string }) => `${g.parentId}:${g.childId}`,
};

export class RosterModel {
  readonly schools = new Map<string, ModelSchool>();
  readonly persons = new Map<string, ModelPerson>();
  readonly classes = new Map<string, ModelClass>();
  readonly subjects = new Map<string, ModelSubject>();
  readonly teaching = new Map<string, ModelTeaching>();
  readonly enrollments = new Map<string, ModelEnrollment>();
  readonly staff = new Map<string, ModelStaff>();
  readonly classTeachers = new Map<string, ModelClassTeacher>();
  readonly guardianships = new Map<string, ModelGuardianship>();
  // Generated data is stamped a day back, so a test's `since = Date.now()` falls after all of it.
  private lastTick = Date.now() - 86_400_000;
  private changes = 0;
  private generating = false;
  private nextId = 1000;
  private readonly rnd: () => number;

  constructor(seed = 1) {
    this.rnd = seededRandom(seed);
  }

  /**
   * Grows on every change made through this class's methods (each stamps with `tick`, `truncate`
   * counts itself): simulators rebuild what they derive from the model only when it moved.
   */
  get revision(): number {
    return this.changes;
  }

  /** Monotonic, millisecond-distinct stamps, close to the wall clock so `since` can be a real time. */
  tick(): number {
    this.changes++;
    this.lastTick = this.generating ? this.lastTick + 1 : Math.max(Date.now(), this.lastTick + 1);
    return this.lastTick;
  }
  newId(): string {
    this.changes++;
    return String(++this.nextId);
  }
  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }

  static generate(opts: GenerateOptions = {}): RosterModel {
    const m = new RosterModel(opts.seed ?? 1);
    const schools = opts.schools ?? 1;
    m.generating = true;
    for (let s = 0; s < schools; s++) m.generateSchool(opts.grades ?? 2, opts.studentsPerClass ?? 5, s);
    m.generating = false;
    return m;
  }

  private generateSchool(grades: number, perClass: number, n: number): void {
    const schoolId = this.newId();
    this.schools.set(schoolId, { id: schoolId, name: `МБОУ СОШ № ${n + 1}` });
    const at = this.tick();
    const subjects = SUBJECTS.map((name) => {
      const s: ModelSubject = { id: this.newId(), schoolId, name, modifiedAt: at };
      this.subjects.set(s.id, s);
      return s;
    });
    this.hire(schoolId, 'admin');
    this.hire(schoolId, 'staff');
    // A spare teacher with no classes: dismissing them changes nothing but the staff room (R-C3).
    this.hire(schoolId, 'teacher');
    const subjectTeachers = subjects.map(() => this.hire(schoolId, 'teacher'));
    for (let g = 1; g <= grades; g++) {
      for (const letter of LETTERS) {
        const cls: ModelClass = { id: this.newId(), schoolId, name: `${g}${letter}`, grade: g, modifiedAt: at };
        this.classes.set(cls.id, cls);
        const homeTeacher = this.hire(schoolId, 'teacher');
        this.classTeachers.set(cls.id, { classId: cls.id, teacherId: homeTeacher, schoolId, modifiedAt: at });
        subjects.forEach((subject, i) => {
          // Primary-school style: the class teacher teaches the core subjects, specialists the rest.
          const teacherId = i < 3 ? homeTeacher : subjectTeachers[i]!;
          const t = { teacherId, subjectId: subject.id, classId: cls.id, schoolId, modifiedAt: at };
          this.teaching.set(key.teaching(t), t);
        });
        for (let k = 0; k < perClass; k++) {
          const child = this.enroll(cls.id);
          const parents = k % 3 === 0 ? 2 : 1;
          for (let p = 0; p < parents; p++) this.addGuardian(child);
        }
      }
    }
  }

  private person(schoolId: string, adult: boolean, birthYear: number): ModelPerson {
    const female = this.rnd() < 0.5;
    const surname = this.pick(SURNAMES) + (female ? 'а' : '');
    const p: ModelPerson = {
      id: this.newId(),
      schoolId,
      lastName: surname,
      firstName: this.pick(female ? FEMALE : MALE),
      modifiedAt: this.tick(),
    };
    if (this.rnd() < 0.8) p.middleName = this.pick(female ? PATRONYMIC_F : PATRONYMIC_M);
    const month = 1 + Math.floor(this.rnd() * 12);
    const day = 1 + Math.floor(this.rnd() * 28);
    p.birthDate = `${birthYear}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    if (adult || this.rnd() < 0.5) p.phone = `+7916${String(Math.floor(this.rnd() * 1e7)).padStart(7, '0')}`;
    if (adult && this.rnd() < 0.5) p.email = `user${p.id}@example.ru`;
    this.persons.set(p.id, p);
    return p;
  }

  // ---- mutations (each stamps what it touches) -------------------------------------------------

  /** A new student (or an existing one) starts in a class. Returns the student id. */
  enroll(classId: string, studentId?: string): string {
    const cls = this.mustClass(classId);
    const id = studentId ?? this.person(cls.schoolId, false, 2025 - 6 - cls.grade).id;
    const e: ModelEnrollment = { studentId: id, classId, schoolId: cls.schoolId, status: 'active', modifiedAt: this.tick() };
    this.enrollments.set(key.enrollment(e), e);
    return id;
  }

  addGuardian(childId: string): string {
    const child = this.persons.get(childId);
    if (!child) throw new Error(`no person ${childId}`);
    const parent = this.person(child.schoolId, true, 1980 + Math.floor(this.rnd() * 10));
    const g = { parentId: parent.id, childId, schoolId: child.schoolId, modifiedAt: this.tick() };
    this.guardianships.set(key.guardianship(g), g);
    return parent.id;
  }

  /** Makes an existing person a parent of another child too (siblings share their parents). */
  linkGuardian(parentId: string, childId: string): void {
    const child = this.persons.get(childId);
    if (!child || !this.persons.has(parentId)) throw new Error(`no person ${childId} or ${parentId}`);
    const g = { parentId, childId, schoolId: child.schoolId, modifiedAt: this.tick() };
    this.guardianships.set(key.guardianship(g), g);
  }

  /** Ends the student's active enrollment(s) in the school (R-C5: expulsion removes). */
  expel(studentId: string): void {
    const at = this.tick();
    for (const e of this.enrollments.values()) {
      if (e.studentId === studentId && e.status === 'active') Object.assign(e, { status: 'expelled', modifiedAt: at });
    }
  }

  /** Old class ends, new class starts (R-C5: transfer moves). */
  transfer(studentId: string, toClassId: string): void {
    this.expel(studentId);
    this.enroll(toClassId, studentId);
  }

  hire(schoolId: string, role: StaffRole): string {
    const p = this.person(schoolId, true, 1970 + Math.floor(this.rnd() * 25));
    this.staff.set(p.id, { personId: p.id, schoolId, role, status: 'employed', modifiedAt: this.tick() });
    return p.id;
  }

  dismiss(personId: string): void {
    const s = this.staff.get(personId);
    if (!s) throw new Error(`no staff ${personId}`);
    Object.assign(s, { status: 'dismissed', modifiedAt: this.tick() });
  }

  /**
   * Forgets all but the first `keepStudents` students' enrollments without any trace, like a broken
   * export that stopped half way: what the reconciler's mass-removal guard must catch.
   */
  truncate(schoolId: string, keepStudents: number): void {
    this.changes++;
    let kept = 0;
    for (const [k, e] of this.enrollments) {
      if (e.schoolId !== schoolId) continue;
      if (kept < keepStudents) kept++;
      else this.enrollments.delete(k);
    }
  }

  private mustClass(id: string): ModelClass {
    const c = this.classes.get(id);
    if (!c) throw new Error(`no class ${id}`);
    return c;
  }

  // ---- views used by simulators and writers ----------------------------------------------------

  classesOf(schoolId: string): ModelClass[] {
    return [...this.classes.values()].filter((c) => c.schoolId === schoolId);
  }
  subjectsOf(schoolId: string): ModelSubject[] {
    return [...this.subjects.values()].filter((s) => s.schoolId === schoolId);
  }
  staffOf(schoolId: string, opts: { includeDismissed?: boolean } = {}): ModelStaff[] {
    return [...this.staff.values()].filter((s) => s.schoolId === schoolId && (opts.includeDismissed || s.status === 'employed'));
  }
  enrollmentsOf(schoolId: string, opts: { includeExpelled?: boolean; classId?: string } = {}): ModelEnrollment[] {
    return [...this.enrollments.values()].filter(
      (e) =>
        e.schoolId === schoolId &&
        (opts.includeExpelled || e.status === 'active') &&
        (opts.classId === undefined || e.classId === opts.classId),
    );
  }
  /** Every enrollment of one student, in any school and status. */
  enrollmentsOfStudent(studentId: string): ModelEnrollment[] {
    return [...this.enrollments.values()].filter((e) => e.studentId === studentId);
  }
  teachingOf(schoolId: string, classId?: string): ModelTeaching[] {
    return [...this.teaching.values()].filter((t) => t.schoolId === schoolId && (classId === undefined || t.classId === classId));
  }
  guardiansOf(childId: string): ModelGuardianship[] {
    return [...this.guardianships.values()].filter((g) => g.childId === childId);
  }
  childrenOf(parentId: string): ModelGuardianship[] {
    return [...this.guardianships.values()].filter((g) => g.parentId === parentId);
  }
  guardianshipsOf(schoolId: string): ModelGuardianship[] {
    return [...this.guardianships.values()].filter((g) => g.schoolId === schoolId);
  }
  /** Everyone of the school who appears as a parent. */
  parentsOf(schoolId: string): ModelPerson[] {
    const ids = new Set(this.guardianshipsOf(schoolId).map((g) => g.parentId));
    return [...ids].map((id) => this.persons.get(id)!);
  }
  activeStudentIds(schoolId: string): Set<string> {
    return new Set(this.enrollmentsOf(schoolId).map((e) => e.studentId));
  }
  personRecord(id: string): Extract<RosterRecord, { kind: 'person' }> {
    const p = this.persons.get(id);
    if (!p) throw new Error(`no person ${id}`);
    return personRecord(p);
  }

  /**
   * What a full read of the school must yield (`required`) and what it may yield besides
   * (`optional`: ended enrollments and employment, people only linked through them).
   */
  expected(schoolId: string): { required: RosterRecord[]; optional: RosterRecord[] } {
    const facts = this.facts(schoolId);
    return { required: facts.filter((f) => f.live).map((f) => f.record), optional: facts.filter((f) => !f.live).map((f) => f.record) };
  }

  /** Facts of the school stamped after `since` (ms): what a delta read must yield. */
  changesSince(schoolId: string, since: number): RosterRecord[] {
    return this.facts(schoolId).filter((f) => f.modifiedAt > since).map((f) => f.record);
  }

  private facts(schoolId: string): Array<{ record: RosterRecord; live: boolean; modifiedAt: number }> {
    const out: Array<{ record: RosterRecord; live: boolean; modifiedAt: number }> = [];
    const active = this.activeStudentIds(schoolId);
    const livePeople = new Set<string>(active);
    for (const c of this.classesOf(schoolId)) out.push({ record: { kind: 'class', externalId: c.id, name: c.name, grade: c.grade }, live: true, modifiedAt: c.modifiedAt });
    for (const s of this.subjectsOf(schoolId)) out.push({ record: { kind: 'subject', externalId: s.id, name: s.name }, live: true, modifiedAt: s.modifiedAt });
    for (const e of this.enrollmentsOf(schoolId, { includeExpelled: true })) {
      out.push({ record: { kind: 'enrollment', studentId: e.studentId, classId: e.classId, status: e.status }, live: e.status === 'active', modifiedAt: e.modifiedAt });
    }
    const employed = new Set<string>();
    for (const s of this.staffOf(schoolId, { includeDismissed: true })) {
      const live = s.status === 'employed';
      if (live) employed.add(s.personId);
      out.push({ record: { kind: 'staff', personId: s.personId, role: s.role, status: s.status }, live, modifiedAt: s.modifiedAt });
    }
    for (const t of this.teachingOf(schoolId)) {
      out.push({ record: { kind: 'teaching', teacherId: t.teacherId, subjectId: t.subjectId, classId: t.classId }, live: employed.has(t.teacherId), modifiedAt: t.modifiedAt });
    }
    for (const ct of this.classTeachers.values()) {
      if (ct.schoolId !== schoolId) continue;
      out.push({ record: { kind: 'class-teacher', classId: ct.classId, teacherId: ct.teacherId }, live: employed.has(ct.teacherId), modifiedAt: ct.modifiedAt });
    }
    for (const g of this.guardianshipsOf(schoolId)) {
      const live = active.has(g.childId);
      if (live) livePeople.add(g.parentId);
      out.push({ record: { kind: 'guardianship', parentId: g.parentId, childId: g.childId }, live, modifiedAt: g.modifiedAt });
    }
    for (const id of employed) livePeople.add(id);
    for (const p of this.persons.values()) {
      if (p.schoolId === schoolId) out.push({ record: personRecord(p), live: livePeople.has(p.id), modifiedAt: p.modifiedAt });
    }
    return out;
  }
}

export function personRecord(p: ModelPerson): Extract<RosterRecord, { kind: 'person' }> {
  const r: Extract<RosterRecord, { kind: 'person' }> = { kind: 'person', externalId: p.id, lastName: p.lastName, firstName: p.firstName };
  if (p.middleName) r.middleName = p.middleName;
  if (p.birthDate) r.birthDate = p.birthDate;
  if (p.phone) r.phone = p.phone;
  if (p.email) r.email = p.email;
  return r;
}
