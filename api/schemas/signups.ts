import { z } from 'zod';
import { OTP_CHANNELS } from '../../domain/signup.js';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export const startSignupBody = z
  .object({
    phone: z.string().trim().min(1).max(32).optional(),
    email: z.email().max(254).optional(),
    /** The invite link's token: required for an e-mail signup (R-A3). */
    inviteToken: z.string().max(200).optional(),
    channel: z.enum(OTP_CHANNELS).optional(),
  })
  .strict()
  .refine((b) => (b.phone === undefined) !== (b.email === undefined), {
    message: 'give exactly one of phone and email',
    path: ['phone'],
  });

export const signupParams = z.object({ signupId: z.string().max(100) });

export const channelBody = z.object({ channel: z.enum(OTP_CHANNELS).optional() }).strict();

/** Spaces and dashes people type between digits are ignored; the rest must be six digits. */
export const codeBody = z
  .object({ code: z.string().max(20).transform((c) => c.replace(/[\s-]/g, '')).pipe(z.string().regex(/^\d{6}$/)) })
  .strict();

/** Length is checked by the route, so a short new password gets its own problem type. */
export const passwordBody = z.object({ password: z.string().min(1).max(1024) }).strict();

/** Types only; what a profile must contain is domain/signup.ts profileProblems (R-A6). */
export const profileBody = z
  .object({
    firstName: z.string().max(200).optional(),
    lastName: z.string().max(200).optional(),
    patronymic: z.string().max(200).nullable().optional(),
    gender: z.string().max(20).optional(),
    birthDate: z.string().max(20).optional(),
  })
  .strict();
