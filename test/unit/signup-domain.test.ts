import { describe, expect, it } from 'vitest';
import { signupHandles } from '../../api/signup-handles.js';
import { maskEmail, maskPhone, normalisePhone } from '../../domain/contact.js';
import { channelAllowed, emailSignupAllowed, latestDateAnywhere, profileProblems } from '../../domain/signup.js';

describe('phones and e-mails', () => {
  it('normalises the ways people type Russian numbers to E.164 and refuses the invalid', () => {
    for (const typed of ['8 916 123-45-67', '+7 (916) 123-45-67', '9161234567', '+79161234567']) {
      expect(normalisePhone(typed)).toBe('+79161234567');
    }
    expect(normalisePhone('+7 123')).toBeUndefined();
    expect(normalisePhone('hello')).toBeUndefined();
    expect(normalisePhone('+44 20 7946 0958')).toBe('+442079460958');
  });

  it('masks a phone to its country code and last four digits', () => {
    expect(maskPhone('+79161234567')).toBe('+7 *** ***-45-67');
    expect(maskPhone('+442079460958')).toBe('+44 *** ***-09-58');
    expect(maskEmail('masha.ivanova@mail.ru')).toBe('m***@mail.ru');
  });
});

describe('signup rules', () => {
  it('R-A3: e-mail only for active student invites of grades 1-4; codes by e-mail only to e-mail', () => {
    expect(emailSignupAllowed({ role: 'student', grade: 1, active: true })).toBe(true);
    expect(emailSignupAllowed({ role: 'student', grade: 4, active: true })).toBe(true);
    expect(emailSignupAllowed({ role: 'student', grade: 5, active: true })).toBe(false);
    expect(emailSignupAllowed({ role: 'student', grade: 0, active: true })).toBe(false);
    expect(emailSignupAllowed({ role: 'student', grade: null, active: true })).toBe(false);
    expect(emailSignupAllowed({ role: 'teacher', grade: 2, active: true })).toBe(false);
    expect(emailSignupAllowed({ role: 'student', grade: 2, active: false })).toBe(false);
    expect(channelAllowed('phone', 'sms')).toBe(true);
    expect(channelAllowed('phone', 'voice-call')).toBe(true);
    expect(channelAllowed('phone', 'email')).toBe(false);
    expect(channelAllowed('email', 'sms')).toBe(false);
  });

  it('R-A6: the birth date may be today somewhere on Earth, not later', () => {
    const now = Date.parse('2025-06-01T11:00:00Z'); // already 2 June in Kiritimati (UTC+14)
    expect(latestDateAnywhere(now)).toBe('2025-06-02');
    const base = { firstName: 'Иван', lastName: 'Петров', gender: 'male' };
    expect(profileProblems({ ...base, birthDate: '2025-06-02' }, now)).toEqual([]);
    expect(profileProblems({ ...base, birthDate: '2025-06-03' }, now)).toEqual([{ field: 'birthDate', reason: 'in-future' }]);
    expect(profileProblems({ ...base, birthDate: '1899-12-31' }, now)).toEqual([{ field: 'birthDate', reason: 'too-old' }]);
    expect(profileProblems({ ...base, gender: 'other', birthDate: '2010-01-01' }, now)).toEqual([
      { field: 'gender', reason: 'invalid-characters' },
    ]);
    expect(profileProblems({ ...base, lastName: "О'Брайен-Смирнова", birthDate: '2010-01-01' }, now)).toEqual([]);
  });
});

describe('signup handles', () => {
  it('R-A1/R-A4: one workflow per address, a fresh session per caller, no phone in the id', () => {
    const h = signupHandles('s'.repeat(32));
    const a = h.open('+79161234567');
    const b = h.open('+79161234567');
    expect(a.workflowId).toBe(b.workflowId);
    expect(a.session).not.toBe(b.session);
    expect(a.workflowId).not.toContain('9161234567');
    expect(h.parse(a.signupId)).toEqual(a);
    expect(signupHandles('t'.repeat(32)).open('+79161234567').workflowId).not.toBe(a.workflowId);
    expect(h.parse('x.y')).toBeUndefined();
  });
});
