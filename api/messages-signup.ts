// Refusals of the signup journey (R-A1..R-A6): their words are in the catalogue (i18n/, `problems`);
// here only the values they show, made from the seconds a refusal carries. Kept apart so journeys merge cleanly.
import type { Params } from '../i18n/index.js';

/** 125 → "2:05": the same shape as the front end's resend countdown. */
const clock = (seconds: string | number | undefined): string => {
  const total = Math.max(0, Math.ceil(Number(seconds ?? 0)));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
};
const minutes = (seconds: string | number | undefined): number => Math.max(1, Math.ceil(Number(seconds ?? 0) / 60));

/** A locked code with nothing to wait for reads "ask for a new code"; waits read as a clock or minutes. */
export function signupParams<C extends string>(code: C, p: Params): { code: C | 'code-locked-ask-new'; params: Params } {
  const withWait = p.retryAfterSeconds === undefined ? p : { ...p, clock: clock(p.retryAfterSeconds), minutes: minutes(p.retryAfterSeconds) };
  if (code === 'code-locked' && !(Number(p.retryAfterSeconds) > 0)) return { code: 'code-locked-ask-new', params: withWait };
  return { code, params: withWait };
}
