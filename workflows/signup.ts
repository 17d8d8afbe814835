// signupWorkflow (R-A1..R-A6): one per phone or e-mail. Code → (identity account: password, with
// "forgot password" and "this is not me") → profile → account. Every step is an Update whose
// validator refuses what it can before anything is written; wrong codes and passwords pass the
// validator only so that the handler can count them, which is a durable write by necessity.
import {
  ApplicationFailure,
  ActivityFailure,
  allHandlersFinished,
  condition,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { channelAllowed, cleanProfile, profileProblems, type OtpChannel, type OtpPurpose, type SignupProfile } from '../domain/signup.js';
import {
  CODE_DELIVERY_FAILURE,
  SIGNUP_REFUSALS,
  type CodeDeliveryFailure,
  forgotPasswordUpdate,
  newPasswordUpdate,
  notMeUpdate,
  passwordCheckedUpdate,
  requestCodeUpdate,
  resendCodeUpdate,
  signupInternalsQuery,
  signupViewQuery,
  submitCodeUpdate,
  submitProfileUpdate,
  supportResendCodeUpdate,
  type RefusalDetails,
  type SignupOutcome,
  type SignupResult,
  type SignupStage,
  type SignupView,
  type SignupWorkflowInput,
  type SubmitCodeInput,
} from './signup-definitions.js';
import { HubStuckSince, journeyAttr, stageAttr, waitingOnAttr } from './search-attributes.js';

// Local activities: each step is a short database write a person waits on; run by the worker that
// holds the workflow task, they cost no extra round trips through the Temporal server (bench/RESULTS.md).
const activities = proxyLocalActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  // A person is waiting on the answer: quick tries for about 7 s (a database restart fits in that),
  // then a refusal with Retry-After that they can retry themselves (issue 7).
  retry: { maximumAttempts: 5, initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '4 seconds' },
});

/** How long a person is told to wait when a step's activity failed after its retries. */
const RETRY_LATER_MS = 5_000;

interface CurrentCode {
  /** Random id and keyed MAC of the code (activities/signup.ts); useless to a history reader without the key. */
  codeId: string | undefined;
  mac: string | undefined;
  /** Codes issued before issue 14 (salted SHA-256), read back only when an older history replays. */
  legacy: { salt: string; digest: string } | undefined;
  channel: OtpChannel;
  issuedAt: number;
  expiresAt: number;
  attempts: number;
  consumed: boolean;
}

/** What issueSignupCode returned: a code id and MAC now, a salt and digest in histories before issue 14. */
type IssuedAnyVersion = { codeId?: string; mac?: string; salt?: string; digest?: string };

/** The submitted guess names the current code. Undefined never matches undefined. */
const namesCode = (c: CurrentCode, g: SubmitCodeInput): boolean =>
  c.codeId !== undefined ? g.codeId === c.codeId : c.legacy !== undefined && g.salt === c.legacy.salt;
const rightCode = (c: CurrentCode, g: SubmitCodeInput): boolean =>
  c.mac !== undefined ? typeof g.mac === 'string' && g.mac === c.mac : c.legacy !== undefined && g.digest === c.legacy.digest;

function refuse(type: string, message: string, details: RefusalDetails = {}): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details: [details] });
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
const PASSWORD_HASH = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/;

export async function signupWorkflow(input: SignupWorkflowInput): Promise<SignupResult> {
  const { contact, limits } = input;
  const signupRef = `${workflowInfo().workflowId}/${workflowInfo().runId}`;
  const s = {
    phase: 'code' as SignupStage,
    code: undefined as CurrentCode | undefined,
    issued: [] as number[],
    verified: new Set<string>(),
    passwordAttempts: 0,
    personId: null as string | null,
    identityAccountId: null as string | null,
    outcome: null as SignupOutcome | null,
    touches: 0,
  };
  let issuing: Promise<void> | undefined;
  let creating: Promise<void> | undefined;

  // --- derived state -------------------------------------------------------------------------
  const now = (): number => Date.now();
  const closed = (): boolean => s.phase === 'done' || s.phase === 'abandoned';
  // A journey that has ended has ended for every session: a second device still polling sees it,
  // not a code prompt that can no longer be answered (only a verified session learns the outcome).
  const stageOf = (session: string): SignupStage => (closed() || s.verified.has(session) ? s.phase : 'code');
  const locked = (c: CurrentCode): boolean => c.attempts >= limits.maxCodeAttempts;
  const live = (c: CurrentCode | undefined): c is CurrentCode => !!c && !c.consumed && !locked(c) && now() < c.expiresAt;
  /** The countdown runs from the last code until it is used; a used code leaves nothing to wait for. */
  const resendAt = (): number | undefined =>
    s.code && !s.code.consumed ? s.code.issuedAt + limits.resendAfterSeconds * 1000 : undefined;
  const needsNewCode = (): boolean => !live(s.code) || now() >= (resendAt() ?? 0);
  /** When the per-window cap lets the next code go; undefined while under the cap. */
  const capRetryAt = (): number | undefined => {
    const windowMs = limits.codeWindowSeconds * 1000;
    const recent = s.issued.filter((t) => t > now() - windowMs);
    const oldestCounted = recent[recent.length - limits.maxCodesPerWindow];
    return oldestCounted === undefined ? undefined : oldestCounted + windowMs;
  };

  const view = (session: string): SignupView => {
    const stage = stageOf(session);
    const codeStage = stage === 'code' || stage === 'reset-code';
    const c = codeStage && s.code && !s.code.consumed ? s.code : undefined;
    return {
      stage,
      channel: s.code?.channel ?? null,
      codeExpiresAt: iso(c?.expiresAt),
      resendAt: codeStage ? iso(resendAt()) : null,
      codeAttemptsLeft: c ? Math.max(0, limits.maxCodeAttempts - c.attempts) : null,
      passwordAttemptsLeft: stage === 'password' ? Math.max(0, limits.maxPasswordAttempts - s.passwordAttempts) : null,
      outcome: stage === 'done' && s.verified.has(session) ? s.outcome : null,
      personId: stage === 'done' && s.verified.has(session) ? s.personId : null,
    };
  };

  // --- transitions ---------------------------------------------------------------------------
  const setPhase = (phase: SignupStage): void => {
    s.phase = phase;
    const ended = closed();
    upsertSearchAttributes([
      stageAttr(phase),
      waitingOnAttr(ended ? null : 'person'),
      { key: HubStuckSince, value: ended ? null : new Date(now()) },
    ]);
  };
  const finish = (outcome: SignupOutcome, personId: string): void => {
    s.outcome = outcome;
    s.personId = personId;
    setPhase('done');
  };
  const afterIdentityConfirmed = (): void => {
    s.passwordAttempts = 0;
    if (s.personId) finish('existing', s.personId);
    else setPhase('profile');
  };

  /**
   * A step's activity failed after its retries (the database or the code sender away): nothing of the
   * step was kept, so the person may repeat it after a short wait; anything else is a bug to surface.
   */
  const retryLater = (err: unknown, type: string = SIGNUP_REFUSALS.tryLater): never => {
    if (err instanceof ActivityFailure) refuse(type, 'a step could not be completed now', { retryAt: iso(now() + RETRY_LATER_MS)! });
    throw err;
  };

  /** The gateway's own refusal (issue 14): what the person can do about it, and when to try again. */
  const refuseDelivery = (err: unknown): void => {
    // A local activity's non-retryable failure may arrive bare or wrapped in an ActivityFailure.
    const cause = err instanceof ActivityFailure ? err.cause : err;
    if (!(cause instanceof ApplicationFailure) || cause.type !== CODE_DELIVERY_FAILURE) return;
    const d = (cause.details?.[0] ?? {}) as Partial<CodeDeliveryFailure>;
    if (d.reason === 'recipient-rejected') refuse(SIGNUP_REFUSALS.recipientRejected, 'the gateway refused the recipient');
    if (d.reason === 'channel-unavailable') refuse(SIGNUP_REFUSALS.channelUnavailable, 'this channel is not available');
    refuse(SIGNUP_REFUSALS.deliveryFailed, 'the code could not be sent', { retryAt: iso(now() + (d.retryAfterMs ?? RETRY_LATER_MS))! });
  };

  const issue = async (channel: OtpChannel, purpose: OtpPurpose): Promise<void> => {
    const counted = now();
    s.issued.push(counted);
    try {
      const issued: IssuedAnyVersion = await activities.issueSignupCode({ contact, channel, purpose });
      const at = now();
      const legacy = issued.salt !== undefined && issued.digest !== undefined ? { salt: issued.salt, digest: issued.digest } : undefined;
      s.code = { codeId: issued.codeId, mac: issued.mac, legacy, channel, issuedAt: at, expiresAt: at + limits.codeTtlSeconds * 1000, attempts: 0, consumed: false };
    } catch (err) {
      s.issued.splice(s.issued.indexOf(counted), 1);
      refuseDelivery(err);
      retryLater(err, SIGNUP_REFUSALS.deliveryFailed);
    }
  };
  /** One code at a time, however many callers ask at once (R-A1 double signup). */
  const ensureCode = async (channel: OtpChannel, purpose: OtpPurpose, force: boolean): Promise<void> => {
    while (issuing) await issuing;
    if (!force && !needsNewCode()) return;
    const retryAt = capRetryAt();
    if (retryAt !== undefined) refuse(SIGNUP_REFUSALS.tooManyCodes, 'too many codes', { retryAt: iso(retryAt)! });
    issuing = issue(channel, purpose).finally(() => {
      issuing = undefined;
    });
    await issuing;
  };
  const purposeNow = (): OtpPurpose => (s.phase === 'reset-code' ? 'password-reset' : 'signup');

  // --- validators ----------------------------------------------------------------------------
  const refuseIfClosed = (): void => {
    if (closed()) refuse(SIGNUP_REFUSALS.closed, `signup is ${s.phase}`);
  };
  const requireStage = (session: string, ...stages: SignupStage[]): void => {
    refuseIfClosed();
    if (!stages.includes(stageOf(session))) refuse(SIGNUP_REFUSALS.wrongStage, `not at ${stages.join('/')}`);
  };
  const requireChannel = (channel: OtpChannel): void => {
    if (!channelAllowed(contact.kind, channel)) refuse(SIGNUP_REFUSALS.channelNotAllowed, `${channel} not allowed`);
  };
  const refuseOverCap = (): void => {
    const retryAt = capRetryAt();
    if (retryAt !== undefined) refuse(SIGNUP_REFUSALS.tooManyCodes, 'too many codes', { retryAt: iso(retryAt)! });
  };

  setHandler(signupViewQuery, (session) => view(session));
  setHandler(signupInternalsQuery, (session) => ({
    codeId: s.code?.codeId ?? null,
    identityAccountId: stageOf(session) === 'password' ? s.identityAccountId : null,
  }));

  setHandler(
    requestCodeUpdate,
    async ({ session, channel }) => {
      s.touches++;
      await ensureCode(channel, purposeNow(), false);
      return view(session);
    },
    {
      validator: ({ channel }) => {
        refuseIfClosed();
        requireChannel(channel);
        if (needsNewCode()) refuseOverCap();
      },
    },
  );

  setHandler(
    resendCodeUpdate,
    async ({ session, channel }) => {
      s.touches++;
      while (issuing) await issuing;
      // A resend that raced another one already has its fresh code.
      if (now() >= (resendAt() ?? 0)) await ensureCode(channel, purposeNow(), true);
      return view(session);
    },
    {
      validator: ({ session, channel }) => {
        requireStage(session, 'code', 'reset-code');
        requireChannel(channel);
        const at = resendAt();
        if (at !== undefined && now() < at) refuse(SIGNUP_REFUSALS.resendTooEarly, 'resend too early', { retryAt: iso(at)! });
        refuseOverCap();
      },
    },
  );

  // Support's "resend code": the same countdown and cap as the person's own resend; the channel of
  // the last code (or the contact's usual one) is kept, and the purpose follows the phase.
  setHandler(
    supportResendCodeUpdate,
    async (_who) => {
      s.touches++;
      while (issuing) await issuing;
      if (now() >= (resendAt() ?? 0)) await ensureCode(s.code?.channel ?? (contact.kind === 'phone' ? 'sms' : 'email'), purposeNow(), true);
      const c = s.code && !s.code.consumed ? s.code : undefined;
      return { stage: s.phase, channel: s.code?.channel ?? null, resendAt: iso(resendAt()), codeExpiresAt: iso(c?.expiresAt) };
    },
    {
      validator: (_who) => {
        refuseIfClosed();
        if (s.phase !== 'code' && s.phase !== 'reset-code') refuse(SIGNUP_REFUSALS.wrongStage, 'not waiting for a code');
        const at = resendAt();
        if (at !== undefined && now() < at) refuse(SIGNUP_REFUSALS.resendTooEarly, 'resend too early', { retryAt: iso(at)! });
        refuseOverCap();
      },
    },
  );

  setHandler(
    submitCodeUpdate,
    async (guess) => {
      const { session } = guess;
      s.touches++;
      const c = s.code;
      if (!c || !namesCode(c, guess) || c.consumed) refuse(SIGNUP_REFUSALS.codeExpired, 'code no longer valid');
      if (!rightCode(c, guess)) {
        c.attempts++;
        refuse(SIGNUP_REFUSALS.wrongCode, 'wrong code', { attemptsLeft: Math.max(0, limits.maxCodeAttempts - c.attempts) });
      }
      c.consumed = true;
      s.verified.add(session);
      if (s.phase === 'code') {
        const account = await activities.lookupSignupAccount({ contact }).catch((err: unknown) => {
          // The code stays good for another try: the lookup, not the person, failed.
          if (s.code === c) c.consumed = false;
          s.verified.delete(session);
          return retryLater(err);
        });
        s.personId = account.personId;
        s.identityAccountId = account.identityAccountId;
        // R-A5 before R-A1: an identity account asks for its password; a bare profile signs in.
        if (s.identityAccountId) setPhase('password');
        else if (s.personId) finish('existing', s.personId);
        else setPhase('profile');
      } else if (s.phase === 'reset-code') {
        setPhase('new-password');
      }
      return view(session);
    },
    {
      validator: (guess) => {
        requireStage(guess.session, 'code', 'reset-code');
        const c = s.code;
        // A code replaced by a newer one, used, or never sent: ask for a new one; nothing is counted.
        if (!c || c.consumed || !namesCode(c, guess)) refuse(SIGNUP_REFUSALS.codeExpired, 'no such code');
        if (locked(c)) refuse(SIGNUP_REFUSALS.codeLocked, 'code locked', { retryAt: iso(resendAt()) ?? iso(now())! });
        if (now() >= c.expiresAt) refuse(SIGNUP_REFUSALS.codeExpired, 'code expired');
      },
    },
  );

  setHandler(
    passwordCheckedUpdate,
    async ({ session, ok }) => {
      s.touches++;
      if (s.phase !== 'password') return view(session);
      if (!ok) {
        s.passwordAttempts++;
        refuse(SIGNUP_REFUSALS.wrongPassword, 'wrong password', {
          attemptsLeft: Math.max(0, limits.maxPasswordAttempts - s.passwordAttempts),
        });
      }
      afterIdentityConfirmed();
      return view(session);
    },
    {
      validator: ({ session }) => {
        requireStage(session, 'password');
        if (s.passwordAttempts >= limits.maxPasswordAttempts) refuse(SIGNUP_REFUSALS.passwordLocked, 'password locked');
      },
    },
  );

  setHandler(
    forgotPasswordUpdate,
    async ({ session, channel }) => {
      s.touches++;
      setPhase('reset-code');
      await ensureCode(channel, 'password-reset', true);
      return view(session);
    },
    {
      validator: ({ session, channel }) => {
        requireStage(session, 'password');
        requireChannel(channel);
        refuseOverCap();
      },
    },
  );

  setHandler(
    newPasswordUpdate,
    async ({ session, passwordHash }) => {
      s.touches++;
      if (s.phase !== 'new-password' || !s.identityAccountId) return view(session);
      await activities.setIdentityPassword({ identityAccountId: s.identityAccountId, passwordHash, signupRef }).catch(retryLater);
      afterIdentityConfirmed();
      return view(session);
    },
    {
      validator: ({ session, passwordHash }) => {
        requireStage(session, 'new-password');
        if (!PASSWORD_HASH.test(passwordHash)) refuse(SIGNUP_REFUSALS.wrongStage, 'not a password hash');
      },
    },
  );

  setHandler(
    notMeUpdate,
    async ({ session }) => {
      s.touches++;
      if (contact.kind === 'phone' && s.phase !== 'profile') {
        await activities.releaseSignupPhone({ phone: contact.phone, identityAccountId: s.identityAccountId, signupRef }).catch(retryLater);
        s.identityAccountId = null;
        s.personId = null;
        setPhase('profile');
      }
      return view(session);
    },
    { validator: ({ session }) => requireStage(session, 'password', 'reset-code', 'new-password') },
  );

  const createAccount = async (profile: SignupProfile): Promise<void> => {
    const { personId, created } = await activities
      .createSignupPerson({
        contact,
        profile: cleanProfile(profile),
        identityAccountId: s.identityAccountId,
        signupRef,
      })
      .catch(retryLater);
    finish(created ? 'created' : 'existing', personId);
  };

  setHandler(
    submitProfileUpdate,
    async ({ session, profile }) => {
      s.touches++;
      // A double submit waits for the first one's account instead of making a second (R-A1).
      creating ??= createAccount(profile).catch((err: unknown) => {
        creating = undefined;
        throw err;
      });
      await creating;
      return view(session);
    },
    {
      validator: ({ session, profile }) => {
        // A double submit whose twin already made the account gets the same answer (R-A1).
        if (s.phase === 'done' && s.outcome === 'created' && s.verified.has(session)) return;
        requireStage(session, 'profile');
        const problems = profileProblems(profile, now());
        if (problems.length > 0) refuse(SIGNUP_REFUSALS.profileInvalid, 'profile invalid', { problems });
      },
    },
  );

  // --- main: wait for the person; give up after a long enough silence ---------------------------
  upsertSearchAttributes([
    journeyAttr('signup'),
    stageAttr(s.phase),
    waitingOnAttr('person'),
    { key: HubStuckSince, value: new Date(now()) },
  ]);
  while (!closed()) {
    const seen = s.touches;
    const moved = await condition(() => closed() || s.touches !== seen, limits.idleTimeoutSeconds * 1000);
    if (!moved) setPhase('abandoned');
  }
  await condition(allHandlersFinished);
  return {
    stage: s.phase === 'done' ? 'done' : 'abandoned',
    outcome: s.outcome,
    personId: s.personId,
    verifiedSessions: s.phase === 'done' ? [...s.verified] : [],
  };
}
