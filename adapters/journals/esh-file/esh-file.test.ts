import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { journalSourceConformance, readAll } from '../../../test/conformance/journal-source.conformance.js';
import { isJournalSourceError } from '../errors.js';
import { RosterModel } from '../testing/roster-model.js';
import { EshFileSource } from './adapter.js';
import { writeEshExport } from './export.js';

journalSourceConformance('esh-file', async () => {
  const model = RosterModel.generate({ seed: 33, schools: 2 });
  const dir = await mkdtemp(join(tmpdir(), 'esh-'));
  await writeEshExport(model, dir);
  return {
    model,
    schoolId: [...model.schools.keys()][0]!,
    personFields: ['middleName', 'birthDate', 'phone', 'email'],
    hasCredentials: false,
    sync: () => writeEshExport(model, dir),
    writeDuplicates: () => writeEshExport(model, dir, { duplicate: true }),
    source: () => new EshFileSource({ kind: 'esh-file', path: dir, pageSize: 30 }),
    close: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('ESH export: bad data', () => {
  async function broken(edit: (dir: string) => Promise<void>) {
    const model = RosterModel.generate({ seed: 8 });
    const dir = await mkdtemp(join(tmpdir(), 'esh-bad-'));
    try {
      await writeEshExport(model, dir);
      await edit(dir);
      return await readAll(new EshFileSource({ kind: 'esh-file', path: dir }), [...model.schools.keys()][0]!).catch((e: unknown) => e);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('R-C1: an impossible birth date names file, row and column in Russian, English on request', async () => {
    const err = await broken(async (dir) => {
      const file = join(dir, 'people.csv');
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines[2] = lines[2]!.replace(/\d{2}\.\d{2}\.\d{4}/, '31.02.2010');
      await writeFile(file, lines.join('\n'));
    });
    expect(isJournalSourceError(err, 'bad-data')).toBe(true);
    if (!isJournalSourceError(err)) return;
    expect(err.detail).toMatchObject({ problem: 'bad-date', file: 'people.csv', row: 3, column: 'Дата рождения', value: '31.02.2010' });
    expect(err.message).toBe('файл people.csv, строка 3, столбец «Дата рождения»: дата должна быть в виде ДД.ММ.ГГГГ или ГГГГ-ММ-ДД (значение «31.02.2010»).');
    expect(err.text('en')).toBe('file people.csv, row 3, column "Дата рождения": a date must be DD.MM.YYYY or YYYY-MM-DD (value "31.02.2010").');
  });

  it('R-C1: a missing column and an unknown status are named too', async () => {
    const missing = await broken(async (dir) => {
      const file = join(dir, 'students.csv');
      await writeFile(file, (await readFile(file, 'utf8')).replace('Статус', 'Состояние'));
    });
    expect(isJournalSourceError(missing) && missing.detail).toMatchObject({ problem: 'missing-column', file: 'students.csv', row: 1, column: 'Статус' });
    const unknown = await broken(async (dir) => {
      const file = join(dir, 'staff.csv');
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines[1] = lines[1]!.replace(/;работает$/, ';в отпуске');
      await writeFile(file, lines.join('\n'));
    });
    expect(isJournalSourceError(unknown) && unknown.detail).toMatchObject({ problem: 'bad-value', file: 'staff.csv', row: 2, column: 'Статус', value: 'в отпуске' });
  });
});
