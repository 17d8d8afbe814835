// Age rules (R-A6, R-G1). Pure: used by activities and tests; no Node built-ins.

/** Years below which a legal representative must confirm a student (R-G1). */
export const GUARDIAN_REQUIRED_UNDER = 14;
/** Years from which a person is an adult: no parent confirmation is offered. */
export const ADULT_AT = 18;

export type GuardianRequirement = 'required' | 'optional' | 'none';

export interface LocalDate {
  year: number;
  month: number; // 1-12
  day: number;
}

/** The calendar date at `at` as seen on the wall clocks of `timeZone` (the school's zone). */
export function localDate(at: Date, timeZone: string): LocalDate {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day') };
}

export function parseIsoDate(iso: string): LocalDate {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new Error(`not a calendar date: ${iso}`);
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/**
 * Whole years of a person born on `birth`, on the day `today`.
 * Someone born on 29 February has their birthday on 28 February in common years: a term counted
 * in years ends on the last day of the month when that month has no such date (ГК РФ, ст. 192).
 */
export function ageOnDate(birth: LocalDate, today: LocalDate): number {
  let years = today.year - birth.year;
  const birthdayDay = birth.month === 2 && birth.day === 29 && !isLeap(today.year) ? 28 : birth.day;
  if (today.month < birth.month || (today.month === birth.month && today.day < birthdayDay)) years -= 1;
  return years;
}

/** Age at the instant `at` in the school's time zone: the birthday starts at the school's midnight. */
export function ageAt(birthDate: string, at: Date, timeZone: string): number {
  return ageOnDate(parseIsoDate(birthDate), localDate(at, timeZone));
}

/** R-G1: under 14 a parent must confirm; 14-17 may; adults need none. Unknown age is treated as a child. */
export function guardianRequirement(age: number | null): GuardianRequirement {
  if (age === null || age < GUARDIAN_REQUIRED_UNDER) return 'required';
  if (age < ADULT_AT) return 'optional';
  return 'none';
}
