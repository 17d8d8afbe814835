// ESH roster export (CSV, `;`, Russian headers) behind the JournalSource port: one paged step per
// file, rows streamed with csv-parse; a bad cell stops the read naming file, row and column.
import { z } from 'zod';
import { isoDateFrom } from '../dates.js';
import { JournalSourceError } from '../errors.js';
import { csvPager, csvRows, openBundle, requireColumns, type CsvRow, type FileBundle } from '../files.js';
import { pagedRead, type ReadStep } from '../paged-read.js';
import { gradeFromClassName, type JournalSource, type PersonRecord, type ReadRosterOptions, type RosterPage, type RosterRecord, type SchoolInfo } from '../port.js';
import { ESH_FILES, STAFF_ROLE, STAFF_STATUS, STUDENT_STATUS } from './format.js';

export const eshFileConfigSchema = z.object({
  kind: z.literal('esh-file'),
  /** Folder with the CSV files, or a .zip of them. */
  path: z.string().min(1),
  pageSize: z.number().int().min(1).max(100_000).default(500),
});
export type EshFileConfig = z.input<typeof eshFileConfigSchema>;

type Spec = (typeof ESH_FILES)[keyof typeof ESH_FILES];
const csv = { delimiter: ';' };

function cell(r: CsvRow, spec: Spec, column: string, required = true): string {
  const v = r.values[column] ?? '';
  if (required && v === '') throw new JournalSourceError({ code: 'bad-data', problem: 'empty-value', file: spec.file, row: r.row, column });
  return v;
}
function oneOf<T extends Record<string, string>>(r: CsvRow, spec: Spec, column: string, allowed: T): T[keyof T] {
  const v = cell(r, spec, column).toLowerCase();
  if (!(v in allowed)) throw new JournalSourceError({ code: 'bad-data', problem: 'bad-value', file: spec.file, row: r.row, column, value: r.values[column] });
  return allowed[v as keyof T];
}

export class EshFileSource implements JournalSource {
  readonly kind = 'esh-file' as const;
  readonly supportsDelta = false;
  private readonly cfg: z.infer<typeof eshFileConfigSchema>;
  private readonly bundle: FileBundle;

  constructor(config: EshFileConfig) {
    this.cfg = eshFileConfigSchema.parse(config);
    this.bundle = openBundle(this.cfg.path);
  }

  async listSchools(): Promise<SchoolInfo[]> {
    const spec = ESH_FILES.schools;
    const stream = await this.bundle.open(spec.file);
    if (!stream) throw new JournalSourceError({ code: 'bad-data', problem: 'missing-file', file: spec.file });
    const out: SchoolInfo[] = [];
    for await (const r of csvRows(stream, spec.file, csv)) {
      requireColumns(r, spec.file, spec.columns);
      const id = cell(r, spec, 'Код ОО');
      if (!out.some((s) => s.externalId === id)) out.push({ externalId: id, name: cell(r, spec, 'Наименование') });
    }
    return out;
  }

  readRoster(school: string, options: ReadRosterOptions = {}): AsyncIterable<RosterPage> {
    const step = (spec: Spec, map: (r: CsvRow) => RosterRecord): ReadStep => {
      const pager = csvPager(this.bundle, spec.file, this.cfg.pageSize, (r) => {
        requireColumns(r, spec.file, spec.columns);
        return cell(r, spec, 'Код ОО') === school ? [map(r)] : [];
      }, csv);
      return {
        key: spec.file,
        fetch: async (cursor) => {
          if (cursor === null && !(await this.bundle.has(spec.file))) {
            throw new JournalSourceError({ code: 'bad-data', problem: 'missing-file', file: spec.file });
          }
          const { items, next } = await pager.page(cursor);
          return { records: items, next };
        },
        close: () => pager.close(),
      };
    };
    const F = ESH_FILES;
    return pagedRead({ source: this.kind, school, ...options }, () => [
      step(F.classes, (r) => {
        const name = cell(r, F.classes, 'Класс');
        const raw = cell(r, F.classes, 'Параллель', false);
        const grade = raw === '' ? gradeFromClassName(name) : Number(raw);
        if (grade !== null && !(Number.isInteger(grade) && grade >= 0 && grade <= 12)) {
          throw new JournalSourceError({ code: 'bad-data', problem: 'bad-value', file: F.classes.file, row: r.row, column: 'Параллель', value: raw });
        }
        return { kind: 'class', externalId: cell(r, F.classes, 'Код класса'), name, grade };
      }),
      step(F.subjects, (r) => ({ kind: 'subject', externalId: cell(r, F.subjects, 'Код предмета'), name: cell(r, F.subjects, 'Предмет') })),
      step(F.people, (r) => {
        const p: PersonRecord = { kind: 'person', externalId: cell(r, F.people, 'Код'), lastName: cell(r, F.people, 'Фамилия'), firstName: cell(r, F.people, 'Имя') };
        const middle = cell(r, F.people, 'Отчество', false);
        if (middle) p.middleName = middle;
        const rawDate = cell(r, F.people, 'Дата рождения', false);
        if (rawDate) {
          const d = isoDateFrom(rawDate);
          if (!d) throw new JournalSourceError({ code: 'bad-data', problem: 'bad-date', file: F.people.file, row: r.row, column: 'Дата рождения', value: rawDate });
          p.birthDate = d;
        }
        const phone = cell(r, F.people, 'Телефон', false);
        if (phone) p.phone = phone;
        const email = cell(r, F.people, 'Эл. почта', false);
        if (email) p.email = email;
        return p;
      }),
      step(F.students, (r) => ({ kind: 'enrollment', studentId: cell(r, F.students, 'Код ученика'), classId: cell(r, F.students, 'Код класса'), status: oneOf(r, F.students, 'Статус', STUDENT_STATUS) })),
      step(F.staff, (r) => ({ kind: 'staff', personId: cell(r, F.staff, 'Код сотрудника'), role: oneOf(r, F.staff, 'Должность', STAFF_ROLE), status: oneOf(r, F.staff, 'Статус', STAFF_STATUS) })),
      step(F.teaching, (r) => ({ kind: 'teaching', teacherId: cell(r, F.teaching, 'Код учителя'), subjectId: cell(r, F.teaching, 'Код предмета'), classId: cell(r, F.teaching, 'Код класса') })),
      step(F.classTeachers, (r) => ({ kind: 'class-teacher', classId: cell(r, F.classTeachers, 'Код класса'), teacherId: cell(r, F.classTeachers, 'Код учителя') })),
      step(F.guardians, (r) => ({ kind: 'guardianship', parentId: cell(r, F.guardians, 'Код родителя'), childId: cell(r, F.guardians, 'Код ребёнка') })),
    ]);
  }
}
