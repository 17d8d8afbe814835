// Signup test helpers: fresh phone numbers, the code the outbox received, a journey in one call.
import { expect } from 'vitest';
import type { Queryable } from '../../infra/postgres.js';
import type { ApiResponse, TestApi } from './api.js';

let counter = 0;
/** A valid Russian mobile number, different on every call within a run. */
export function newPhone(): string {
  counter++;
  const tail = String((Date.now() * 7 + counter * 7919 + process.pid) % 10_000_000).padStart(7, '0');
  return `+7916${tail}`;
}

export async function latestCode(db: Queryable, recipient: string): Promise<string> {
  const { rows } = await db.query(`SELECT code FROM otp_outbox WHERE recipient = $1 ORDER BY id DESC LIMIT 1`, [recipient]);
  const code = (rows[0] as { code: string | null } | undefined)?.code;
  if (!code) throw new Error('no code in the outbox');
  return code;
}

export async function outboxCount(db: Queryable, recipient: string): Promise<number> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM otp_outbox WHERE recipient = $1`, [recipient]);
  return (rows[0] as { n: number }).n;
}

export async function peopleWith(db: Queryable, column: 'phone' | 'email', value: string): Promise<number> {
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM people WHERE ${column} = $1`, [value]);
  return (rows[0] as { n: number }).n;
}

export const workflowIdOf = (signupId: string): string => `signup/${signupId.split('.')[0]}`;

export const aProfile = { firstName: 'Мария', lastName: 'Иванова', patronymic: 'Петровна', gender: 'female', birthDate: '2012-05-17' };

/** `db` is read on use: the file's pool exists only once its beforeAll ran. */
export function signupSteps(api: TestApi, db: { pool: Queryable }) {
  const steps = {
    start: (body: Record<string, unknown>, headers?: Record<string, string>): Promise<ApiResponse> =>
      api.call('POST', '/v1/signups', { body, ...(headers ? { headers } : {}) }),
    get: (id: string) => api.call('GET', `/v1/signups/${id}`),
    code: (id: string, code: string) => api.call('POST', `/v1/signups/${id}/code`, { body: { code } }),
    resend: (id: string, body: Record<string, unknown> = {}) => api.call('POST', `/v1/signups/${id}/resend`, { body }),
    password: (id: string, password: string) => api.call('POST', `/v1/signups/${id}/password`, { body: { password } }),
    forgot: (id: string) => api.call('POST', `/v1/signups/${id}/forgot-password`, { body: {} }),
    notMe: (id: string) => api.call('POST', `/v1/signups/${id}/not-me`, { body: {} }),
    profile: (id: string, profile: Record<string, unknown>) => api.call('POST', `/v1/signups/${id}/profile`, { body: profile }),
    /** Starts and verifies the latest code: the answer of the code step. */
    async verified(phone: string): Promise<{ id: string; res: ApiResponse }> {
      const started = await steps.start({ phone });
      expect(started.status).toBe(200);
      const res = await steps.code(started.body.signupId, await latestCode(db.pool, phone));
      expect(res.status).toBe(200);
      return { id: started.body.signupId as string, res };
    },
  };
  return steps;
}
