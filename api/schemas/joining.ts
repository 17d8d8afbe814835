import { z } from 'zod';
import { APPLICATION_ROLES, APPLICATION_STATUSES } from '../../domain/applications.js';

const text = (max: number) => z.string().trim().min(1).max(max);

export const page = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

export const settlementsQuery = page.extend({ q: z.string().trim().max(100).default('') });
export const schoolsQuery = page.extend({
  settlement: text(100),
  region: z.string().trim().max(20).optional(),
  q: z.string().trim().max(100).default(''),
});
export const idParams = z.object({ id: z.uuid() });
export const schoolIdParams = z.object({ schoolId: z.uuid() });

export const createApplicationBody = z
  .object({ schoolId: z.uuid(), role: z.enum(APPLICATION_ROLES), classId: z.uuid().optional() })
  .strict();

export const decisionBody = z.object({ reason: text(500).optional() }).strict();

export const schoolApplicationsQuery = page.extend({ status: z.enum(APPLICATION_STATUSES).optional() });

export const schoolRequestBody = z
  .object({
    settlement: text(100),
    schoolName: text(200),
    region: z.string().trim().max(20).optional(),
    role: z.enum(APPLICATION_ROLES),
    className: text(20).optional(),
    comment: text(1000).optional(),
  })
  .strict();

const isoDate = z.iso.date();

export const correctionsSchema = z
  .object({
    firstName: text(100).optional(),
    lastName: text(100).optional(),
    patronymic: z.string().trim().max(100).nullable().optional(),
    birthDate: isoDate.optional(),
    gender: z.enum(['male', 'female']).optional(),
  })
  .strict();

export const acceptAsParentBody = z
  .object({ consentVersion: text(40), consentGiven: z.literal(true), corrections: correctionsSchema.default({}) })
  .strict();

export const parentTokenParams = z.object({ token: z.string().max(200) });
