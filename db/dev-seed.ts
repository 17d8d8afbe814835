// Demo data for the dev stack, so every journey can be tried by hand on a fresh machine.
// Written once: a database that already has schools is left alone.
import { insertClass, insertSchool } from './repositories/schools.js';
import type { Pool } from '../infra/postgres.js';

const demo = [
  { name: 'МБОУ «Средняя школа № 1»', settlement: 'Казань', region: '16', timezone: 'Europe/Moscow', classes: ['1А', '1Б', '5А', '9В'] },
  { name: 'МАОУ «Лицей № 7»', settlement: 'Владивосток', region: '25', timezone: 'Asia/Vladivostok', classes: ['2А', '7Б', '11А'] },
  { name: 'МБОУ «Гимназия № 3»', settlement: 'Екатеринбург', region: '66', timezone: 'Asia/Yekaterinburg', classes: ['3А', '8А'] },
];

export async function seedDevData(pool: Pool): Promise<boolean> {
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM schools');
  if ((rows[0] as { n: number }).n > 0) return false;
  for (const s of demo) {
    const school = await insertSchool(pool, s);
    for (const name of s.classes) await insertClass(pool, { schoolId: school.id, name, grade: Number.parseInt(name, 10) });
  }
  return true;
}
