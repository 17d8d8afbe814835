// Signup rules (R-A1, R-A3, R-A4, R-A6) shared by the workflow, its activities and the API. Pure:
// the workflow's update validators run this code, so nothing here may touch the outside world.
export const OTP_CHANNELS = ['sms', 'voice-call', 'email'] as const;
export type OtpChannel = (typeof OTP_CHANNELS)[number];

/** Why a one-time code is sent. */
export type OtpPurpose = 'signup' | 'password-reset';

export const CODE_LENGTH = 6;
export const CODE_PATTERN = /^\d{6}$/;

/** Bounds of R-A4, in seconds, passed to the workflow as input so tests can use short ones. */
export interface SignupLimits {
  codeTtlSeconds: number;
  maxCodeAttempts: number;
  resendAfterSeconds: number;
  maxCodesPerWindow: number;
  codeWindowSeconds: number;
  maxPasswordAttempts: number;
  idleTimeoutSeconds: number;
}

/** A phone may get its codes by SMS or a call; an e-mail address only by e-mail (R-A3, R-A4). */
export function channelAllowed(kind: 'phone' | 'email', channel: OtpChannel): boolean {
  return kind === 'email' ? channel === 'email' : channel !== 'email';
}

/** Grades whose students may sign up with an e-mail address through an invite (R-A3). */
export function emailSignupAllowed(invite: { role: string; grade: number | null; active: boolean }): boolean {
  return invite.active && invite.role === 'student' && invite.grade !== null && invite.grade >= 1 && invite.grade <= 4;
}

export const GENDERS = ['male', 'female'] as const;
export type Gender = (typeof GENDERS)[number];

export interface SignupProfile {
  firstName: string;
  lastName: string;
  patronymic?: string | null | undefined;
  gender: Gender;
  /** YYYY-MM-DD */
  birthDate: string;
}

export type ProfileProblem = {
  field: keyof SignupProfile;
  reason: 'required' | 'too-long' | 'invalid-characters' | 'invalid-date' | 'in-future' | 'too-old';
};

export const NAME_MAX = 64;
const NAME_PATTERN = /^\p{L}[\p{L}\p{M}' .-]*$/u;
const EARLIEST_BIRTH_DATE = '1900-01-01';

function nameProblem(field: ProfileProblem['field'], value: string | null | undefined, required: boolean): ProfileProblem[] {
  const text = (value ?? '').trim();
  if (text === '') return required ? [{ field, reason: 'required' }] : [];
  if (text.length > NAME_MAX) return [{ field, reason: 'too-long' }];
  if (!NAME_PATTERN.test(text)) return [{ field, reason: 'invalid-characters' }];
  return [];
}

function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/**
 * The latest calendar date anywhere on Earth (UTC+14) at `now`: a birth date after it is in the
 * future for everyone, whichever school's zone later applies the age rules (R-A6, R-G1).
 */
export function latestDateAnywhere(nowMs: number): string {
  return new Date(nowMs + 14 * 3600_000).toISOString().slice(0, 10);
}

/** Every problem of a profile, so the form can mark all fields at once (R-A6). */
export function profileProblems(p: Partial<Record<keyof SignupProfile, unknown>>, nowMs: number): ProfileProblem[] {
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const problems: ProfileProblem[] = [
    ...nameProblem('firstName', str(p.firstName), true),
    ...nameProblem('lastName', str(p.lastName), true),
    ...nameProblem('patronymic', str(p.patronymic), false),
  ];
  if (p.gender === undefined || p.gender === null || p.gender === '') problems.push({ field: 'gender', reason: 'required' });
  else if (!GENDERS.includes(p.gender as Gender)) problems.push({ field: 'gender', reason: 'invalid-characters' });
  const birth = str(p.birthDate)?.trim() ?? '';
  if (birth === '') problems.push({ field: 'birthDate', reason: 'required' });
  else if (!isCalendarDate(birth)) problems.push({ field: 'birthDate', reason: 'invalid-date' });
  else if (birth > latestDateAnywhere(nowMs)) problems.push({ field: 'birthDate', reason: 'in-future' });
  else if (birth < EARLIEST_BIRTH_DATE) problems.push({ field: 'birthDate', reason: 'too-old' });
  return problems;
}

/** The profile as stored: names trimmed, an empty patronymic is no patronymic. */
export function cleanProfile(p: SignupProfile): SignupProfile {
  const patronymic = p.patronymic?.trim();
  return {
    firstName: p.firstName.trim(),
    lastName: p.lastName.trim(),
    patronymic: patronymic ? patronymic : null,
    gender: p.gender,
    birthDate: p.birthDate.trim(),
  };
}
