// Activities of the signup journey: make and send codes, look the phone up, write the profile.
import { randomBytes, randomInt } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { isDeliveryError, waitFor } from '../adapters/otp/errors.js';
import type { OtpPurpose } from '../adapters/otp/port.js';
import { maskContact, contactAddress, type Contact } from '../domain/contact.js';
import { CODE_LENGTH, type OtpChannel, type SignupProfile } from '../domain/signup.js';
import { writeAudit } from '../db/repositories/audit.js';
import { CODE_DELIVERY_FAILURE, type CodeDeliveryFailure } from '../workflows/signup-definitions.js';
import {
  findIdentityAccountByPhone,
  releaseIdentityPhone,
  setIdentityPasswordHash,
} from '../db/repositories/identity-accounts.js';
import { findPersonByContact, insertPersonOnce, releasePersonPhone } from '../db/repositories/people.js';
import { looksLikePasswordHash } from '../infra/passwords.js';
import { inTransaction } from '../infra/postgres.js';
import type { ActivityDeps } from './deps.js';

/**
 * What the workflow keeps instead of the code: a random id and HMAC-SHA256 under a key that stays in
 * the worker's and the API's config (infra/code-mac.ts), so history lets no one test guesses offline.
 */
export interface IssuedCode {
  codeId: string;
  mac: string;
}

export interface SignupAccount {
  personId: string | null;
  identityAccountId: string | null;
}

export const signupActivities = ({ pool, logger, otp, codeMac }: ActivityDeps) => ({
  /** Makes a code, hands it to delivery and returns only its keyed MAC: the code stays here. */
  async issueSignupCode(input: { contact: Contact; channel: OtpChannel; purpose: OtpPurpose }): Promise<IssuedCode> {
    const mac = codeMac;
    if (!mac) throw new Error('no one-time code MAC key configured (HUB_OTP_MAC_KEY, HUB_SIGNUP_SECRET or HUB_JWT_SECRET)');
    const code = String(randomInt(0, 10 ** CODE_LENGTH)).padStart(CODE_LENGTH, '0');
    const codeId = randomBytes(16).toString('hex');
    // The MAC names the journey, so the API (which knows the signup workflow id) can check a guess.
    const journey = Context.current().info.workflowExecution?.workflowId;
    if (!journey) throw new Error('issueSignupCode runs only for a signup workflow');
    try {
      await otp.send({ channel: input.channel, recipient: contactAddress(input.contact), code, purpose: input.purpose });
    } catch (e) {
      // A gateway's answer is final for this code: the sender already retried in place with the same
      // text, and another attempt here would send a second, different code (issue 14).
      if (isDeliveryError(e)) {
        const details: CodeDeliveryFailure = { reason: e.reason, retryAfterMs: waitFor(e) };
        throw ApplicationFailure.create({ type: CODE_DELIVERY_FAILURE, message: e.message, nonRetryable: true, details: [details] });
      }
      throw e;
    }
    logger.debug({ to: maskContact(input.contact), channel: input.channel }, 'signup code issued');
    return { codeId, mac: mac.of(journey, codeId, code) };
  },

  /** Asked only after the code is verified, so the answer never reaches an unverified caller (R-A4). */
  async lookupSignupAccount(input: { contact: Contact }): Promise<SignupAccount> {
    const person = await findPersonByContact(pool, input.contact);
    const identity = input.contact.kind === 'phone' ? await findIdentityAccountByPhone(pool, input.contact.phone) : undefined;
    return { personId: person?.id ?? null, identityAccountId: identity?.id ?? null };
  },

  /** R-A1: at most one profile per phone or e-mail, whatever retries or races happen. */
  async createSignupPerson(input: {
    contact: Contact;
    profile: SignupProfile;
    identityAccountId: string | null;
    signupRef: string;
  }): Promise<{ personId: string; created: boolean }> {
    return inTransaction(pool, async (tx) => {
      const result = await insertPersonOnce(tx, {
        contact: input.contact,
        profile: input.profile,
        identityAccountId: input.identityAccountId,
        createdBy: input.signupRef,
      });
      if (result.created) {
        await writeAudit(tx, {
          actor: `person:${result.personId}`,
          action: 'person.signed-up',
          subjectType: 'person',
          subjectId: result.personId,
          details: { via: input.contact.kind, identityAccount: input.identityAccountId !== null, signup: input.signupRef },
        });
      }
      return result;
    });
  },

  /** "This is not me" (R-A5): the number was verified by its new holder; old records let go of it. */
  async releaseSignupPhone(input: { phone: string; identityAccountId: string | null; signupRef: string }): Promise<void> {
    await inTransaction(pool, async (tx) => {
      const released = input.identityAccountId ? await releaseIdentityPhone(tx, input.identityAccountId) : false;
      const personId = await releasePersonPhone(tx, input.phone);
      if (released || personId) {
        await writeAudit(tx, {
          actor: `signup:${input.signupRef}`,
          action: 'phone.released',
          subjectType: personId ? 'person' : 'identity_account',
          subjectId: personId ?? input.identityAccountId ?? 'unknown',
          reason: 'not-me',
          details: { identityAccountId: input.identityAccountId },
        });
      }
    });
  },

  /** New password after "forgot password"; the API hashed it, so no password reaches history. */
  async setIdentityPassword(input: { identityAccountId: string; passwordHash: string; signupRef: string }): Promise<void> {
    if (!looksLikePasswordHash(input.passwordHash)) throw new Error('not a password hash');
    await inTransaction(pool, async (tx) => {
      await setIdentityPasswordHash(tx, input.identityAccountId, input.passwordHash);
      await writeAudit(tx, {
        actor: `signup:${input.signupRef}`,
        action: 'identity.password-reset',
        subjectType: 'identity_account',
        subjectId: input.identityAccountId,
      });
    });
  },
});
