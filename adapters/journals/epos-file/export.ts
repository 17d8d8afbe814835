// Writes the roster model as an EPOS JSON Lines export (conformance suite, dev stack).
import { writeFile } from 'node:fs/promises';
import type { RosterModel } from '../testing/roster-model.js';
import type { EposLine } from './format.js';

export async function writeEposExport(model: RosterModel, path: string, opts: { duplicate?: boolean } = {}): Promise<void> {
  const lines: EposLine[] = [];
  for (const s of model.schools.values()) {
    const school_id = s.id;
    lines.push({ type: 'school', id: s.id, name: s.name });
    for (const c of model.classesOf(s.id)) lines.push({ type: 'class', school_id, id: c.id, name: c.name, grade: c.grade });
    for (const x of model.subjectsOf(s.id)) lines.push({ type: 'subject', school_id, id: x.id, name: x.name });
    for (const p of model.persons.values()) {
      if (p.schoolId !== s.id) continue;
      lines.push({ type: 'person', school_id, id: p.id, last_name: p.lastName, first_name: p.firstName, middle_name: p.middleName, birth_date: p.birthDate, phone: p.phone, email: p.email });
    }
    for (const e of model.enrollmentsOf(s.id, { includeExpelled: true })) lines.push({ type: 'enrollment', school_id, student_id: e.studentId, class_id: e.classId, status: e.status });
    for (const st of model.staffOf(s.id, { includeDismissed: true })) lines.push({ type: 'staff', school_id, person_id: st.personId, role: st.role, status: st.status });
    for (const t of model.teachingOf(s.id)) lines.push({ type: 'teaching', school_id, teacher_id: t.teacherId, subject_id: t.subjectId, class_id: t.classId });
    for (const ct of model.classTeachers.values()) if (ct.schoolId === s.id) lines.push({ type: 'class_teacher', school_id, class_id: ct.classId, teacher_id: ct.teacherId });
    for (const g of model.guardianshipsOf(s.id)) lines.push({ type: 'guardian', school_id, parent_id: g.parentId, child_id: g.childId });
  }
  const text = lines.flatMap((l) => (opts.duplicate ? [l, l] : [l])).map((l) => JSON.stringify(l));
  await writeFile(path, `${text.join('\n')}\n`, 'utf8');
}
