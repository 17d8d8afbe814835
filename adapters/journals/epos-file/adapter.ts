// EPOS roster export (JSON Lines) behind the JournalSource port. Lines are read one at a time;
// a bad line stops the read with `bad-data` naming the file, the line and the field.
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { JournalSourceError, type BadDataProblem } from '../errors.js';
import { RowPager } from '../files.js';
import { pagedRead } from '../paged-read.js';
import type { JournalSource, PersonRecord, ReadRosterOptions, RosterPage, RosterRecord, SchoolInfo } from '../port.js';
import { gradeFromClassName } from '../port.js';
import { eposLineSchema, type EposLine } from './format.js';

export const eposFileConfigSchema = z.object({
  kind: z.literal('epos-file'),
  /** The uploaded .jsonl file. */
  path: z.string().min(1),
  pageSize: z.number().int().min(1).max(100_000).default(500),
});
export type EposFileConfig = z.input<typeof eposFileConfigSchema>;

interface Line { row: number; line: EposLine }

export class EposFileSource implements JournalSource {
  readonly kind = 'epos-file' as const;
  readonly supportsDelta = false;
  private readonly cfg: z.infer<typeof eposFileConfigSchema>;

  constructor(config: EposFileConfig) {
    this.cfg = eposFileConfigSchema.parse(config);
  }

  private async *lines(): AsyncGenerator<Line> {
    const file = basename(this.cfg.path);
    const stream = createReadStream(this.cfg.path, 'utf8');
    const opened = await new Promise<boolean>((resolve) => {
      stream.once('open', () => resolve(true));
      stream.once('error', () => resolve(false));
    });
    if (!opened) throw new JournalSourceError({ code: 'not-found', what: file });
    let row = 0;
    try {
      for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
        row++;
        const trimmed = text.replace(/^\uFEFF/, '').trim();
        if (!trimmed) continue;
        let json: unknown;
        try {
          json = JSON.parse(trimmed);
        } catch {
          throw new JournalSourceError({ code: 'bad-data', problem: 'bad-json', file, row });
        }
        const parsed = eposLineSchema.safeParse(json);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          const column = issue.path.join('.') || 'type';
          const value = issue.path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<PropertyKey, unknown>)[k] : undefined), json);
          const problem: BadDataProblem = value === undefined || value === '' ? 'empty-value' : column.endsWith('date') ? 'bad-date' : 'bad-value';
          throw new JournalSourceError({ code: 'bad-data', problem, file, row, column, value: value === undefined ? undefined : String(value), note: issue.message });
        }
        yield { row, line: parsed.data };
      }
    } finally {
      stream.destroy();
    }
  }

  async listSchools(): Promise<SchoolInfo[]> {
    const out = new Map<string, string>();
    for await (const { line } of this.lines()) if (line.type === 'school') out.set(line.id, line.name);
    return [...out].map(([externalId, name]) => ({ externalId, name }));
  }

  readRoster(school: string, options: ReadRosterOptions = {}): AsyncIterable<RosterPage> {
    const pager = new RowPager<Line, RosterRecord>(async () => this.lines(), this.cfg.pageSize, ({ line }) =>
      line.type !== 'school' && line.school_id === school ? [toRecord(line)] : [],
    );
    return pagedRead({ source: this.kind, school, ...options }, () => [
      {
        key: 'lines',
        fetch: async (cursor) => {
          const { items, next } = await pager.page(cursor);
          return { records: items, next };
        },
        close: () => pager.close(),
      },
    ]);
  }
}

function toRecord(l: Exclude<EposLine, { type: 'school' }>): RosterRecord {
  switch (l.type) {
    case 'class':
      return { kind: 'class', externalId: l.id, name: l.name, grade: l.grade ?? gradeFromClassName(l.name) };
    case 'subject':
      return { kind: 'subject', externalId: l.id, name: l.name };
    case 'person': {
      const p: PersonRecord = { kind: 'person', externalId: l.id, lastName: l.last_name, firstName: l.first_name };
      if (l.middle_name) p.middleName = l.middle_name;
      if (l.birth_date) p.birthDate = l.birth_date;
      if (l.phone) p.phone = l.phone;
      if (l.email) p.email = l.email;
      return p;
    }
    case 'enrollment':
      return { kind: 'enrollment', studentId: l.student_id, classId: l.class_id, status: l.status };
    case 'staff':
      return { kind: 'staff', personId: l.person_id, role: l.role, status: l.status };
    case 'teaching':
      return { kind: 'teaching', teacherId: l.teacher_id, subjectId: l.subject_id, classId: l.class_id };
    case 'class_teacher':
      return { kind: 'class-teacher', classId: l.class_id, teacherId: l.teacher_id };
    case 'guardian':
      return { kind: 'guardianship', parentId: l.parent_id, childId: l.child_id };
  }
}
