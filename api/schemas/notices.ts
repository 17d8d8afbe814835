import { z } from 'zod';

export const failedNoticesQuery = z.object({
  /** `given-up`: the dispatcher stopped trying; `retrying`: failed at least once and waits for another try. */
  state: z.enum(['given-up', 'retrying']).default('given-up'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const delivery = z.object({
  channel: z.string(),
  /** Masked (`d***@school.ru`, `+7 *** ***-22-33`): support sees which address, not the address. */
  address: z.string(),
  status: z.string(),
  attempts: z.number(),
  error: z.string().nullable(),
});

export const failedNoticesResponse = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      /** The notice's subject in the asked language: what the person did not get. */
      title: z.string(),
      recipientKind: z.string(),
      recipientId: z.string(),
      attempts: z.number(),
      lastError: z.string().nullable(),
      /** The first recorded reason in words (Russian by default), for the console. */
      reasonTitle: z.string().nullable(),
      createdAt: z.string(),
      gaveUpAt: z.string().nullable(),
      nextAttemptAt: z.string().nullable(),
      deliveries: z.array(delivery),
    }),
  ),
  limit: z.number(),
  offset: z.number(),
  nextOffset: z.number().nullable(),
});
