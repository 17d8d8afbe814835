// Phone numbers and e-mail addresses as the hub keeps them (E.164, lower-case) and as logs and
// screens may show them (masked). Pure: libphonenumber-js has no Node built-ins.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export const DEFAULT_PHONE_REGION: CountryCode = 'RU';

/** E.164 for a valid number typed in any common way ("8 916 …", "+7 (916) …"); undefined otherwise. */
export function normalisePhone(input: string, region: CountryCode = DEFAULT_PHONE_REGION): string | undefined {
  const parsed = parsePhoneNumberFromString(input.trim(), region);
  return parsed?.isValid() ? parsed.number : undefined;
}

/** "+79161234567" → "+7 *** ***-45-67": enough to recognise one's own number, not enough to dial it. */
export function maskPhone(e164: string): string {
  const digits = e164.replace(/\D/g, '');
  const parsed = parsePhoneNumberFromString(e164);
  const country = parsed?.countryCallingCode ?? digits.slice(0, Math.max(1, digits.length - 10));
  const tail = digits.slice(-4);
  return `+${country} *** ***-${tail.slice(0, 2)}-${tail.slice(2)}`;
}

export function normaliseEmail(input: string): string {
  return input.trim().toLowerCase();
}

/** "masha.ivanova@mail.ru" → "m***@mail.ru". */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

export type Contact = { kind: 'phone'; phone: string } | { kind: 'email'; email: string };

export const contactAddress = (c: Contact): string => (c.kind === 'phone' ? c.phone : c.email);
export const maskContact = (c: Contact): string => (c.kind === 'phone' ? maskPhone(c.phone) : maskEmail(c.email));
