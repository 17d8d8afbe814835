import { z } from 'zod';
import { INVITE_ROLES } from '../../domain/invites.js';

export const schoolParams = z.object({ schoolId: z.uuid() });
export const inviteIdParams = z.object({ schoolId: z.uuid(), inviteId: z.uuid() });
export const tokenParams = z.object({ token: z.string().max(200) });

export const createInviteBody = z
  .object({
    role: z.enum(INVITE_ROLES),
    classId: z.uuid().optional(),
    /** Whole days; default 7, at most 30 (R-J3). Bounds are checked against the configuration. */
    validDays: z.number().int().positive().optional(),
  })
  .strict();
export type CreateInviteBody = z.infer<typeof createInviteBody>;

export const actionBody = z.object({ reason: z.string().trim().min(1).max(500).optional() }).strict();
