import { z } from 'zod';

export const JOURNEYS = ['signup', 'invite', 'application', 'guardians'] as const;
export const SUPPORT_ACTIONS = ['resend-code', 'remind-approvers', 'extend-invite', 'cancel'] as const;
export type SupportAction = (typeof SUPPORT_ACTIONS)[number];

const keyword = z.string().trim().min(1).max(100).regex(/^[\w-]+$/, 'letters, digits, - and _ only');

export const stuckQuery = z.object({
  journey: z.enum(JOURNEYS).optional(),
  stage: keyword.optional(),
  school: z.uuid().optional(),
  waitingOn: keyword.optional(),
  /** Only journeys waiting at least this many minutes. */
  minAgeMinutes: z.coerce.number().int().min(0).max(525_600).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * A journey's workflow id holds slashes (`guardians/<child>`, `application/<person>/<school>`): the
 * routes take it as the rest of the path (express 5 `*workflowId`, segments joined again), so it works
 * typed plainly or with the slashes encoded as %2F.
 */
export const workflowParams = z.object({
  workflowId: z
    .preprocess((v) => (Array.isArray(v) ? v.join('/') : v), z.string())
    .pipe(z.string()
    .min(3)
    .max(300)
    .regex(/^(signup|invite|application|guardians)\/[\w/+.@%-]+$/, 'a registration workflow id')),
});

const reason = z.string().trim().min(3, 'a reason (3 characters or more) is required').max(500);

export const actionBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('resend-code'), reason }).strict(),
  z.object({ action: z.literal('remind-approvers'), reason }).strict(),
  z
    .object({
      action: z.literal('extend-invite'),
      reason,
      /** Whole days from now; the invite's maximum validity still applies. */
      days: z.number().int().min(1).max(365),
    })
    .strict(),
  z.object({ action: z.literal('cancel'), reason }).strict(),
]);
export type ActionBody = z.infer<typeof actionBody>;

export const revealBody = z.object({ reason }).strict();

const stuckItem = z.object({
  workflowId: z.string(),
  journey: z.string(),
  journeyTitle: z.string(),
  stage: z.string().nullable(),
  stageTitle: z.string(),
  waitingOn: z.string().nullable(),
  waitingOnTitle: z.string(),
  stuckSince: z.string().nullable(),
  ageMinutes: z.number(),
  school: z.object({ id: z.string(), name: z.string(), timezone: z.string() }).nullable(),
  stuckSinceLocal: z.string().nullable(),
});
export const stuckResponse = z.object({ items: z.array(stuckItem) });

const timelineEntry = z.object({
  at: z.string(),
  atLocal: z.string(),
  source: z.enum(['workflow', 'audit']),
  text: z.string(),
  actor: z.string().nullable(),
  reason: z.string().nullable(),
});
export const registrationDetail = z.object({
  workflowId: z.string(),
  journey: z.string(),
  journeyTitle: z.string(),
  status: z.string(),
  stage: z.string().nullable(),
  stageTitle: z.string(),
  waitingOn: z.string().nullable(),
  waitingOnText: z.string(),
  stuckSince: z.string().nullable(),
  school: z.object({ id: z.string(), name: z.string(), timezone: z.string() }).nullable(),
  subject: z.record(z.string(), z.unknown()),
  timeline: z.array(timelineEntry),
  actions: z.array(z.object({ action: z.enum(SUPPORT_ACTIONS), title: z.string() })),
});
