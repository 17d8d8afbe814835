// Invite links (R-J2, R-J3): admins create, list and revoke; the invitee previews and may decline.
import { randomUUID } from 'node:crypto';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import { Router, type Request } from 'express';
import { DAY_MS, effectiveInviteStatus, inviteUrl, inviteValidityDays, type InviteStatus } from '../../domain/invites.js';
import { writeAudit } from '../../db/repositories/audit.js';
import {
  findInviteByHash,
  findInviteById,
  insertInvite,
  listInvites,
  type InviteRow,
} from '../../db/repositories/invites.js';
import { findClass, findSchool, type School, type SchoolClass } from '../../db/repositories/schools.js';
import { inTransaction } from '../../infra/postgres.js';
import { hashToken, looksLikeToken, newToken } from '../../infra/tokens.js';
import {
  declineInviteUpdate,
  inviteWorkflowId,
  revokeInviteUpdate,
  type InviteWorkflowInput,
} from '../../workflows/definitions.js';
import type { ApiDeps } from '../deps.js';
import { canActOnSchool, principalOf, requireRole } from '../auth.js';
import { formatLocalTime, type Lang } from '../messages.js';
import { Problem } from '../problem.js';
import { actionBody, createInviteBody, inviteIdParams, schoolParams, tokenParams } from '../schemas/invites.js';

export type InviteView = ReturnType<typeof inviteView>;

export function inviteView(invite: InviteRow, school: School, cls: SchoolClass | undefined, lang: Lang, now: Date) {
  return {
    id: invite.id,
    status: effectiveInviteStatus(invite.status, invite.expiresAt, now),
    role: invite.role,
    school: { id: school.id, name: school.name, settlement: school.settlement, timezone: school.timezone },
    class: cls ? { id: cls.id, name: cls.name } : null,
    createdAt: invite.createdAt.toISOString(),
    expiresAt: invite.expiresAt.toISOString(),
    expiresAtLocal: formatLocalTime(invite.expiresAt, school.timezone, lang),
  };
}

const endedProblem: Record<Exclude<InviteStatus, 'active'>, 'invite-expired' | 'invite-revoked' | 'invite-declined' | 'invite-accepted'> = {
  expired: 'invite-expired',
  revoked: 'invite-revoked',
  declined: 'invite-declined',
  accepted: 'invite-accepted',
};

/** 410 Gone for a link that no longer works, saying why and what to do next. */
export function endedInvite(view: InviteView): Problem {
  const status = view.status as Exclude<InviteStatus, 'active'>;
  return new Problem(410, endedProblem[status], { expiredAt: view.expiresAtLocal }, { invite: view });
}

export function inviteRoutes(deps: ApiDeps): Router {
  const { pool, temporal, config } = deps;
  const router = Router();

  async function loadContext(invite: InviteRow) {
    const school = await findSchool(pool, invite.schoolId);
    if (!school) throw new Problem(404, 'invite-not-found');
    const cls = invite.classId ? await findClass(pool, invite.classId) : undefined;
    return { school, cls };
  }

  async function inviteByToken(req: Request): Promise<{ invite: InviteRow; view: InviteView }> {
    const { token } = tokenParams.parse(req.params);
    if (!looksLikeToken(token)) throw new Problem(404, 'invite-not-found');
    const invite = await findInviteByHash(pool, hashToken(token));
    if (!invite) throw new Problem(404, 'invite-not-found');
    const { school, cls } = await loadContext(invite);
    return { invite, view: inviteView(invite, school, cls, req.lang, new Date()) };
  }

  /** Sends an update to the invite's workflow; if the workflow already moved on, says how it ended. */
  async function actOnInvite(
    req: Request,
    invite: InviteRow,
    update: typeof revokeInviteUpdate | typeof declineInviteUpdate,
    actor: string,
    reason: string | undefined,
  ): Promise<InviteView> {
    const handle = temporal.workflow.getHandle(inviteWorkflowId(invite.tokenHash));
    try {
      await handle.executeUpdate(update, { args: [{ actor, reason }] });
    } catch (error) {
      const fresh = await findInviteById(pool, invite.id);
      const { school, cls } = await loadContext(invite);
      const view = inviteView(fresh ?? invite, school, cls, req.lang, new Date());
      if (view.status !== 'active') throw endedInvite(view);
      throw error;
    }
    const after = (await findInviteById(pool, invite.id)) ?? invite;
    const { school, cls } = await loadContext(after);
    return inviteView(after, school, cls, req.lang, new Date());
  }

  router.post('/schools/:schoolId/invites', requireRole('authority', 'school_admin', 'class_teacher'), async (req, res) => {
    const principal = principalOf(req);
    const { schoolId } = schoolParams.parse(req.params);
    const body = createInviteBody.parse(req.body);
    const school = await findSchool(pool, schoolId);
    if (!school) throw new Problem(404, 'school-not-found');
    let cls: SchoolClass | undefined;
    if (body.classId) {
      cls = await findClass(pool, body.classId);
      if (!cls || cls.schoolId !== school.id) throw new Problem(404, 'class-not-found');
    } else if (body.role === 'student') {
      throw new Problem(400, 'class-required');
    }
    if (!canActOnSchool(principal, school, body.classId ?? null)) throw new Problem(403, 'forbidden');
    const validity = inviteValidityDays(body.validDays, {
      defaultDays: config.INVITE_DEFAULT_DAYS,
      maxDays: config.INVITE_MAX_DAYS,
    });
    if (!validity.ok) throw new Problem(400, 'invite-validity-too-long', { maxDays: validity.maxDays });

    const token = newToken();
    const tokenHash = hashToken(token);
    const expiresAt = new Date(Date.now() + validity.days * DAY_MS);
    // The row and the workflow appear together: if Temporal refuses the start, the row is rolled back.
    const invite = await inTransaction(pool, async (tx) => {
      const row = await insertInvite(tx, {
        tokenHash,
        schoolId: school.id,
        classId: cls?.id ?? null,
        role: body.role,
        createdBy: principal.sub,
        expiresAt,
      });
      await writeAudit(tx, {
        actor: principal.sub,
        actorRole: principal.role,
        action: 'invite.created',
        subjectType: 'invite',
        subjectId: row.id,
        details: { role: body.role, classId: cls?.id ?? null, validDays: validity.days },
        requestId: req.requestId,
      });
      const input: InviteWorkflowInput = { inviteId: row.id, schoolId: school.id, expiresAt: expiresAt.toISOString() };
      await temporal.workflow.start('inviteWorkflow', {
        workflowId: inviteWorkflowId(tokenHash),
        taskQueue: deps.taskQueues.registration,
        args: [input],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        memo: { requestId: req.requestId },
      });
      return row;
    });
    res
      .status(201)
      .location(`/v1/schools/${school.id}/invites/${invite.id}`)
      .json({
        ...inviteView(invite, school, cls, req.lang, new Date()),
        token,
        url: inviteUrl(config.PUBLIC_BASE_URL, token),
      });
  });

  router.get('/schools/:schoolId/invites', requireRole('authority', 'school_admin', 'class_teacher'), async (req, res) => {
    const principal = principalOf(req);
    const { schoolId } = schoolParams.parse(req.params);
    const school = await findSchool(pool, schoolId);
    if (!school) throw new Problem(404, 'school-not-found');
    const isTeacher = principal.role === 'class_teacher';
    if (!isTeacher && !canActOnSchool(principal, school)) throw new Problem(403, 'forbidden');
    if (isTeacher && !principal.schools.includes(school.id)) throw new Problem(403, 'forbidden');
    const now = new Date();
    const rows = (await listInvites(pool, school.id)).filter((i) => !isTeacher || principal.classes.includes(i.classId ?? ''));
    const items = await Promise.all(
      rows.map(async (i) => inviteView(i, school, i.classId ? await findClass(pool, i.classId) : undefined, req.lang, now)),
    );
    res.json({ items });
  });

  router.post(
    '/schools/:schoolId/invites/:inviteId/revoke',
    requireRole('authority', 'school_admin', 'class_teacher'),
    async (req, res) => {
      const principal = principalOf(req);
      const { schoolId, inviteId } = inviteIdParams.parse(req.params);
      const { reason } = actionBody.parse(req.body ?? {});
      const invite = await findInviteById(pool, inviteId);
      if (!invite || invite.schoolId !== schoolId) throw new Problem(404, 'invite-not-found');
      const { school } = await loadContext(invite);
      if (!canActOnSchool(principal, school, invite.classId)) throw new Problem(403, 'forbidden');
      const view = await actOnInvite(req, invite, revokeInviteUpdate, principal.sub, reason);
      res.json(view);
    },
  );

  /** Public: what the person following the link sees before accepting or declining (R-J2). */
  router.get('/invites/:token', async (req, res) => {
    const { view } = await inviteByToken(req);
    if (view.status !== 'active') throw endedInvite(view);
    res.json({ ...view, actions: ['accept', 'decline'] });
  });

  /** Public: "Отклонить приглашение" (R-J2). */
  router.post('/invites/:token/decline', async (req, res) => {
    const { invite, view } = await inviteByToken(req);
    if (view.status !== 'active') throw endedInvite(view);
    const after = await actOnInvite(req, invite, declineInviteUpdate, `invitee:${randomUUID()}`, undefined);
    res.json(after);
  });

  return router;
}
