// Text shown to people: Russian by default, English on request. Problem `type` codes stay language-neutral.
// The words live in the catalogue (i18n/ru.ts, i18n/en.ts, namespace `problems`); this module keeps the
// API's names for them (message, MessageCode, pickLang) and fills in the few values worded per language.
import { fill, langOf, words, type Lang, type Params } from '../i18n/index.js';
import type { ru } from '../i18n/ru.js';
import { signupParams } from './messages-signup.js';
export type { Lang } from '../i18n/index.js';

export type MessageCode = keyof typeof ru.problems;

/** Values a text needs in the reader's language, made from the language-neutral params a Problem carries. */
function prepare(code: MessageCode, lang: Lang, p: Params): { code: MessageCode; params: Params } {
  if (code === 'sync-already-running') return { code, params: { ...p, runKind: words(lang).runKinds[p.kind === 'nightly' ? 'nightly' : 'manual'] } };
  // The journal source words its own reason in both languages (JournalSourceError.text).
  if (code === 'export-invalid') return { code, params: { ...p, reason: String((lang === 'ru' ? p.reasonRu : p.reasonEn) ?? p.reason ?? '') } };
  return signupParams(code, p);
}

export function message(code: MessageCode, lang: Lang, params: Params = {}): string {
  const ready = prepare(code, lang, params);
  return fill(words(lang).problems[ready.code], ready.params);
}

/** Picks the language from Accept-Language; anything but English gets the default. */
export function pickLang(acceptLanguage: string | undefined, fallback: Lang): Lang {
  if (!acceptLanguage) return fallback;
  return langOf(acceptLanguage.split(',')[0]) ?? fallback;
}

/** A time as people of the school read it: in the school's own zone. */
export function formatLocalTime(at: Date, timeZone: string, lang: Lang): string {
  // The same shape the console shows (console/README.md): the zone named by its IANA name and offset,
  // "05.12.2026, 15:30 (Asia/Irkutsk, UTC+8)", never a bare "GMT+8" that names no place.
  const time = new Intl.DateTimeFormat(lang === 'ru' ? 'ru-RU' : 'en-GB', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(at);
  const gmt = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'shortOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  return fill(words(lang).console.timeWithZone, { time, zone: timeZone, offset: gmt.replace('GMT', 'UTC') });
}
