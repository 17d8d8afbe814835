// The small error union every adapter translates upstream failures into (dust-tt connectors style).
// `retryable` is the one decision callers (activities) need; the rest is for people and reports.
import { words } from '../../i18n/index.js';

export type Lang = 'ru' | 'en';

export type JournalErrorDetail =
  /** `because` names a refusal the person can act on, said in its own words (i18n journalSource). */
  | { code: 'auth'; reason?: string; because?: 'eljur-gosuslugi-only' }
  | { code: 'rate-limited'; retryAfterMs: number }
  | { code: 'unavailable'; status?: number; reason?: string }
  | {
      code: 'bad-data';
      problem: BadDataProblem;
      file?: string;
      /** 1-based, counting the header line as row 1 (as a spreadsheet shows it). */
      row?: number;
      column?: string;
      value?: string;
      /** For a duplicate id: the row where the id was first seen. */
      firstRow?: number;
      /** Free detail in English for logs (e.g. a zod issue path); never shown as the main text. */
      note?: string;
    }
  | { code: 'not-found'; what: string }
  /**
   * The connection cannot be read as it is set up: a file-based connection with no upload and no
   * path (`no-export`), or settings the adapter refuses (`bad-settings`, the field in `note`), or a
   * provider speaking a version the adapter does not (`unsupported-version`, the version in `note`).
   * A human has to change something: never retried.
   */
  | { code: 'not-configured'; reason: 'no-export' | 'bad-settings' | 'unsupported-version'; note?: string };
export type JournalErrorCode = JournalErrorDetail['code'];

const badDataText = {
  'missing-file': { ru: 'нет обязательного файла', en: 'a required file is missing' },
  'missing-column': { ru: 'нет обязательного столбца', en: 'a required column is missing' },
  'empty-value': { ru: 'пустое обязательное значение', en: 'a required value is empty' },
  'bad-date': { ru: 'дата должна быть в виде ДД.ММ.ГГГГ или ГГГГ-ММ-ДД', en: 'a date must be DD.MM.YYYY or YYYY-MM-DD' },
  'bad-value': { ru: 'недопустимое значение', en: 'a value is not allowed' },
  'bad-json': { ru: 'строка не является корректным JSON', en: 'the line is not valid JSON' },
  'bad-csv': { ru: 'файл не читается как CSV', en: 'the file cannot be read as CSV' },
  'bad-archive': { ru: 'файл в ZIP-архиве повреждён и не читается', en: 'the file in the ZIP archive is damaged and cannot be read' },
  'bad-encoding': {
    ru: 'текст не в кодировке UTF-8 (сохраните выгрузку как «CSV UTF-8»)',
    en: 'the text is not UTF-8 (save the export as "CSV UTF-8")',
  },
  'duplicate-id': { ru: 'этот идентификатор уже встречался с другими данными', en: 'this id was already used for different data' },
  'unknown-reference': { ru: 'ссылка на неизвестную запись', en: 'a reference to an unknown record' },
  'unexpected-reply': { ru: 'ответ журнала не соответствует ожидаемому формату', en: "the journal's reply has an unexpected shape" },
  'delta-export': {
    ru: 'это выгрузка изменений (delta), а не полная: она применяется только как изменения к загруженной ранее полной выгрузке',
    en: 'this is a delta export, not a full one: it can only be applied as changes to a full export uploaded before it',
  },
  'bad-checkpoint': { ru: 'контрольная точка не подходит к этому источнику', en: 'the checkpoint does not belong to this source' },
} as const;
export type BadDataProblem = keyof typeof badDataText;

export class JournalSourceError extends Error {
  readonly detail: JournalErrorDetail;
  constructor(detail: JournalErrorDetail, options?: { cause?: unknown }) {
    super(journalErrorText(detail, 'ru'), options);
    this.name = 'JournalSourceError';
    this.detail = detail;
  }
  get code(): JournalErrorCode {
    return this.detail.code;
  }
  /** Worth trying again later without a human: rate limits and outages, not bad keys or bad files. */
  get retryable(): boolean {
    return this.detail.code === 'rate-limited' || this.detail.code === 'unavailable';
  }
  text(lang: Lang): string {
    return journalErrorText(this.detail, lang);
  }
}

export function isJournalSourceError(e: unknown, code?: JournalErrorCode): e is JournalSourceError {
  return e instanceof JournalSourceError && (code === undefined || e.code === code);
}

function where(d: Extract<JournalErrorDetail, { code: 'bad-data' }>, lang: Lang): string {
  const parts: string[] = [];
  if (d.file) parts.push(lang === 'ru' ? `файл ${d.file}` : `file ${d.file}`);
  if (d.row !== undefined) parts.push(lang === 'ru' ? `строка ${d.row}` : `row ${d.row}`);
  if (d.column) parts.push(lang === 'ru' ? `столбец «${d.column}»` : `column "${d.column}"`);
  return parts.length ? `${parts.join(', ')}: ` : '';
}

export function journalErrorText(d: JournalErrorDetail, lang: Lang): string {
  const ru = lang === 'ru';
  switch (d.code) {
    case 'auth':
      if (d.because === 'eljur-gosuslugi-only') return words(lang).journalSource.eljurGosuslugiOnly;
      return ru
        ? 'Журнал отклонил учётные данные подключения: проверьте ключ, логин или токен.'
        : 'The journal refused the connection credentials: check the key, login or token.';
    case 'rate-limited': {
      const s = Math.ceil(d.retryAfterMs / 1000);
      return ru
        ? `Журнал ограничил частоту запросов; повторите через ${s} с.`
        : `The journal is rate limiting requests; retry in ${s} s.`;
    }
    case 'unavailable':
      return ru
        ? `Журнал сейчас недоступен${d.status ? ` (HTTP ${d.status})` : ''}; повторим позже.`
        : `The journal is unavailable right now${d.status ? ` (HTTP ${d.status})` : ''}; will retry later.`;
    case 'bad-data': {
      const value = d.value !== undefined ? (ru ? ` (значение «${d.value}»)` : ` (value "${d.value}")`) : '';
      const first = d.firstRow !== undefined ? (ru ? `, впервые в строке ${d.firstRow}` : `, first in row ${d.firstRow}`) : '';
      const text = badDataText[d.problem][lang];
      const sentence = where(d, lang) ? text : text.charAt(0).toUpperCase() + text.slice(1);
      return `${where(d, lang)}${sentence}${value}${first}.`;
    }
    case 'not-found':
      return ru ? `В журнале не найдено: ${d.what}.` : `Not found in the journal: ${d.what}.`;
    case 'not-configured':
      return notConfiguredText(d, ru);
  }
}

function notConfiguredText(d: Extract<JournalErrorDetail, { code: 'not-configured' }>, ru: boolean): string {
  const note = d.note ? ` (${d.note})` : '';
  switch (d.reason) {
    case 'no-export':
      return ru
        ? 'Подключению нечего читать: выгрузка ещё не загружена и путь к ней не указан. Загрузите выгрузку (POST /v1/connections/{id}/export) и запустите синхронизацию снова.'
        : 'The connection has nothing to read: no export has been uploaded and no path is set. Upload an export (POST /v1/connections/{id}/export) and start the sync again.';
    case 'bad-settings':
      return ru ? `Настройки подключения не подходят к журналу${note}.` : `The connection settings do not fit the journal${note}.`;
    case 'unsupported-version':
      return ru
        ? `Журнал работает по версии протокола, которую подключение не поддерживает${note}.`
        : `The journal speaks a protocol version this connection does not support${note}.`;
  }
}
