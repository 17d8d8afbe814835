// Names shared by signupWorkflow and its callers (API, tests): input, updates, query, refusals.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Contact } from '../domain/contact.js';
import type { OtpChannel, ProfileProblem, SignupLimits, SignupProfile } from '../domain/signup.js';

/**
 * One workflow per phone or e-mail (R-A1). `key` is a keyed hash of the address (api/signup-handles.ts),
 * so neither Temporal's visibility nor the id itself shows or confirms a phone number.
 */
export const signupWorkflowId = (key: string): string => `signup/${key}`;

export interface SignupWorkflowInput {
  contact: Contact;
  /** The invite an e-mail signup came through (R-A3); null for phones. */
  inviteId: string | null;
  limits: SignupLimits;
}

/** Where the journey is. A caller that has not verified a code always sees 'code' (R-A4). */
export const SIGNUP_STAGES = ['code', 'password', 'reset-code', 'new-password', 'profile', 'done', 'abandoned'] as const;
export type SignupStage = (typeof SIGNUP_STAGES)[number];

export type SignupOutcome = 'created' | 'existing';

/** The journey as one caller (session) sees it. Instants are ISO; the API turns them into seconds. */
export interface SignupView {
  stage: SignupStage;
  channel: OtpChannel | null;
  codeExpiresAt: string | null;
  /** When another code may be asked for; null: now. */
  resendAt: string | null;
  codeAttemptsLeft: number | null;
  passwordAttemptsLeft: number | null;
  outcome: SignupOutcome | null;
  personId: string | null;
}

export interface SignupResult {
  stage: 'done' | 'abandoned';
  outcome: SignupOutcome | null;
  personId: string | null;
  /**
   * Sessions that had verified the code (hashed, as SessionInput): a repeated profile submit that
   * arrives after the journey ended gets the same answer, but only for these (absent in older results).
   */
  verifiedSessions?: string[];
}

/** Every call names its session: SHA-256 of the secret half of the handle the API gave the caller. */
export interface SessionInput {
  session: string;
}
export interface ChannelInput extends SessionInput {
  channel: OtpChannel;
}
/**
 * The API sends the MAC of the guess under the code's id and the server-side key (infra/code-mac.ts):
 * history holds neither a code nor anything a guess could be checked against without that key.
 */
export interface SubmitCodeInput extends SessionInput {
  codeId: string;
  mac: string;
  /** Sent before issue 14 (salted SHA-256 of the code); present only in older histories that replay. */
  salt?: string;
  digest?: string;
}
export interface PasswordCheckedInput extends SessionInput {
  ok: boolean;
}
export interface NewPasswordInput extends SessionInput {
  passwordHash: string;
}
export interface SubmitProfileInput extends SessionInput {
  profile: SignupProfile;
}

/** POST /v1/signups: sends a code unless a live one was sent less than the resend interval ago. */
export const requestCodeUpdate = defineUpdate<SignupView, [ChannelInput]>('signup.requestCode');
/** "Send again": refused before the countdown ends (R-A4). */
export const resendCodeUpdate = defineUpdate<SignupView, [ChannelInput]>('signup.resendCode');
export const submitCodeUpdate = defineUpdate<SignupView, [SubmitCodeInput]>('signup.submitCode');
/** The API checked the identity account's password (R-A5); the workflow counts and moves on. */
export const passwordCheckedUpdate = defineUpdate<SignupView, [PasswordCheckedInput]>('signup.passwordChecked');
export const forgotPasswordUpdate = defineUpdate<SignupView, [ChannelInput]>('signup.forgotPassword');
export const newPasswordUpdate = defineUpdate<SignupView, [NewPasswordInput]>('signup.newPassword');
export const notMeUpdate = defineUpdate<SignupView, [SessionInput]>('signup.notMe');
export const submitProfileUpdate = defineUpdate<SignupView, [SubmitProfileInput]>('signup.submitProfile');

/**
 * Support sends the code again for whoever is at the code step (there is no caller session: the
 * agent targets the journey). The countdown and the per-window cap apply as to anyone (R-A4).
 */
export interface SupportResendInput {
  actor: string;
  actorRole: string;
  requestId?: string;
}
/** What support may see: no code, no code id or MAC, no session. */
export interface SupportResendResult {
  stage: SignupStage;
  channel: OtpChannel | null;
  resendAt: string | null;
  codeExpiresAt: string | null;
}
export const supportResendCodeUpdate = defineUpdate<SupportResendResult, [SupportResendInput]>('signup.supportResendCode');

export const signupViewQuery = defineQuery<SignupView, [string]>('signup.view');
/** For the API only, never sent to callers: what it needs to check a code or a password itself. */
export interface SignupInternals {
  /** Id of the current code, for the MAC of a submitted guess. */
  codeId: string | null;
  /** The identity account whose password this session must give (R-A5); null before that step. */
  identityAccountId: string | null;
}
export const signupInternalsQuery = defineQuery<SignupInternals, [string]>('signup.internals');

/** ApplicationFailure types the signup workflow refuses with; each is a problem type of the API. */
export const SIGNUP_REFUSALS = {
  closed: 'signup-closed',
  wrongStage: 'wrong-stage',
  channelNotAllowed: 'channel-not-allowed',
  wrongCode: 'wrong-code',
  codeExpired: 'code-expired',
  codeLocked: 'code-locked',
  resendTooEarly: 'resend-too-early',
  tooManyCodes: 'too-many-codes',
  wrongPassword: 'wrong-password',
  passwordLocked: 'password-locked',
  profileInvalid: 'profile-invalid',
  deliveryFailed: 'code-delivery-failed',
  /** The gateway refused the number or address itself (wrong, no route, stop-list): retrying will not help. */
  recipientRejected: 'code-recipient-rejected',
  /** This way of sending is not available now (voice-call with a gateway that has none). */
  channelUnavailable: 'code-channel-unavailable',
  tryLater: 'try-again-later',
} as const;
export type SignupRefusal = (typeof SIGNUP_REFUSALS)[keyof typeof SIGNUP_REFUSALS];

/** The activity failure a gateway's refusal becomes (activities/signup.ts); the workflow reads it. */
export const CODE_DELIVERY_FAILURE = 'code-delivery';
export interface CodeDeliveryFailure {
  /** adapters/otp/errors.ts DeliveryFailureReason. */
  reason: string;
  retryAfterMs: number;
}

export interface RefusalDetails {
  retryAt?: string;
  attemptsLeft?: number;
  problems?: ProfileProblem[];
}
