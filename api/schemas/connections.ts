import { z } from 'zod';
import { JOURNAL_KINDS } from '../../adapters/journals/port.js';

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone, e.g. Asia/Yekaterinburg');

export const connectionParams = z.object({ connectionId: z.uuid() });
export const runParams = z.object({ runId: z.uuid() });

export const createConnectionBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    kind: z.enum(JOURNAL_KINDS),
    /** Non-secret adapter settings: baseUrl, tokenUrl, page sizes; for file exports a server-side path, unless one is uploaded (POST …/export). */
    settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    /** Secrets (clientId/clientSecret, login/password, tokens): encrypted at rest, never returned. */
    credentials: z.record(z.string(), z.string()).optional(),
    /** Journal school ids to reconcile, each optionally mapped to a hub school. */
    schools: z.array(z.object({ schoolExternalId: z.string().min(1).max(200), schoolId: z.uuid().optional() })).max(5000).default([]),
    /** Local time of the nightly run, HH:MM, in `timezone`. */
    nightlyAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/).default('02:30'),
    timezone: timeZone.default('Europe/Moscow'),
  })
  .strict();

export const syncBody = z
  .object({ schoolExternalId: z.string().min(1).max(200).optional(), dryRun: z.boolean().default(false) })
  .strict();

/** `plan=true`: once the upload is kept, a dry run says what the next sync would do (issue 16 item 6). */
export const uploadQuery = z.object({ plan: z.enum(['true', 'false']).optional() });

export const decisionBody = z.object({ reason: z.string().trim().min(3).max(500) }).strict();
