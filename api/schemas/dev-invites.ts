// GET /v1/dev/invite-outbox (dev stack): whose invitations, how many.
import { z } from 'zod';

export const inviteOutboxQuery = z.object({
  messengerUserId: z.string().regex(/^\d{1,20}$/).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
});
