// What the OneRoster CSV upload check and reads report without refusing: named by file, row and
// column, worded in Russian by default and in English on request, as JournalSourceError is.
import type { Lang } from '../errors.js';

export type CsvWarning =
  | { code: 'unknown-column'; file: string; row: 1; column: string; suggestion?: string }
  | { code: 'not-iso-date'; file: string; row: number; column: string; value: string }
  | { code: 'teacher-enrolled-as-student'; file: string; row: number; column: string; value: string }
  | { code: 'person-without-role'; file: string; row: number; column: string; value: string };

export function csvWarningText(w: CsvWarning, lang: Lang): string {
  const ru = lang === 'ru';
  const where = ru ? `файл ${w.file}, строка ${w.row}, столбец «${w.column}»` : `file ${w.file}, row ${w.row}, column "${w.column}"`;
  switch (w.code) {
    case 'unknown-column': {
      const hint = w.suggestion ? (ru ? `; возможно, имелся в виду «${w.suggestion}»` : `; perhaps "${w.suggestion}" was meant`) : '';
      return ru ? `${where}: такого столбца нет в OneRoster, он не читается${hint}.` : `${where}: OneRoster defines no such column; it is not read${hint}.`;
    }
    case 'not-iso-date':
      return ru
        ? `${where}: дата «${w.value}» не в формате ISO 8601 (ГГГГ-ММ-ДД), не читается: день и месяц не угадываются.`
        : `${where}: the date "${w.value}" is not ISO 8601 (YYYY-MM-DD) and is not read: day and month are never guessed.`;
    case 'teacher-enrolled-as-student':
      return ru
        ? `${where}: учитель ${w.value} записан в класс как ученик.`
        : `${where}: teacher ${w.value} is enrolled in a class as a student.`;
    case 'person-without-role':
      return ru
        ? `${where}: у человека ${w.value} нет ни роли, ни зачисления, по которым его можно связать с чатами.`
        : `${where}: person ${w.value} has no role or enrollment by which they could be placed in chats.`;
  }
}
