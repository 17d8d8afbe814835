// Applications (R-J1, R-J4, R-J5): a person applies from the directory or by accepting an invite;
// an admin of the school or the class teacher of the class approves or rejects.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { Router, type Request } from 'express';
import { ageAt, guardianRequirement } from '../../domain/age.js';
import { mayDecide } from '../../domain/applications.js';
import { effectiveInviteStatus, type InviteRole } from '../../domain/invites.js';
import {
  findApplication,
  findPendingApplication,
  insertApplication,
  isUniqueViolation,
  listApplicationsOfPerson,
  listApplicationsOfSchool,
  type ApplicationRow,
} from '../../db/repositories/applications.js';
import { writeAudit } from '../../db/repositories/audit.js';
import { parentsOf } from '../../db/repositories/guardians.js';
import { findInviteByHash } from '../../db/repositories/invites.js';
import { findPerson, type Person } from '../../db/repositories/people.js';
import { rolesOf } from '../../db/repositories/school-roles.js';
import { findClass, findSchool, type School } from '../../db/repositories/schools.js';
import { inTransaction } from '../../infra/postgres.js';
import { hashToken, looksLikeToken } from '../../infra/tokens.js';
import {
  acceptInviteUpdate,
  applicationWorkflowId,
  approveApplicationUpdate,
  inviteWorkflowId,
  rejectApplicationUpdate,
  type ApplicationWorkflowInput,
} from '../../workflows/definitions.js';
import type { ApiDeps } from '../deps.js';
import { resolveApprover } from '../approvers.js';
import { principalOf, requireRole } from '../auth.js';
import { message } from '../messages.js';
import { paged } from '../pagination.js';
import { Problem } from '../problem.js';
import { fallbackUnlessOutage } from '../outage.js';
import { isGone, refusalOf } from '../temporal-errors.js';
import { createApplicationBody, decisionBody, idParams, schoolApplicationsQuery, schoolIdParams } from '../schemas/joining.js';
import { tokenParams } from '../schemas/invites.js';
import { endedInvite, inviteView } from './invites.js';
import { refuseIfRestricted } from '../restricted.js';

const statusMessage = {
  pending: 'application-sent',
  approved: 'application-approved',
  rejected: 'application-rejected',
  expired: 'application-expired',
} as const;

export function applicationRoutes(deps: ApiDeps): Router {
  const { pool, temporal, config } = deps;
  const router = Router();

  /** What the applicant's next screen needs: status, the sentence to show, and for a child the parent step. */
  async function view(req: Request, app: ApplicationRow, applicant?: Person) {
    const school = (await findSchool(pool, app.schoolId)) as School;
    const cls = app.classId ? await findClass(pool, app.classId) : undefined;
    let parentConfirmation: { requirement: string; confirmedParents: number } | undefined;
    if (app.status === 'approved' && app.role === 'student') {
      const person = applicant ?? (await findPerson(pool, app.personId));
      const age = person?.birthDate ? ageAt(person.birthDate, new Date(), school.timezone) : null;
      parentConfirmation = { requirement: guardianRequirement(age), confirmedParents: (await parentsOf(pool, app.personId)).length };
    }
    return {
      id: app.id,
      status: app.status,
      message: message(statusMessage[app.status], req.lang),
      role: app.role,
      via: app.via,
      school: { id: school.id, name: school.name, settlement: school.settlement },
      class: cls ? { id: cls.id, name: cls.name } : null,
      createdAt: app.createdAt.toISOString(),
      decidedAt: app.decidedAt?.toISOString() ?? null,
      ...(parentConfirmation ? { parentConfirmation } : {}),
    };
  }

  async function applicantOf(req: Request): Promise<Person> {
    const principal = principalOf(req);
    const person = await findPerson(pool, principal.sub).catch(fallbackUnlessOutage(undefined));
    if (!person) throw new Problem(403, 'person-not-found');
    return person;
  }

  /** Refuses before anything is written: already a member, or an application already waiting. */
  async function checkCanApply(personId: string, schoolId: string, classId: string | null, role: InviteRole): Promise<void> {
    const roles = await rolesOf(pool, personId);
    if (roles.some((r) => r.schoolId === schoolId && r.role === role && (role !== 'student' || r.classId === classId))) {
      throw new Problem(409, 'already-member');
    }
    const pending = await findPendingApplication(pool, personId, schoolId);
    if (pending) throw new Problem(409, 'application-exists', {}, { applicationId: pending.id });
  }

  /** The row and the workflow appear together; the database and the workflow id both keep it unique. */
  async function openApplication(
    req: Request,
    a: { personId: string; schoolId: string; classId: string | null; role: InviteRole; via: 'invite' | 'directory'; inviteId: string | null },
  ): Promise<ApplicationRow> {
    try {
      return await inTransaction(pool, async (tx) => {
        const row = await insertApplication(tx, a);
        await writeAudit(tx, {
          actor: a.personId,
          actorRole: 'person',
          action: 'application.created',
          subjectType: 'application',
          subjectId: row.id,
          details: { schoolId: a.schoolId, classId: a.classId, role: a.role, via: a.via, inviteId: a.inviteId },
          requestId: req.requestId,
        });
        const input: ApplicationWorkflowInput = {
          applicationId: row.id,
          personId: a.personId,
          schoolId: a.schoolId,
          classId: a.classId,
          role: a.role,
          timing: {
            remindAfterMs: config.APPLICATION_REMIND_AFTER,
            escalateAfterMs: config.APPLICATION_ESCALATE_AFTER,
            expireAfterMs: config.APPLICATION_EXPIRE_AFTER,
          },
          guardianRestrictAfterMs: config.GUARDIAN_RESTRICT_AFTER,
          guardianLinkOpenMs: config.GUARDIAN_LINK_OPEN_FOR,
        };
        await temporal.workflow.start('applicationWorkflow', {
          workflowId: applicationWorkflowId(a.personId, a.schoolId),
          taskQueue: deps.taskQueues.registration,
          args: [input],
          memo: { requestId: req.requestId },
        });
        return row;
      });
    } catch (error) {
      if (isUniqueViolation(error) || error instanceof WorkflowExecutionAlreadyStartedError) {
        const pending = await findPendingApplication(pool, a.personId, a.schoolId);
        throw new Problem(409, 'application-exists', {}, pending ? { applicationId: pending.id } : {});
      }
      throw error;
    }
  }

  /** R-J1 (b): the person picked settlement, organisation, role and class in the directory. */
  router.post('/applications', requireRole('person'), async (req, res) => {
    const body = createApplicationBody.parse(req.body);
    const person = await applicantOf(req);
    await refuseIfRestricted(pool, person); // R-A7
    const school = await findSchool(pool, body.schoolId);
    if (!school) throw new Problem(404, 'school-not-found');
    const classId = body.classId ?? null;
    if (classId) {
      const cls = await findClass(pool, classId);
      if (!cls || cls.schoolId !== school.id) throw new Problem(404, 'class-not-found');
    } else if (body.role === 'student') {
      throw new Problem(400, 'class-required');
    }
    await checkCanApply(person.id, school.id, classId, body.role);
    const app = await openApplication(req, { personId: person.id, schoolId: school.id, classId, role: body.role, via: 'directory', inviteId: null });
    res.status(201).location(`/v1/applications/${app.id}`).json(await view(req, app, person));
  });

  /** R-J1 (a), R-J4: following an invite uses it up and creates an application for its school, role and class. */
  router.post('/invites/:token/accept', requireRole('person'), async (req, res) => {
    const { token } = tokenParams.parse(req.params);
    if (!looksLikeToken(token)) throw new Problem(404, 'invite-not-found');
    const invite = await findInviteByHash(pool, hashToken(token));
    if (!invite) throw new Problem(404, 'invite-not-found');
    const school = await findSchool(pool, invite.schoolId);
    if (!school) throw new Problem(404, 'invite-not-found');
    const ended = async () => {
      const cls = invite.classId ? await findClass(pool, invite.classId) : undefined;
      const fresh = (await findInviteByHash(pool, invite.tokenHash)) ?? invite;
      return endedInvite(inviteView(fresh, school, cls, req.lang, new Date()));
    };
    if (effectiveInviteStatus(invite.status, invite.expiresAt, new Date()) !== 'active') throw await ended();
    const person = await applicantOf(req);
    await refuseIfRestricted(pool, person); // R-A7: the invite stays unused for after a parent confirms
    await checkCanApply(person.id, school.id, invite.classId, invite.role);
    try {
      await temporal.workflow.getHandle(inviteWorkflowId(invite.tokenHash)).executeUpdate(acceptInviteUpdate, { args: [{ actor: person.id }] });
    } catch (error) {
      if (refusalOf(error) || isGone(error)) throw await ended();
      throw error;
    }
    const app = await openApplication(req, {
      personId: person.id,
      schoolId: school.id,
      classId: invite.classId,
      role: invite.role,
      via: 'invite',
      inviteId: invite.id,
    });
    res.status(201).location(`/v1/applications/${app.id}`).json(await view(req, app, person));
  });

  router.get('/me/applications', requireRole('person'), async (req, res) => {
    const person = await applicantOf(req);
    const rows = await listApplicationsOfPerson(pool, person.id);
    res.json({ items: await Promise.all(rows.map((r) => view(req, r, person))) });
  });

  /** The applicant, or an approver of it. */
  router.get('/applications/:id', async (req, res) => {
    const principal = principalOf(req);
    const { id } = idParams.parse(req.params);
    const app = await findApplication(pool, id);
    if (!app) throw new Problem(404, 'application-not-found');
    if (app.personId !== principal.sub) {
      const approver = await resolveApprover(pool, principal);
      const mine = approver.adminOf.includes(app.schoolId) || (app.classId !== null && approver.classTeacherOf.includes(app.classId));
      if (!mine) throw new Problem(404, 'application-not-found');
    }
    res.json(await view(req, app));
  });

  /** The approver's queue: all of a school for its admin, their classes for a class teacher. */
  router.get('/schools/:schoolId/applications', async (req, res) => {
    const principal = principalOf(req);
    const { schoolId } = schoolIdParams.parse(req.params);
    const { status, ...p } = schoolApplicationsQuery.parse(req.query);
    const approver = await resolveApprover(pool, principal);
    const classIds = approver.adminOf.includes(schoolId) ? null : approver.classTeacherOf;
    if (classIds !== null && classIds.length === 0) throw new Problem(403, 'not-allowed-to-approve');
    const rows = await listApplicationsOfSchool(pool, schoolId, { status, classIds, ...p });
    const items = await Promise.all(
      rows.map(async (r) => {
        const person = await findPerson(pool, r.personId);
        return { ...(await view(req, r, person)), applicant: person ? { id: person.id, firstName: person.firstName, lastName: person.lastName } : null };
      }),
    );
    res.json(paged(items, p));
  });

  for (const [action, update] of [
    ['approve', approveApplicationUpdate],
    ['reject', rejectApplicationUpdate],
  ] as const) {
    router.post(`/applications/:id/${action}`, async (req, res) => {
      const principal = principalOf(req);
      const { id } = idParams.parse(req.params);
      const { reason } = decisionBody.parse(req.body ?? {});
      const app = await findApplication(pool, id);
      if (!app) throw new Problem(404, 'application-not-found');
      const approver = await resolveApprover(pool, principal);
      const handle = temporal.workflow.getHandle(applicationWorkflowId(app.personId, app.schoolId));
      try {
        if (app.status !== 'pending') {
          if (!mayDecide(approver, app)) throw new Problem(403, 'not-allowed-to-approve');
          throw new Problem(409, 'application-closed', { status: app.status });
        }
        await handle.executeUpdate(update, {
          args: [{ approver, actorRole: principal.role, ...(reason ? { reason } : {}), requestId: req.requestId }],
        });
      } catch (error) {
        if (error instanceof Problem) throw error;
        const refusal = refusalOf(error);
        if (refusal === 'not-allowed-to-approve') throw new Problem(403, 'not-allowed-to-approve');
        if (refusal === 'application-closed' || isGone(error)) {
          const fresh = (await findApplication(pool, id)) ?? app;
          throw new Problem(409, 'application-closed', { status: fresh.status }, { application: await view(req, fresh) });
        }
        throw error;
      }
      res.json(await view(req, (await findApplication(pool, id)) ?? app));
    });
  }

  return router;
}
