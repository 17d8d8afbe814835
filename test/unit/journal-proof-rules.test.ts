// R-L5 and R-L3 pure rules: the linking code's shape and the Gosuslugi comparison.
import { describe, expect, it } from 'vitest';
import { matchEsiaIdentity } from '../../domain/esia-match.js';
import { linkingCodeFrom, normaliseLinkingCode } from '../../domain/linking-code.js';

describe('linking codes (R-L5)', () => {
  it('R-L5: twelve symbols in three groups, as typed in any case, with spaces or the letters people confuse', () => {
    const code = linkingCodeFrom(new Uint8Array([0, 1, 2, 3, 10, 11, 12, 13, 28, 29, 30, 31]));
    expect(code).toBe('0123-ABCD-WXYZ');
    expect(normaliseLinkingCode('0123 abcd wxyz')).toBe(code);
    expect(normaliseLinkingCode('O123-ABCD-WXYZ')).toBe(code);
    expect(normaliseLinkingCode('0I23-ABCD-WXYZ')).toBe('0123-ABCD-WXYZ');
    for (const bad of ['', '0123-ABCD-WXY', '0123-ABCD-WXYZZ', '0123-ABCD-WXY!', 'UUUU-UUUU-UUUU']) expect(normaliseLinkingCode(bad)).toBeUndefined();
  });
});

describe("Gosuslugi vs the journal person (R-L3, R-L5)", () => {
  const student = { isStudent: true, birthDate: '2015-03-08', displayName: 'Семёнова Софья Андреевна' };
  it('R-L3: the student’s own account matches on birth date and name (ё = е, any case)', () => {
    expect(matchEsiaIdentity(student, { birthDate: '2015-03-08', name: { family: 'Семенова', given: 'софья' }, childrenBirthDates: [] })).toBe('ok');
  });
  it("R-L3: a parent's account (children attached) never proves a student, whatever else matches", () => {
    expect(matchEsiaIdentity(student, { birthDate: '2015-03-08', name: { family: 'Семёнова', given: 'Софья' }, childrenBirthDates: ['2015-03-08'] })).toBe('parent-account');
  });
  it('R-L5: another birth date, another name, or no birth date in the journal proves nothing', () => {
    expect(matchEsiaIdentity(student, { birthDate: '2015-03-09', name: { family: 'Семёнова', given: 'Софья' } })).toBe('mismatch');
    expect(matchEsiaIdentity(student, { birthDate: '2015-03-08', name: { family: 'Иванова', given: 'Софья' } })).toBe('mismatch');
    expect(matchEsiaIdentity({ ...student, birthDate: null }, { birthDate: '2015-03-08' })).toBe('mismatch');
    // A parent proving their own (parent) identity may have children.
    expect(matchEsiaIdentity({ isStudent: false, birthDate: '1985-01-01', displayName: 'Семёнова Ольга' }, { birthDate: '1985-01-01', name: { family: 'Семёнова', given: 'Ольга' }, childrenBirthDates: ['2015-03-08'] })).toBe('ok');
  });
});
