// Personal data as a support agent sees it by default: enough to recognise, not enough to use.
// Revealing the clear value is a separate, audited request (POST …/reveal).

/** `+79161231234` → `+7 *** ***-12-34`; keeps the country code and the last four digits. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 6) return '***';
  const last4 = digits.slice(-4);
  const country = phone.startsWith('+7') || (digits.length === 11 && digits.startsWith('7')) ? '7' : digits.slice(0, digits.length - 10 || 1);
  return `+${country} *** ***-${last4.slice(0, 2)}-${last4.slice(2)}`;
}

/** `ivan.petrov@mail.ru` → `i***@mail.ru`; the domain stays readable (it tells which mail service). */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** `Петров` → `П.`: the surname initial only. */
export function maskSurname(name: string): string {
  return name ? `${name[0]}.` : '';
}

/** Masks a contact that may be a phone number or an e-mail address. */
export function maskContact(contact: string): string {
  return contact.includes('@') ? maskEmail(contact) : maskPhone(contact);
}
