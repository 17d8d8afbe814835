// Text shown to people: Russian by default, English on request. Problem `type` codes stay language-neutral.
import { signupMessages } from './messages-signup.js';
export type Lang = 'ru' | 'en';
type Params = Record<string, string | number>;
type Text = (p: Params) => string;

const catalog = {
  'validation-failed': {
    ru: () => 'Запрос заполнен неверно: проверьте отмеченные поля.',
    en: () => 'The request is invalid: check the listed fields.',
  },
  'malformed-json': {
    ru: () => 'Тело запроса не является корректным JSON.',
    en: () => 'The request body is not valid JSON.',
  },
  'unsupported-media-type': {
    ru: () => 'Ожидается тело в формате application/json.',
    en: () => 'The request body must be application/json.',
  },
  'payload-too-large': {
    ru: () => 'Тело запроса слишком велико.',
    en: () => 'The request body is too large.',
  },
  'not-found': {
    ru: () => 'Такого адреса нет.',
    en: () => 'No such resource.',
  },
  unauthenticated: {
    ru: () => 'Нужен вход: передайте действующий токен доступа (Authorization: Bearer …).',
    en: () => 'Sign-in required: send a valid access token (Authorization: Bearer …).',
  },
  forbidden: {
    ru: () => 'Недостаточно прав для этого действия.',
    en: () => 'You are not allowed to do this.',
  },
  'not-ready': {
    ru: (p) => `Сервис пока не готов: не отвечает ${p.failed}.`,
    en: (p) => `The service is not ready: ${p.failed} does not answer.`,
  },
  internal: {
    ru: () => 'Внутренняя ошибка. Повторите попытку позже.',
    en: () => 'Internal error. Please try again later.',
  },
  'school-not-found': {
    ru: () => 'Школа не найдена.',
    en: () => 'School not found.',
  },
  'class-not-found': {
    ru: () => 'Класс не найден в этой школе.',
    en: () => 'Class not found in this school.',
  },
  'class-required': {
    ru: () => 'Для приглашения ученика нужно указать класс.',
    en: () => 'An invite for a student must name a class.',
  },
  'invite-validity-too-long': {
    ru: (p) => `Срок действия приглашения — от 1 до ${p.maxDays} дней.`,
    en: (p) => `An invite is valid for 1 to ${p.maxDays} days.`,
  },
  'invite-not-found': {
    ru: () => 'Приглашение не найдено. Проверьте ссылку или попросите новую у администратора школы.',
    en: () => 'Invite not found. Check the link or ask the school administrator for a new one.',
  },
  'invite-expired': {
    ru: (p) =>
      `Срок действия приглашения истёк ${p.expiredAt}. Попросите у администратора школы или классного руководителя новую ссылку.`,
    en: (p) => `This invite expired on ${p.expiredAt}. Ask the school administrator or class teacher for a new link.`,
  },
  'invite-revoked': {
    ru: () => 'Приглашение отозвано администратором. Попросите новую ссылку у администратора школы или классного руководителя.',
    en: () => 'This invite was revoked. Ask the school administrator or class teacher for a new link.',
  },
  'invite-declined': {
    ru: () => 'Вы уже отклонили это приглашение. Если передумали, попросите новую ссылку.',
    en: () => 'You already declined this invite. If you changed your mind, ask for a new link.',
  },
  'invite-accepted': {
    ru: () => 'По этому приглашению уже подана заявка.',
    en: () => 'This invite has already been used to apply.',
  },
  ...signupMessages,
} satisfies Record<string, Record<Lang, Text>>;

export type MessageCode = keyof typeof catalog;

export function message(code: MessageCode, lang: Lang, params: Params = {}): string {
  const entry: Record<Lang, Text> = catalog[code];
  return entry[lang](params);
}

/** Picks the language from Accept-Language; anything but English gets the default. */
export function pickLang(acceptLanguage: string | undefined, fallback: Lang): Lang {
  if (!acceptLanguage) return fallback;
  const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
  if (first.startsWith('en')) return 'en';
  if (first.startsWith('ru')) return 'ru';
  return fallback;
}

/** A time as people of the school read it: in the school's own zone. */
export function formatLocalTime(at: Date, timeZone: string, lang: Lang): string {
  const text = new Intl.DateTimeFormat(lang === 'ru' ? 'ru-RU' : 'en-GB', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(at);
  return text;
}
