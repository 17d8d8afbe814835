// The signup journey (R-A1..R-A6) over HTTP: each call is an Update (or a Query) of the address's
// signupWorkflow. Refusals come back from the workflow's validators as typed ApplicationFailures
// and leave here as problem+json with the same type.
import { WithStartWorkflowOperation, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { Router, type Request, type Response } from 'express';
import { contactAddress, maskContact, normaliseEmail, normalisePhone, type Contact } from '../../domain/contact.js';
import { effectiveInviteStatus } from '../../domain/invites.js';
import { channelAllowed, emailSignupAllowed, profileProblems, type OtpChannel, type SignupLimits, type SignupProfile } from '../../domain/signup.js';
import { findIdentityAccount } from '../../db/repositories/identity-accounts.js';
import { findInviteByHash } from '../../db/repositories/invites.js';
import { findClass } from '../../db/repositories/schools.js';
import { codeMacFromConfig } from '../../infra/code-mac.js';
import type { Config } from '../../infra/config.js';
import { hashPassword, verifyPassword } from '../../infra/passwords.js';
import { hashToken, looksLikeToken } from '../../infra/tokens.js';
import {
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
  type SignupView,
  type SignupWorkflowInput,
} from '../../workflows/signup-definitions.js';
import type { signupWorkflow } from '../../workflows/signup.js';
import type { ApiDeps } from '../deps.js';
import { messengerAccountStep } from '../signup-vk-id-step.js';
import { deviceOf, ensureDevice, recordSignupDevice } from '../device.js';
import { Problem } from '../problem.js';
import { problemFromRefusal, secondsUntil } from '../signup-refusals.js';
import {
  PASSWORD_MAX,
  PASSWORD_MIN,
  channelBody,
  codeBody,
  passwordBody,
  profileBody,
  signupParams,
  startSignupBody,
} from '../schemas/signups.js';
import { signupHandles, type SignupHandle } from '../signup-handles.js';

export function signupLimits(config: Config): SignupLimits {
  return {
    codeTtlSeconds: config.SIGNUP_CODE_TTL_SECONDS,
    maxCodeAttempts: config.SIGNUP_CODE_MAX_ATTEMPTS,
    resendAfterSeconds: config.SIGNUP_RESEND_AFTER_SECONDS,
    maxCodesPerWindow: config.SIGNUP_MAX_CODES_PER_WINDOW,
    codeWindowSeconds: config.SIGNUP_CODE_WINDOW_SECONDS,
    maxPasswordAttempts: config.SIGNUP_PASSWORD_MAX_ATTEMPTS,
    idleTimeoutSeconds: config.SIGNUP_IDLE_TIMEOUT_SECONDS,
  };
}

/** What callers see: the stage and, while a code is pending, exact countdowns in seconds. */
function present(view: SignupView) {
  const now = Date.now();
  const codeStage = view.stage === 'code' || view.stage === 'reset-code';
  return {
    stage: view.stage,
    ...(codeStage
      ? {
          channel: view.channel,
          resendAfterSeconds: secondsUntil(view.resendAt, now),
          codeExpiresInSeconds: view.codeExpiresAt === null ? null : secondsUntil(view.codeExpiresAt, now),
          codeAttemptsLeft: view.codeAttemptsLeft,
        }
      : {}),
    ...(view.stage === 'password' ? { passwordAttemptsLeft: view.passwordAttemptsLeft, actions: ['forgot-password', 'not-me'] } : {}),
    ...(view.stage === 'done' ? { outcome: view.outcome, personId: view.personId } : {}),
  };
}

export function signupRoutes(deps: ApiDeps): Router {
  const { pool, temporal, config, tokens } = deps;
  const secret = config.HUB_SIGNUP_SECRET ?? config.HUB_JWT_SECRET;
  if (!secret) throw new Error('HUB_SIGNUP_SECRET (or HUB_JWT_SECRET) must be set to key signup ids');
  const handles = signupHandles(secret);
  const codeMac = codeMacFromConfig(config);
  const limits = signupLimits(config);
  const router = Router();

  const handleOf = (req: Request): SignupHandle => {
    const { signupId } = signupParams.parse(req.params);
    const h = handles.parse(signupId);
    if (!h) throw new Problem(404, 'signup-not-found');
    return h;
  };

  /** Runs a workflow call; refusals become their problem, a missing or finished workflow says so. */
  async function call<T>(h: SignupHandle, work: (wf: WorkflowHandle<typeof signupWorkflow>) => Promise<T>): Promise<T> {
    const wf = temporal.workflow.getHandle<typeof signupWorkflow>(h.workflowId);
    try {
      return await work(wf);
    } catch (err) {
      const refusal = problemFromRefusal(err);
      if (refusal) throw refusal;
      if (err instanceof WorkflowNotFoundError) {
        const closed = await wf.describe().then(
          (d) => d.status.name !== 'RUNNING',
          () => false,
        );
        throw closed ? new Problem(410, 'signup-closed') : new Problem(404, 'signup-not-found');
      }
      throw err;
    }
  }

  /**
   * A double submit of the profile whose twin created the account and ended the journey (the workflow
   * has completed): the same "done" answer, for a session that had verified the code; undefined otherwise.
   */
  async function endedAsDone(h: SignupHandle): Promise<SignupView | undefined> {
    const wf = temporal.workflow.getHandle<typeof signupWorkflow>(h.workflowId);
    const { status } = await wf.describe();
    if (status.name !== 'COMPLETED') return undefined;
    const r = await wf.result();
    if (r.stage !== 'done' || r.outcome !== 'created' || !r.verifiedSessions?.includes(h.session)) return undefined;
    return { stage: 'done', channel: null, codeExpiresAt: null, resendAt: null, codeAttemptsLeft: null, passwordAttemptsLeft: null, outcome: r.outcome, personId: r.personId };
  }

  /** The person's bearer token once the journey has an account for them (sub = people.id). */
  async function respond(res: Response, view: SignupView, extra: Record<string, unknown> = {}): Promise<void> {
    const body: Record<string, unknown> = { ...extra, ...present(view) };
    if (view.stage === 'done' && view.personId) {
      body.token = await tokens.sign({ sub: view.personId, role: 'person', schools: [], classes: [] });
      body.messengerAccount = await messengerAccountStep(pool, view.personId);
      // R-G5: the browser that made the profile, so that the child's own parent link is known in it.
      if (view.outcome === 'created') await recordSignupDevice(pool, view.personId, deviceOf(res.req));
    }
    res.json(body);
  }

  /** R-A3: e-mail only for grades 1-4 through an active student invite. */
  async function emailInvite(inviteToken: string | undefined): Promise<string> {
    const refuse = (reason: string) => new Problem(403, 'email-not-allowed', {}, { reason });
    if (!inviteToken) throw refuse('invite-required');
    if (!looksLikeToken(inviteToken)) throw refuse('invite-not-found');
    const invite = await findInviteByHash(pool, hashToken(inviteToken));
    if (!invite) throw refuse('invite-not-found');
    const cls = invite.classId ? await findClass(pool, invite.classId) : undefined;
    const active = effectiveInviteStatus(invite.status, invite.expiresAt, new Date()) === 'active';
    if (!active) throw refuse('invite-not-active');
    if (!emailSignupAllowed({ role: invite.role, grade: cls?.grade ?? null, active })) throw refuse('not-primary-school');
    return invite.id;
  }

  /**
   * Start or continue (R-A1): update-with-start on the address's one workflow. The answer is the same
   * whether or not the phone is registered (R-A4): that is only looked at after a code is verified.
   */
  router.post('/signups', async (req, res) => {
    const body = startSignupBody.parse(req.body);
    ensureDevice(req, res, config.PUBLIC_BASE_URL.startsWith('https:'));
    let contact: Contact;
    let inviteId: string | null = null;
    if (body.phone !== undefined) {
      const phone = normalisePhone(body.phone);
      if (!phone) throw new Problem(400, 'invalid-phone');
      contact = { kind: 'phone', phone };
    } else {
      inviteId = await emailInvite(body.inviteToken);
      contact = { kind: 'email', email: normaliseEmail(body.email ?? '') };
    }
    const channel: OtpChannel = body.channel ?? (contact.kind === 'email' ? 'email' : 'sms');
    if (!channelAllowed(contact.kind, channel)) throw new Problem(400, 'channel-not-allowed');
    const h = handles.open(contactAddress(contact));
    const input: SignupWorkflowInput = { contact, inviteId, limits };
    // A journey that has just ended refuses with signup-closed; the next try starts a fresh run.
    for (let attempt = 1; ; attempt++) {
      try {
        const view = await temporal.workflow.executeUpdateWithStart(requestCodeUpdate, {
          args: [{ session: h.session, channel }],
          startWorkflowOperation: new WithStartWorkflowOperation<typeof signupWorkflow>('signupWorkflow', {
            workflowId: h.workflowId,
            taskQueue: deps.taskQueues.registration,
            args: [input],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        });
        await respond(res, view, { signupId: h.signupId, recipient: maskContact(contact) });
        return;
      } catch (err) {
        const refusal = problemFromRefusal(err);
        if (refusal?.code === 'signup-closed' && attempt < 5) {
          await new Promise((r) => setTimeout(r, 100 * attempt));
          continue;
        }
        throw refusal ?? err;
      }
    }
  });

  router.get('/signups/:signupId', async (req, res) => {
    const h = handleOf(req);
    const view = await call(h, (wf) => wf.query(signupViewQuery, h.session));
    // No token here: the handle travels in URLs, which end up in access logs.
    await respond(res, { ...view, personId: null });
  });

  router.post('/signups/:signupId/resend', async (req, res) => {
    const h = handleOf(req);
    const { channel } = channelBody.parse(req.body ?? {});
    const view = await call(h, async (wf) => {
      const current = channel ?? (await wf.query(signupViewQuery, h.session)).channel ?? 'sms';
      return wf.executeUpdate(resendCodeUpdate, { args: [{ session: h.session, channel: current }] });
    });
    await respond(res, view);
  });

  /** Only the guess's keyed MAC goes to the workflow: history holds no code and nothing to test one against. */
  router.post('/signups/:signupId/code', async (req, res) => {
    const h = handleOf(req);
    const { code } = codeBody.parse(req.body);
    const view = await call(h, async (wf) => {
      const { codeId } = await wf.query(signupInternalsQuery, h.session);
      if (!codeId) throw new Problem(422, 'code-expired');
      return wf.executeUpdate(submitCodeUpdate, {
        args: [{ session: h.session, codeId, mac: codeMac.of(h.workflowId, codeId, code) }],
      });
    });
    await respond(res, view);
  });

  /**
   * R-A5: at the password step the identity account's password is checked here and only the verdict
   * goes to the workflow; after "forgot password" the new one is hashed here and only the hash goes.
   */
  router.post('/signups/:signupId/password', async (req, res) => {
    const h = handleOf(req);
    const { password } = passwordBody.parse(req.body);
    const view = await call(h, async (wf) => {
      const current = await wf.query(signupViewQuery, h.session);
      if (current.stage === 'password') {
        if (current.passwordAttemptsLeft === 0) throw new Problem(429, 'password-locked');
        const { identityAccountId } = await wf.query(signupInternalsQuery, h.session);
        const account = identityAccountId ? await findIdentityAccount(pool, identityAccountId) : undefined;
        const ok = account ? await verifyPassword(password, account.passwordHash) : false;
        return wf.executeUpdate(passwordCheckedUpdate, { args: [{ session: h.session, ok }] });
      }
      if (current.stage === 'new-password') {
        if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
          throw new Problem(422, 'weak-password', { min: PASSWORD_MIN, max: PASSWORD_MAX });
        }
        const passwordHash = await hashPassword(password);
        return wf.executeUpdate(newPasswordUpdate, { args: [{ session: h.session, passwordHash }] });
      }
      throw new Problem(409, 'wrong-stage');
    });
    await respond(res, view);
  });

  router.post('/signups/:signupId/forgot-password', async (req, res) => {
    const h = handleOf(req);
    const { channel } = channelBody.parse(req.body ?? {});
    const view = await call(h, (wf) =>
      wf.executeUpdate(forgotPasswordUpdate, { args: [{ session: h.session, channel: channel ?? 'sms' }] }),
    );
    await respond(res, view);
  });

  router.post('/signups/:signupId/not-me', async (req, res) => {
    const h = handleOf(req);
    const view = await call(h, (wf) => wf.executeUpdate(notMeUpdate, { args: [{ session: h.session }] }));
    await respond(res, view);
  });

  /** R-A6. Checked here for a quick answer, and again by the workflow's validator. */
  router.post('/signups/:signupId/profile', async (req, res) => {
    const h = handleOf(req);
    const body = profileBody.parse(req.body);
    const problems = profileProblems(body, Date.now());
    if (problems.length > 0) throw new Problem(422, 'profile-invalid', {}, { errors: problems });
    const profile = body as SignupProfile;
    const view = await call(h, (wf) => wf.executeUpdate(submitProfileUpdate, { args: [{ session: h.session, profile }] })).catch(
      async (err: unknown) => (err instanceof Problem && err.code === 'signup-closed' ? ((await endedAsDone(h)) ?? Promise.reject(err)) : Promise.reject(err)),
    );
    await respond(res, view);
  });

  return router;
}
