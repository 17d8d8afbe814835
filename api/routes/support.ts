// Support (role `support`): find stuck registrations, read one's story, act on it with a reason.
// Personal data is masked unless the agent reveals it, and every action and reveal is audited.
import { Router, type Request } from 'express';
import { DAY_MS } from '../../domain/invites.js';
import { maskEmail, maskPhone, maskSurname } from '../../domain/mask.js';
import { findApplication } from '../../db/repositories/applications.js';
import { writeAudit } from '../../db/repositories/audit.js';
import { findInviteById } from '../../db/repositories/invites.js';
import { findPerson, type Person } from '../../db/repositories/people.js';
import { findClass } from '../../db/repositories/schools.js';
import {
  cancelApplicationUpdate,
  extendInviteUpdate,
  remindApproversUpdate,
  revokeInviteUpdate,
} from '../../workflows/definitions.js';
import { SIGNUP_REFUSALS, signupViewQuery, supportResendCodeUpdate } from '../../workflows/signup-definitions.js';
import type { ApiDeps } from '../deps.js';
import { principalOf } from '../auth.js';
import { formatLocalTime } from '../messages.js';
import { Problem } from '../problem.js';
import { problemFromRefusal, secondsUntil } from '../signup-refusals.js';
import { fallbackUnlessOutage } from '../outage.js';
import { actionBody, revealBody, stuckQuery, workflowParams, type SupportAction } from '../schemas/support.js';
import { isGone, refusalOf } from '../temporal-errors.js';
import { FALLBACK_TIMEZONE, listStuck, workflowFacts, type WorkflowFacts } from '../support/registrations.js';
import { actionTitle, auditTitle, journeyTitle, stageTitle, waitingOnText } from '../support/wording.js';
import type { Lang } from '../messages.js';

/** The actions that fit a journey at its stage (what the console offers as buttons). */
export function actionsFor(f: Pick<WorkflowFacts, 'status' | 'journey' | 'stage'>): SupportAction[] {
  if (f.status !== 'RUNNING') return [];
  switch (f.journey) {
    case 'invite':
      return f.stage === 'active' ? ['extend-invite', 'cancel'] : [];
    case 'application':
      return f.stage === 'pending' || f.stage === 'escalated' ? ['remind-approvers', 'cancel'] : [];
    case 'signup':
      // Only while the person waits for a code (signup or password reset), never after it was used.
      return f.stage === 'code' || f.stage === 'reset-code' ? ['resend-code'] : [];
    default:
      return [];
  }
}

const isNotFound = (e: unknown): boolean => (e as { name?: string }).name === 'WorkflowNotFoundError' || isGone(e);

export function supportRoutes(deps: ApiDeps): Router {
  const { pool, temporal, config } = deps;
  const router = Router();

  async function facts(workflowId: string, lang: Lang = 'ru') {
    try {
      return await workflowFacts(temporal, pool, workflowId, lang);
    } catch (error) {
      if (isNotFound(error)) throw new Problem(404, 'registration-not-found');
      throw error;
    }
  }

  /** Whose journey it is: the person behind an application or a parent confirmation. */
  async function personOf(f: WorkflowFacts): Promise<Person | undefined> {
    const id = f.journey === 'application' ? f.input.personId : f.journey === 'guardians' ? f.input.childId : undefined;
    return typeof id === 'string' ? findPerson(pool, id).catch(fallbackUnlessOutage(undefined)) : undefined;
  }

  /** What the journey is about, with personal data masked. */
  async function subjectOf(f: WorkflowFacts, lang: Lang): Promise<Record<string, unknown>> {
    const zone = f.schoolRow?.timezone ?? FALLBACK_TIMEZONE;
    const subject: Record<string, unknown> = {};
    if (f.journey === 'invite' && typeof f.input.inviteId === 'string') {
      const invite = await findInviteById(pool, f.input.inviteId);
      if (invite) {
        const cls = invite.classId ? await findClass(pool, invite.classId) : undefined;
        Object.assign(subject, {
          inviteId: invite.id,
          role: invite.role,
          class: cls?.name ?? null,
          status: invite.status,
          expiresAt: invite.expiresAt.toISOString(),
          expiresAtLocal: formatLocalTime(invite.expiresAt, zone, lang),
        });
      }
    }
    if (f.journey === 'application' && typeof f.input.applicationId === 'string') {
      const app = await findApplication(pool, f.input.applicationId);
      if (app) {
        const cls = app.classId ? await findClass(pool, app.classId) : undefined;
        Object.assign(subject, { applicationId: app.id, role: app.role, class: cls?.name ?? null, status: app.status });
      }
    }
    if (f.journey === 'signup' && f.status === 'RUNNING') {
      // The countdown as the person sees it (a session that verified nothing sees the code step).
      const view = await temporal.workflow
        .getHandle(f.workflowId)
        .query(signupViewQuery, 'support')
        .catch(() => undefined);
      if (view?.channel) {
        Object.assign(subject, {
          channel: view.channel,
          resendInSeconds: secondsUntil(view.resendAt, Date.now()),
          ...(view.codeExpiresAt
            ? { codeExpiresAt: new Date(view.codeExpiresAt).toISOString(), codeExpiresAtLocal: formatLocalTime(new Date(view.codeExpiresAt), zone, lang) }
            : {}),
        });
      }
    }
    const person = await personOf(f);
    if (person) {
      subject.person = {
        id: person.id,
        name: `${person.firstName} ${maskSurname(person.lastName)}`,
        phone: person.phone ? maskPhone(person.phone) : null,
        email: person.email ? maskEmail(person.email) : null,
        masked: true,
      };
    }
    return subject;
  }

  async function auditTrail(f: WorkflowFacts) {
    const subjects: [string, string][] = [['workflow', f.workflowId]];
    if (typeof f.input.inviteId === 'string') subjects.push(['invite', f.input.inviteId]);
    if (typeof f.input.applicationId === 'string') subjects.push(['application', f.input.applicationId]);
    const { rows } = await pool.query(
      `SELECT at, actor, actor_role AS "actorRole", action, reason FROM audit_log
        WHERE (subject_type, subject_id) IN (SELECT * FROM unnest($1::text[], $2::text[])) ORDER BY at, id`,
      [subjects.map((s) => s[0]), subjects.map((s) => s[1])],
    );
    return rows as { at: Date; actor: string; actorRole: string | null; action: string; reason: string | null }[];
  }

  async function detail(workflowId: string, lang: Lang) {
    const f = await facts(workflowId, lang);
    const zone = f.schoolRow?.timezone ?? FALLBACK_TIMEZONE;
    const timeline = [
      ...f.events.map((e) => ({ at: e.at, source: 'workflow' as const, text: e.text, actor: null, reason: null })),
      ...(await auditTrail(f)).map((a) => ({
        at: a.at,
        source: 'audit' as const,
        text: auditTitle(a.action, lang),
        actor: a.actorRole ? `${a.actor} (${a.actorRole})` : a.actor,
        reason: a.reason,
      })),
    ].sort((x, y) => x.at.getTime() - y.at.getTime());
    return {
      workflowId,
      journey: f.journey,
      journeyTitle: journeyTitle(f.journey, lang),
      status: f.status,
      stage: f.stage,
      stageTitle: stageTitle(f.stage, lang),
      waitingOn: f.waitingOn,
      waitingOnText: waitingOnText(f.waitingOn, f.status === 'RUNNING', lang),
      stuckSince: f.stuckSince?.toISOString() ?? null,
      stuckSinceLocal: f.stuckSince ? formatLocalTime(f.stuckSince, zone, lang) : null,
      school: f.schoolRow ? { id: f.schoolRow.id, name: f.schoolRow.name, timezone: f.schoolRow.timezone } : null,
      timezone: zone,
      requestId: f.requestId,
      subject: await subjectOf(f, lang),
      timeline: timeline.map((t) => ({ ...t, at: t.at.toISOString(), atLocal: formatLocalTime(t.at, zone, lang) })),
      actions: actionsFor(f).map((action) => ({ action, title: actionTitle(action, lang) })),
    };
  }

  router.get('/support/registrations/stuck', async (req, res) => {
    const filter = stuckQuery.parse(req.query);
    res.json({ items: await listStuck(temporal, pool, filter, req.lang) });
  });

  router.get('/support/registrations/*workflowId', async (req, res) => {
    const { workflowId } = workflowParams.parse(req.params);
    res.json(await detail(workflowId, req.lang));
  });

  router.post('/support/registrations/*workflowId/actions', async (req, res) => {
    const principal = principalOf(req);
    const { workflowId } = workflowParams.parse(req.params);
    const body = actionBody.parse(req.body);
    const f = await facts(workflowId);
    if (!actionsFor(f).includes(body.action)) {
      throw new Problem(409, 'support-action-not-available', { action: actionTitle(body.action, req.lang), stage: stageTitle(f.stage, req.lang) });
    }
    const who = { actor: principal.sub, actorRole: principal.role, reason: body.reason, requestId: req.requestId };
    const handle = temporal.workflow.getHandle(workflowId);
    const details: Record<string, unknown> = { journey: f.journey, stage: f.stage };
    try {
      if (body.action === 'extend-invite') {
        const expiresAt = new Date(Date.now() + body.days * DAY_MS).toISOString();
        details.expiresAt = expiresAt;
        await handle.executeUpdate(extendInviteUpdate, { args: [{ ...who, expiresAt, maxDays: config.INVITE_MAX_DAYS }] });
      } else if (body.action === 'resend-code') {
        const sent = await handle.executeUpdate(supportResendCodeUpdate, { args: [{ actor: principal.sub, actorRole: principal.role, requestId: req.requestId }] });
        details.channel = sent.channel;
      } else if (body.action === 'remind-approvers') {
        await handle.executeUpdate(remindApproversUpdate, { args: [who] });
      } else if (body.action === 'cancel' && f.journey === 'invite') {
        await handle.executeUpdate(revokeInviteUpdate, { args: [{ actor: principal.sub, reason: body.reason }] });
      } else if (body.action === 'cancel' && f.journey === 'application') {
        await handle.executeUpdate(cancelApplicationUpdate, { args: [who] });
      } else {
        throw new Problem(409, 'support-action-not-available', { action: actionTitle(body.action, req.lang), stage: stageTitle(f.stage, req.lang) });
      }
    } catch (error) {
      if (error instanceof Problem) throw error;
      const refusal = refusalOf(error);
      // The resend countdown and the codes-per-window cap bind support too: say when it will be possible.
      if (refusal === SIGNUP_REFUSALS.resendTooEarly || refusal === SIGNUP_REFUSALS.tooManyCodes || refusal === SIGNUP_REFUSALS.deliveryFailed) {
        throw problemFromRefusal(error)!;
      }
      if (refusal === 'invite-extension-invalid') throw new Problem(409, 'invite-extension-invalid', { maxDays: config.INVITE_MAX_DAYS });
      if (refusal || isGone(error)) {
        throw new Problem(409, 'support-action-not-available', { action: actionTitle(body.action, req.lang), stage: stageTitle(f.stage, req.lang) });
      }
      throw error;
    }
    await writeAudit(pool, {
      actor: principal.sub,
      actorRole: principal.role,
      action: `support.${body.action}`,
      subjectType: 'workflow',
      subjectId: workflowId,
      reason: body.reason,
      details,
      requestId: req.requestId,
    });
    res.json(await detail(workflowId, req.lang));
  });

  /** The clear personal data, for the agent who says why they need it; the reason is kept. */
  router.post('/support/registrations/*workflowId/reveal', async (req: Request, res) => {
    const principal = principalOf(req);
    const { workflowId } = workflowParams.parse(req.params);
    const { reason } = revealBody.parse(req.body);
    const f = await facts(workflowId);
    const person = await personOf(f);
    await writeAudit(pool, {
      actor: principal.sub,
      actorRole: principal.role,
      action: 'support.reveal',
      subjectType: 'workflow',
      subjectId: workflowId,
      reason,
      details: { personId: person?.id ?? null, fields: ['name', 'phone', 'email'] },
      requestId: req.requestId,
    });
    res.json({
      person: person
        ? {
            id: person.id,
            name: [person.lastName, person.firstName, person.patronymic].filter(Boolean).join(' '),
            phone: person.phone,
            email: person.email,
            masked: false,
          }
        : null,
    });
  });

  return router;
}
