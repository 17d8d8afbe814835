// The words of a one-time code message. SMS text is kept within one Cyrillic SMS (70 characters):
// a longer text costs two messages per code.
import type { OtpPurpose } from './port.js';

export type Lang = 'ru' | 'en';

const smsText: Record<OtpPurpose, Record<Lang, (code: string) => string>> = {
  signup: {
    ru: (c) => `Код для входа: ${c}. Никому его не сообщайте.`,
    en: (c) => `Sign-in code: ${c}. Do not share it with anyone.`,
  },
  'password-reset': {
    ru: (c) => `Код для смены пароля: ${c}. Никому его не сообщайте.`,
    en: (c) => `Password reset code: ${c}. Do not share it with anyone.`,
  },
};

export const otpSmsText = (purpose: OtpPurpose, code: string, lang: Lang = 'ru'): string => smsText[purpose][lang](code);

export interface MailText {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const mail: Record<OtpPurpose, Record<Lang, { subject: string; lead: string }>> = {
  signup: {
    ru: { subject: 'Код подтверждения', lead: 'Ваш код для входа в школьный сервис' },
    en: { subject: 'Confirmation code', lead: 'Your sign-in code for the school service' },
  },
  'password-reset': {
    ru: { subject: 'Код для смены пароля', lead: 'Ваш код для смены пароля' },
    en: { subject: 'Password reset code', lead: 'Your password reset code' },
  },
};

const tail: Record<Lang, (minutes: number) => string> = {
  ru: (m) => `Код действует ${m} мин. Никому его не сообщайте: сотрудники школы его не спрашивают.\nЕсли вы не запрашивали код, просто удалите это письмо.`,
  en: (m) => `The code is valid for ${m} min. Do not share it: school staff never ask for it.\nIf you did not ask for a code, just delete this e-mail.`,
};

/** Plain text first (every mail client shows it), HTML as the alternative. */
export function otpMail(purpose: OtpPurpose, code: string, validMinutes: number, lang: Lang = 'ru'): MailText {
  const m = mail[purpose][lang];
  const rest = tail[lang](validMinutes);
  return {
    subject: `${m.subject}: ${code}`,
    text: `${m.lead}: ${code}\n\n${rest}\n`,
    html: `<p>${escapeHtml(m.lead)}:</p><p style="font-size:24px;letter-spacing:4px"><b>${code}</b></p>${rest
      .split('\n')
      .map((l) => `<p>${escapeHtml(l)}</p>`)
      .join('')}`,
  };
}
