// A seeded synthetic region for benchmarks: schools of 11 parallels × 2 classes, most children with two
// parents, class and subject teachers, sized to a requested number of chat memberships. It is a
// RosterModel (so the journal simulators serve it) whose per-school views are indexed: the base
// model filters every map on each call, which is quadratic once a region has hundreds of schools.
import { desiredChats } from '../domain/roster/chats.js';
import { schoolRosterFromRecords } from '../sync/from-journal.js';
import type { RosterRecord } from '../adapters/journals/port.js';
import {
  RosterModel,
  key,
  personRecord,
  type ModelClass,
  type ModelEnrollment,
  type ModelGuardianship,
  type ModelStaff,
  type ModelSubject,
  type ModelTeaching,
  type StaffRole,
} from '../adapters/journals/testing/roster-model.js';

export interface RegionShape {
  grades: number;
  classesPerGrade: number;
  studentsPerClass: number;
  /** Share of children with two parents (the rest have one). */
  twoParents: number;
}

export const DEFAULT_SHAPE: RegionShape = { grades: 11, classesPerGrade: 2, studentsPerClass: 25, twoParents: 0.8 };
const SUBJECTS = ['Русский язык', 'Математика', 'Литература', 'Английский язык', 'Физическая культура', 'История', 'Биология', 'Физика'];
const LETTERS = ['А', 'Б', 'В', 'Г'];

type Index<T> = Map<string, T[]>;
const push = <T>(m: Index<T>, k: string, v: T): void => {
  const xs = m.get(k);
  if (xs) xs.push(v);
  else m.set(k, [v]);
};

export class RegionModel extends RosterModel {
  private dirty = true;
  private bySchool = {
    classes: new Map() as Index<ModelClass>,
    subjects: new Map() as Index<ModelSubject>,
    staff: new Map() as Index<ModelStaff>,
    enrollments: new Map() as Index<ModelEnrollment>,
    teaching: new Map() as Index<ModelTeaching>,
    guardianships: new Map() as Index<ModelGuardianship>,
    persons: new Map() as Index<string>,
  };
  private enrollmentsByClass: Index<ModelEnrollment> = new Map();
  private enrollmentsByStudent: Index<ModelEnrollment> = new Map();
  private teachingByClass: Index<ModelTeaching> = new Map();
  private guardiansByChild: Index<ModelGuardianship> = new Map();
  private childrenByParent: Index<ModelGuardianship> = new Map();

  private constructor(private readonly seedValue: number, readonly shape: RegionShape) {
    super(seedValue);
  }

  // Deterministic draws of our own (the base class keeps its generator private).
  private state = 0;
  private rand(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A region with at least `memberships` desired chat memberships (measured on its first school). */
  static build(opts: { seed?: number; memberships: number; shape?: RegionShape }): RegionModel {
    const m = new RegionModel(opts.seed ?? 1, opts.shape ?? DEFAULT_SHAPE);
    m.state = m.seedValue;
    const first = m.addSchool();
    const perSchool = m.membershipsOf(first);
    const schools = Math.max(1, Math.ceil(opts.memberships / perSchool));
    for (let s = 1; s < schools; s++) m.addSchool();
    return m;
  }

  addSchool(): string {
    const { grades, classesPerGrade, studentsPerClass, twoParents } = this.shape;
    const schoolId = this.newId();
    this.schools.set(schoolId, { id: schoolId, name: `МБОУ СОШ № ${this.schools.size + 1}` });
    const at = this.tick();
    const subjects = SUBJECTS.map((name) => {
      const s: ModelSubject = { id: this.newId(), schoolId, name, modifiedAt: at };
      this.subjects.set(s.id, s);
      return s;
    });
    this.hire(schoolId, 'admin');
    this.hire(schoolId, 'staff');
    const specialists = subjects.map(() => this.hire(schoolId, 'teacher'));
    for (let g = 1; g <= grades; g++) {
      for (let l = 0; l < classesPerGrade; l++) {
        const cls: ModelClass = { id: this.newId(), schoolId, name: `${g}${LETTERS[l % LETTERS.length]}`, grade: g, modifiedAt: at };
        this.classes.set(cls.id, cls);
        const home = this.hire(schoolId, 'teacher');
        this.classTeachers.set(cls.id, { classId: cls.id, teacherId: home, schoolId, modifiedAt: at });
        subjects.forEach((subject, i) => {
          const t = { teacherId: i < 2 ? home : specialists[i]!, subjectId: subject.id, classId: cls.id, schoolId, modifiedAt: at };
          this.teaching.set(key.teaching(t), t);
        });
        for (let k = 0; k < studentsPerClass; k++) {
          const child = this.enroll(cls.id);
          this.addGuardian(child);
          if (this.rand() < twoParents) this.addGuardian(child);
        }
      }
    }
    this.dirty = true;
    return schoolId;
  }

  /** Desired chat memberships of one school (what the reconciler should put in the messenger). */
  membershipsOf(schoolId: string): number {
    const { chats } = desiredChats(schoolRosterFromRecords(schoolId, this.expected(schoolId).required));
    return chats.reduce((n, c) => n + c.personIds.length, 0);
  }

  membershipsTotal(): number {
    let n = 0;
    for (const id of this.schools.keys()) n += this.membershipsOf(id);
    return n;
  }

  /**
   * About `share` of the region's students churn the way a night in September does: transfers
   * between classes, expulsions, new enrollments (with parents), plus a few hires. Returns counts.
   */
  churn(share: number): { transfers: number; expulsions: number; enrollments: number; hires: number } {
    const students = [...this.enrollments.values()].filter((e) => e.status === 'active');
    const n = Math.max(4, Math.round(students.length * share));
    const out = { transfers: 0, expulsions: 0, enrollments: 0, hires: 0 };
    const classIds = [...this.classes.keys()];
    const touched = new Set<string>();
    for (let i = 0; i < n; i++) {
      const e = students[Math.floor(this.rand() * students.length)]!;
      const kind = i % 3;
      if (kind !== 2 && touched.has(e.studentId)) continue;
      touched.add(e.studentId);
      if (kind === 0) {
        const same = this.classesOf(e.schoolId).filter((c) => c.id !== e.classId);
        this.transfer(e.studentId, same[Math.floor(this.rand() * same.length)]!.id);
        out.transfers++;
      } else if (kind === 1) {
        this.expel(e.studentId);
        out.expulsions++;
      } else {
        const child = this.enroll(classIds[Math.floor(this.rand() * classIds.length)]!);
        this.addGuardian(child);
        if (this.rand() < this.shape.twoParents) this.addGuardian(child);
        out.enrollments++;
      }
    }
    const schoolIds = [...this.schools.keys()];
    const hires = Math.max(1, Math.round(n / 20));
    for (let i = 0; i < hires; i++) {
      // A new subject teacher takes one class's maths: they join that class's chats and the staff room.
      const schoolId = schoolIds[Math.floor(this.rand() * schoolIds.length)]!;
      const teacher = this.hire(schoolId, 'teacher');
      const cls = this.classesOf(schoolId)[Math.floor(this.rand() * this.classesOf(schoolId).length)]!;
      const subject = this.subjectsOf(schoolId)[1]!;
      for (const t of this.teachingOf(schoolId, cls.id)) if (t.subjectId === subject.id) this.teaching.delete(key.teaching(t));
      const t = { teacherId: teacher, subjectId: subject.id, classId: cls.id, schoolId, modifiedAt: this.tick() };
      this.teaching.set(key.teaching(t), t);
      out.hires++;
    }
    this.dirty = true;
    return out;
  }

  // ---- mutations mark the indexes stale --------------------------------------------------------
  override enroll(classId: string, studentId?: string): string {
    this.dirty = true;
    return super.enroll(classId, studentId);
  }
  override addGuardian(childId: string): string {
    this.dirty = true;
    return super.addGuardian(childId);
  }
  override hire(schoolId: string, role: StaffRole): string {
    this.dirty = true;
    return super.hire(schoolId, role);
  }
  override truncate(schoolId: string, keepStudents: number): void {
    this.dirty = true;
    super.truncate(schoolId, keepStudents);
  }

  private reindex(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const b = this.bySchool;
    for (const m of Object.values(b)) m.clear();
    this.enrollmentsByClass.clear();
    this.enrollmentsByStudent.clear();
    this.teachingByClass.clear();
    this.guardiansByChild.clear();
    this.childrenByParent.clear();
    for (const c of this.classes.values()) push(b.classes, c.schoolId, c);
    for (const s of this.subjects.values()) push(b.subjects, s.schoolId, s);
    for (const s of this.staff.values()) push(b.staff, s.schoolId, s);
    for (const e of this.enrollments.values()) {
      push(b.enrollments, e.schoolId, e);
      push(this.enrollmentsByClass, e.classId, e);
      push(this.enrollmentsByStudent, e.studentId, e);
    }
    for (const t of this.teaching.values()) {
      push(b.teaching, t.schoolId, t);
      push(this.teachingByClass, t.classId, t);
    }
    for (const g of this.guardianships.values()) {
      push(b.guardianships, g.schoolId, g);
      push(this.guardiansByChild, g.childId, g);
      push(this.childrenByParent, g.parentId, g);
    }
    for (const p of this.persons.values()) push(b.persons, p.schoolId, p.id);
  }

  override classesOf(schoolId: string): ModelClass[] {
    this.reindex();
    return this.bySchool.classes.get(schoolId) ?? [];
  }
  override subjectsOf(schoolId: string): ModelSubject[] {
    this.reindex();
    return this.bySchool.subjects.get(schoolId) ?? [];
  }
  override staffOf(schoolId: string, opts: { includeDismissed?: boolean } = {}): ModelStaff[] {
    this.reindex();
    return (this.bySchool.staff.get(schoolId) ?? []).filter((s) => opts.includeDismissed || s.status === 'employed');
  }
  override enrollmentsOf(schoolId: string, opts: { includeExpelled?: boolean; classId?: string } = {}): ModelEnrollment[] {
    this.reindex();
    const xs = (opts.classId === undefined ? this.bySchool.enrollments.get(schoolId) : this.enrollmentsByClass.get(opts.classId)) ?? [];
    // Re-check against the map: transfer replaces nothing, but truncate deletes in place.
    return xs.filter((e) => e.schoolId === schoolId && (opts.includeExpelled || e.status === 'active') && this.enrollments.get(key.enrollment(e)) === e);
  }
  override enrollmentsOfStudent(studentId: string): ModelEnrollment[] {
    this.reindex();
    return (this.enrollmentsByStudent.get(studentId) ?? []).filter((e) => this.enrollments.get(key.enrollment(e)) === e);
  }
  override teachingOf(schoolId: string, classId?: string): ModelTeaching[] {
    this.reindex();
    const xs = (classId === undefined ? this.bySchool.teaching.get(schoolId) : this.teachingByClass.get(classId)) ?? [];
    return xs.filter((t) => t.schoolId === schoolId && this.teaching.get(key.teaching(t)) === t);
  }
  override guardiansOf(childId: string): ModelGuardianship[] {
    this.reindex();
    return this.guardiansByChild.get(childId) ?? [];
  }
  override childrenOf(parentId: string): ModelGuardianship[] {
    this.reindex();
    return this.childrenByParent.get(parentId) ?? [];
  }
  override guardianshipsOf(schoolId: string): ModelGuardianship[] {
    this.reindex();
    return this.bySchool.guardianships.get(schoolId) ?? [];
  }

  /** Same facts as the base model, read through the indexes. */
  override expected(schoolId: string): { required: RosterRecord[]; optional: RosterRecord[] } {
    const required: RosterRecord[] = [];
    const optional: RosterRecord[] = [];
    const add = (record: RosterRecord, live: boolean) => (live ? required : optional).push(record);
    const active = this.activeStudentIds(schoolId);
    const live = new Set<string>(active);
    for (const c of this.classesOf(schoolId)) add({ kind: 'class', externalId: c.id, name: c.name, grade: c.grade }, true);
    for (const s of this.subjectsOf(schoolId)) add({ kind: 'subject', externalId: s.id, name: s.name }, true);
    for (const e of this.enrollmentsOf(schoolId, { includeExpelled: true })) add({ kind: 'enrollment', studentId: e.studentId, classId: e.classId, status: e.status }, e.status === 'active');
    const employed = new Set<string>();
    for (const s of this.staffOf(schoolId, { includeDismissed: true })) {
      if (s.status === 'employed') employed.add(s.personId);
      add({ kind: 'staff', personId: s.personId, role: s.role, status: s.status }, s.status === 'employed');
    }
    for (const t of this.teachingOf(schoolId)) add({ kind: 'teaching', teacherId: t.teacherId, subjectId: t.subjectId, classId: t.classId }, employed.has(t.teacherId));
    for (const c of this.classesOf(schoolId)) {
      const ct = this.classTeachers.get(c.id);
      if (ct) add({ kind: 'class-teacher', classId: ct.classId, teacherId: ct.teacherId }, employed.has(ct.teacherId));
    }
    for (const g of this.guardianshipsOf(schoolId)) {
      const isLive = active.has(g.childId);
      if (isLive) live.add(g.parentId);
      add({ kind: 'guardianship', parentId: g.parentId, childId: g.childId }, isLive);
    }
    for (const id of employed) live.add(id);
    this.reindex();
    for (const id of this.bySchool.persons.get(schoolId) ?? []) add(personRecord(this.persons.get(id)!), live.has(id));
    return { required, optional };
  }

  /** Everyone who would get a messenger account in the region (people with a live fact). */
  *linkablePeople(): Generator<{ externalId: string; firstName: string; lastName: string; birthDate: string | null }> {
    for (const schoolId of this.schools.keys()) {
      for (const r of this.expected(schoolId).required) {
        if (r.kind === 'person') yield { externalId: r.externalId, firstName: r.firstName, lastName: r.lastName, birthDate: r.birthDate ?? null };
      }
    }
  }
}
