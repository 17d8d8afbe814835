import { describe, expect, it } from 'vitest';
import { ageAt, ageOnDate, guardianRequirement, localDate } from '../../domain/age.js';

describe('age on the day, in the school time zone (R-A6, R-G1)', () => {
  it('R-G1: the day before the 14th birthday a child still needs a parent; on the day they may choose', () => {
    expect(ageOnDate({ year: 2011, month: 9, day: 1 }, { year: 2025, month: 8, day: 31 })).toBe(13);
    expect(ageOnDate({ year: 2011, month: 9, day: 1 }, { year: 2025, month: 9, day: 1 })).toBe(14);
    expect(guardianRequirement(13)).toBe('required');
    expect(guardianRequirement(14)).toBe('optional');
    expect(guardianRequirement(17)).toBe('optional');
    expect(guardianRequirement(18)).toBe('none');
    expect(guardianRequirement(null)).toBe('required');
  });

  it('R-G1: the birthday begins at the school\'s midnight, not at UTC midnight', () => {
    // 31 Aug 2025 15:30 UTC is already 1 Sep 01:30 in Vladivostok (UTC+10), still 31 Aug in Moscow.
    const at = new Date('2025-08-31T15:30:00Z');
    expect(localDate(at, 'Asia/Vladivostok')).toEqual({ year: 2025, month: 9, day: 1 });
    expect(ageAt('2011-09-01', at, 'Asia/Vladivostok')).toBe(14);
    expect(ageAt('2011-09-01', at, 'Europe/Moscow')).toBe(13);
    // Kaliningrad (UTC+2) is behind Moscow: 21:30 UTC on 31 Aug is 00:30 on 1 Sep in Moscow only.
    const late = new Date('2025-08-31T21:30:00Z');
    expect(ageAt('2011-09-01', late, 'Europe/Moscow')).toBe(14);
    expect(ageAt('2011-09-01', late, 'Europe/Kaliningrad')).toBe(13);
  });

  it('R-A6: someone born on 29 February turns a year older on 28 February in common years', () => {
    expect(ageOnDate({ year: 2012, month: 2, day: 29 }, { year: 2026, month: 2, day: 27 })).toBe(13);
    expect(ageOnDate({ year: 2012, month: 2, day: 29 }, { year: 2026, month: 2, day: 28 })).toBe(14);
    expect(ageOnDate({ year: 2012, month: 2, day: 29 }, { year: 2028, month: 2, day: 28 })).toBe(15);
    expect(ageOnDate({ year: 2012, month: 2, day: 29 }, { year: 2028, month: 2, day: 29 })).toBe(16);
  });

  it('the year turns at the school midnight on 1 January too', () => {
    const newYearUtc = new Date('2025-12-31T20:00:00Z'); // 1 Jan 2026 in Yekaterinburg (UTC+5), not in Moscow
    expect(ageAt('2012-01-01', newYearUtc, 'Asia/Yekaterinburg')).toBe(14);
    expect(ageAt('2012-01-01', newYearUtc, 'Europe/Moscow')).toBe(13);
  });

  it('refuses a birth date that is not a calendar date', () => {
    expect(() => ageAt('01.09.2011', new Date(), 'Europe/Moscow')).toThrow();
  });
});
