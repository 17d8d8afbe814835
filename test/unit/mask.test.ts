import { describe, expect, it } from 'vitest';
import { maskContact, maskEmail, maskPhone, maskSurname } from '../../domain/mask.js';

describe('personal data masked for support by default', () => {
  it('a phone keeps the country code and the last four digits', () => {
    expect(maskPhone('+79161231234')).toBe('+7 *** ***-12-34');
    expect(maskPhone('+7 (916) 123-12-34')).toBe('+7 *** ***-12-34');
    expect(maskPhone('12')).toBe('***');
  });
  it('an e-mail keeps its first letter and the domain', () => {
    expect(maskEmail('ivanova@mail.ru')).toBe('i***@mail.ru');
    expect(maskEmail('@x')).toBe('***');
    expect(maskContact('ivan@ya.ru')).toBe('i***@ya.ru');
    expect(maskContact('+79001112233')).toBe('+7 *** ***-22-33');
  });
  it('a surname becomes its initial', () => {
    expect(maskSurname('Соколова')).toBe('С.');
  });
});
