// The one port every e-journal source sits behind (SPEC R-L, R-C). Adapters stream a school's roster
// in pages of typed records; the reconciler diffs them against chat membership. Shape and error
// union follow dust-tt connectors' interface.ts: typed results, a small set of error codes that the
// adapter translates upstream failures into, so retry decisions are made once, at the edge.
import { z } from 'zod';

export const JOURNAL_KINDS = ['oneroster-csv', 'oneroster-rest', 'eljur', 'dnevnik', 'epos-file', 'esh-file'] as const;
export type JournalKind = (typeof JOURNAL_KINDS)[number];

const id = z.string().min(1).max(200);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');

export const personRecordSchema = z.object({
  kind: z.literal('person'),
  externalId: id,
  lastName: z.string().min(1),
  firstName: z.string().min(1),
  middleName: z.string().min(1).optional(),
  birthDate: isoDate.optional(),
  /** E.164 where the source gives a number; sources differ, so the hub normalises again on use. */
  phone: z.string().min(1).optional(),
  email: z.string().min(3).optional(),
});
export const classRecordSchema = z.object({
  kind: z.literal('class'),
  externalId: id,
  /** As the school writes it, e.g. "1А". */
  name: z.string().min(1),
  /** Parallel (1..11); null when the source does not say and the name does not start with one. */
  grade: z.number().int().min(0).max(12).nullable(),
});
export const subjectRecordSchema = z.object({ kind: z.literal('subject'), externalId: id, name: z.string().min(1) });
/** A teacher teaches a subject in a class (R-C4). */
export const teachingRecordSchema = z.object({ kind: z.literal('teaching'), teacherId: id, subjectId: id, classId: id });
/** A student in a class; `expelled` also marks the old class after a transfer (R-C5, R-L4). */
export const enrollmentRecordSchema = z.object({
  kind: z.literal('enrollment'),
  studentId: id,
  classId: id,
  status: z.enum(['active', 'expelled']),
});
export const staffRecordSchema = z.object({
  kind: z.literal('staff'),
  personId: id,
  role: z.enum(['teacher', 'staff', 'admin']),
  status: z.enum(['employed', 'dismissed']),
});
/**
 * "Class teacher of which class" is its own record rather than a field on staff: streaming sources
 * learn it from class data that arrives after (or before) the staff list.
 */
export const classTeacherRecordSchema = z.object({ kind: z.literal('class-teacher'), classId: id, teacherId: id });
export const guardianshipRecordSchema = z.object({ kind: z.literal('guardianship'), parentId: id, childId: id });

export const rosterRecordSchema = z.discriminatedUnion('kind', [
  personRecordSchema,
  classRecordSchema,
  subjectRecordSchema,
  teachingRecordSchema,
  enrollmentRecordSchema,
  staffRecordSchema,
  classTeacherRecordSchema,
  guardianshipRecordSchema,
]);
export type RosterRecord = z.infer<typeof rosterRecordSchema>;
export type PersonRecord = z.infer<typeof personRecordSchema>;
export type ClassRecord = z.infer<typeof classRecordSchema>;
export type EnrollmentRecord = z.infer<typeof enrollmentRecordSchema>;
export type StaffRecord = z.infer<typeof staffRecordSchema>;
export type RosterRecordKind = RosterRecord['kind'];

export interface SchoolInfo {
  externalId: string;
  name: string;
}

export interface RosterPage {
  records: RosterRecord[];
  /** Opaque; pass it back as `checkpoint` to continue right after this page. Fits in a heartbeat. */
  checkpoint: string;
  /** True on the last page of the read. */
  done: boolean;
}

export interface ReadRosterOptions {
  checkpoint?: string;
  /**
   * ISO time: only what changed after it (sources with `supportsDelta`). A delta shows ended
   * enrollments as `expelled` and ended employment as `dismissed`; a full read may leave them out.
   */
  since?: string;
}

export interface JournalSource {
  readonly kind: JournalKind;
  readonly supportsDelta: boolean;
  listSchools(): Promise<SchoolInfo[]>;
  /** Pages, never the whole roster at once; the adapter retries transient faults itself. */
  readRoster(schoolExternalId: string, options?: ReadRosterOptions): AsyncIterable<RosterPage>;
}

/** Identity of a record: two records with the same key describe the same fact. */
export function recordKey(r: RosterRecord): string {
  switch (r.kind) {
    case 'person':
    case 'class':
    case 'subject':
      return `${r.kind}:${r.externalId}`;
    case 'teaching':
      return `teaching:${r.teacherId}:${r.subjectId}:${r.classId}`;
    case 'enrollment':
      return `enrollment:${r.studentId}:${r.classId}`;
    case 'staff':
      return `staff:${r.personId}`;
    case 'class-teacher':
      return `class-teacher:${r.classId}:${r.teacherId}`;
    case 'guardianship':
      return `guardianship:${r.parentId}:${r.childId}`;
  }
}

/** "1А" → 1, "10Б" → 10; anything else → null. */
export function gradeFromClassName(name: string): number | null {
  const m = /^\s*(\d{1,2})/.exec(name);
  if (!m?.[1]) return null;
  const n = Number(m[1]);
  return n >= 0 && n <= 12 ? n : null;
}
