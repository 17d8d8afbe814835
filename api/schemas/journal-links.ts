// Journal linking (R-L1..R-L4): a person links their own e-journal identity; support links or
// unlinks on a person's behalf, with a reason. Bodies are strict: an unknown field is refused.
import { z } from 'zod';

/** A journal's own person id (Eljur, EPOS, ESH, OneRoster sourcedId): any printable text. */
const externalPersonId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}]+$/u, 'no control characters');
const reason = z.string().trim().min(3, 'a reason (3 characters or more) is required').max(500);
const birthDate = z.iso.date();

export const journalLinkParams = z.object({ connectionId: z.uuid(), externalPersonId });

export const linkJournalBody = z
  .object({
    connectionId: z.uuid(),
    externalPersonId,
    /**
     * R-L5: the id of a proof the hub verified itself (POST /v1/me/journal-proofs/…), for this
     * person and this journal identity. Nothing else proves anything: there is no field to claim one.
     */
    proofId: z.uuid(),
  })
  .strict();

export const supportLinkBody = z
  .object({
    /** The hub person (people.id) the identity is linked to. */
    personId: z.uuid(),
    connectionId: z.uuid(),
    externalPersonId,
    /** Why support links on the person's behalf: kept in the audit log. */
    reason,
    /** A birth date support saw in the person's documents (R-L3 still applies to student identities). */
    subjectBirthDate: birthDate.optional(),
  })
  .strict();

export const supportUnlinkBody = z.object({ connectionId: z.uuid(), externalPersonId, reason }).strict();

const linkItem = z.object({
  connectionId: z.string(),
  connectionName: z.string(),
  /** The connection's source kind: eljur, dnevnik, epos-file, esh-file, oneroster-csv, oneroster-rest. */
  sourceKind: z.string(),
  externalPersonId: z.string(),
  linkedAt: z.string(),
});
export const journalLinksResponse = z.object({ items: z.array(linkItem) });

export const linkStateResponse = z.object({
  status: z.enum(['linked', 'unlinked']),
  connectionId: z.string(),
  externalPersonId: z.string(),
  /** Chats joined at once because the person was pending there (R-L2). */
  joinedChats: z.number().int(),
  /** Of those, chats the person was invited to by link (VK community token): a member once they follow it. */
  invitedChats: z.number().int(),
  linkedAt: z.string().nullable(),
  message: z.string(),
});

export const unlinkStateResponse = z.object({
  status: z.literal('unlinked'),
  connectionId: z.string(),
  externalPersonId: z.string(),
  message: z.string(),
});
