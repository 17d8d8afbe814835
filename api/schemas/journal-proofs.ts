// R-L5: the verifications that produce a journal proof, and the school-issued linking codes.
// Bodies are strict: an unknown field (a "proof" a client would like to declare) is refused.
import { z } from 'zod';

const externalPersonId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}]+$/u, 'no control characters');

/** The person's own journal login and password: sent once to the journal, never stored or logged. */
export const journalSignInBody = z
  .object({
    connectionId: z.uuid(),
    login: z.string().min(1).max(200),
    password: z.string().min(1).max(200),
  })
  .strict();

/** The code the school issued for this journal person. */
export const linkingCodeProofBody = z
  .object({
    connectionId: z.uuid(),
    externalPersonId,
    code: z.string().min(1).max(40),
  })
  .strict();

export const proofResponse = z.object({
  /** Pass as `proofId` to POST /v1/me/journal-links: once, before `expiresAt`, by this person only. */
  proofId: z.string(),
  method: z.enum(['journal-login', 'dnevnik-oauth', 'esia', 'linking-code']),
  connectionId: z.string(),
  /** The journal identity the verification established. */
  externalPersonId: z.string(),
  expiresAt: z.string(),
});

export const issueLinkingCodeParams = z.object({ schoolId: z.uuid() });
export const issueLinkingCodeBody = z.object({ connectionId: z.uuid(), externalPersonId }).strict();
export const linkingCodeResponse = z.object({
  /** Shown once: hand it to the person (the hub keeps only its hash). */
  code: z.string(),
  connectionId: z.string(),
  externalPersonId: z.string(),
  expiresAt: z.string(),
});

/** Start a Gosuslugi sign-in meant to prove this journal person (EPOS, R-L3). */
export const esiaStartBody = z.object({ connectionId: z.uuid(), externalPersonId }).strict();
export const esiaStartResponse = z.object({
  /** Send the person's browser here; the provider comes back to ESIA_REDIRECT_URI with `code` and `state`. */
  authorizeUrl: z.string(),
  expiresAt: z.string(),
});
/** What the provider sent back to the redirect page. */
export const esiaCompleteBody = z.object({ state: z.string().min(1).max(200), code: z.string().min(1).max(2000) }).strict();

/** Start a Dnevnik.ru sign-in: the journal names the person (`users/me`), so no person is given. */
export const dnevnikStartBody = z.object({ connectionId: z.uuid() }).strict();
export const redirectCompleteBody = esiaCompleteBody;
