import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { journalSourceConformance, readAll } from '../../../test/conformance/journal-source.conformance.js';
import { isJournalSourceError } from '../errors.js';
import { RosterModel } from '../testing/roster-model.js';
import { EposFileSource } from './adapter.js';
import { writeEposExport } from './export.js';

journalSourceConformance('epos-file', async () => {
  const model = RosterModel.generate({ seed: 21, schools: 2 });
  const dir = await mkdtemp(join(tmpdir(), 'epos-'));
  const path = join(dir, 'epos-export.jsonl');
  await writeEposExport(model, path);
  return {
    model,
    schoolId: [...model.schools.keys()][1]!,
    personFields: ['middleName', 'birthDate', 'phone', 'email'],
    hasCredentials: false,
    sync: () => writeEposExport(model, path),
    writeDuplicates: () => writeEposExport(model, path, { duplicate: true }),
    source: () => new EposFileSource({ kind: 'epos-file', path, pageSize: 40 }),
    close: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('EPOS export: bad data', () => {
  it('R-C1: a wrong birth date names file, line and field, in Russian and in English', async () => {
    const model = RosterModel.generate({ seed: 4 });
    const dir = await mkdtemp(join(tmpdir(), 'epos-bad-'));
    try {
      const path = join(dir, 'upload.jsonl');
      await writeEposExport(model, path);
      const lines = (await readFile(path, 'utf8')).split('\n');
      const at = lines.findIndex((l) => l.includes('"type":"person"') && l.includes('birth_date'));
      lines[at] = lines[at]!.replace(/"birth_date":"[^"]*"/, '"birth_date":"31.02.2010"');
      await writeFile(path, lines.join('\n'));
      const err = await readAll(new EposFileSource({ kind: 'epos-file', path }), [...model.schools.keys()][0]!).catch((e: unknown) => e);
      expect(isJournalSourceError(err, 'bad-data')).toBe(true);
      if (!isJournalSourceError(err)) return;
      expect(err.detail).toMatchObject({ code: 'bad-data', problem: 'bad-date', file: 'upload.jsonl', row: at + 1, column: 'birth_date', value: '31.02.2010' });
      expect(err.message).toContain(`файл upload.jsonl, строка ${at + 1}, столбец «birth_date»`);
      expect(err.text('en')).toContain(`file upload.jsonl, row ${at + 1}, column "birth_date": a date must be`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
