import { ageAt, guardianRequirement, type GuardianRequirement } from '../domain/age.js';
import type { ApplicationStatus } from '../domain/applications.js';
import { closeApplication, findApplication } from '../db/repositories/applications.js';
import { writeAudit } from '../db/repositories/audit.js';
import { enqueueNotification, type NotificationInput } from '../db/repositories/notifications.js';
import { findPerson } from '../db/repositories/people.js';
import { grantSchoolRole } from '../db/repositories/school-roles.js';
import { findSchool } from '../db/repositories/schools.js';
import { inTransaction } from '../infra/postgres.js';
import type { ActivityDeps } from './deps.js';

export interface ApprovalResult {
  /** For an approved student: R-G1 by age on the day in the school's zone; 'none' for staff. */
  guardian: GuardianRequirement;
}

export const applicationActivities = ({ pool }: ActivityDeps) => ({
  /** R-J5: the person joins the school (and class) in the same transaction as the decision. Idempotent. */
  async approveApplication(input: {
    applicationId: string;
    actor: string;
    actorRole: string;
    reason?: string | undefined;
    requestId?: string | undefined;
  }): Promise<ApprovalResult> {
    return inTransaction(pool, async (tx) => {
      const app = await findApplication(tx, input.applicationId);
      if (!app) throw new Error(`application ${input.applicationId} is missing`);
      const changed = await closeApplication(tx, app.id, 'approved', input.actor, input.reason);
      const joined = await grantSchoolRole(tx, { personId: app.personId, schoolId: app.schoolId, classId: app.classId, role: app.role });
      if (changed) {
        await writeAudit(tx, {
          actor: input.actor,
          actorRole: input.actorRole,
          action: 'application.approved',
          subjectType: 'application',
          subjectId: app.id,
          reason: input.reason,
          requestId: input.requestId,
        });
      }
      if (joined) {
        await writeAudit(tx, {
          actor: input.actor,
          actorRole: input.actorRole,
          action: 'school.joined',
          subjectType: 'person',
          subjectId: app.personId,
          details: { schoolId: app.schoolId, classId: app.classId, role: app.role, applicationId: app.id },
          requestId: input.requestId,
        });
      }
      if (app.role !== 'student') return { guardian: 'none' };
      const [person, school] = await Promise.all([findPerson(tx, app.personId), findSchool(tx, app.schoolId)]);
      const age = person?.birthDate && school ? ageAt(person.birthDate, new Date(), school.timezone) : null;
      return { guardian: guardianRequirement(age) };
    });
  },

  /** Rejected or expired; idempotent like every status change. */
  async closeApplication(input: {
    applicationId: string;
    status: Exclude<ApplicationStatus, 'pending' | 'approved'>;
    actor: string;
    actorRole?: string | undefined;
    reason?: string | undefined;
    requestId?: string | undefined;
  }): Promise<void> {
    await inTransaction(pool, async (tx) => {
      if (await closeApplication(tx, input.applicationId, input.status, input.actor, input.reason)) {
        await writeAudit(tx, {
          actor: input.actor,
          actorRole: input.actorRole,
          action: `application.${input.status}`,
          subjectType: 'application',
          subjectId: input.applicationId,
          reason: input.reason,
          requestId: input.requestId,
        });
      }
    });
  },

  /** Outbox row; the dedupe key makes a retry harmless. */
  async notify(n: NotificationInput): Promise<void> {
    await enqueueNotification(pool, n);
  },

  /** Escalation goes to the authority of the school's region. */
  async escalateApplication(input: { applicationId: string; schoolId: string; classId: string | null }): Promise<void> {
    const school = await findSchool(pool, input.schoolId);
    await enqueueNotification(pool, {
      dedupeKey: `application.escalated/${input.applicationId}`,
      kind: 'application.escalated',
      recipientKind: 'authority',
      recipientId: school?.region ?? 'unknown',
      payload: { applicationId: input.applicationId, schoolId: input.schoolId, classId: input.classId },
    });
  },
});
