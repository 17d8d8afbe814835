import { writeAudit } from '../db/repositories/audit.js';
import { addGuardianship, parentsOf, recordConsent } from '../db/repositories/guardians.js';
import { correctPerson, setRestricted, type PersonCorrections } from '../db/repositories/people.js';
import { grantSchoolRole, rolesOf } from '../db/repositories/school-roles.js';
import { ApplicationFailure } from '@temporalio/common';
import { inTransaction } from '../infra/postgres.js';
import type { ActivityDeps } from './deps.js';

export const guardianActivities = ({ pool }: ActivityDeps) => ({
  async parentsOfChild(input: { childId: string }): Promise<string[]> {
    return parentsOf(pool, input.childId);
  },

  /** R-A7: restrict an unconfirmed child's account, or lift it. Idempotent; audited when it changes. */
  async setAccountRestricted(input: { childId: string; restricted: boolean; actor: string; reason: string }): Promise<void> {
    await inTransaction(pool, async (tx) => {
      if (await setRestricted(tx, input.childId, input.restricted)) {
        await writeAudit(tx, {
          actor: input.actor,
          action: input.restricted ? 'account.restricted' : 'account.unrestricted',
          subjectType: 'person',
          subjectId: input.childId,
          reason: input.reason,
        });
      }
    });
  },

  /**
   * R-G6, R-G7: one transaction keeps the evidence, the corrections, the guardianship, the parent's
   * place in the child's schools (parent chats) and the lifted restriction together. Idempotent.
   */
  async confirmGuardian(input: {
    childId: string;
    parentId: string;
    consent: { version: string; textHash: string };
    corrections: PersonCorrections;
    requestId?: string | undefined;
  }): Promise<void> {
    await inTransaction(pool, async (tx) => {
      const added = await addGuardianship(tx, input.childId, input.parentId).catch((err: unknown) => {
        // R-G3 held by the database (migration 760): a third parent is final, not worth a retry.
        if ((err as { constraint?: string }).constraint === 'guardianships_two_parents') {
          throw ApplicationFailure.nonRetryable('a child has at most two confirmed parents', 'third-parent');
        }
        throw err;
      });
      await recordConsent(tx, {
        childId: input.childId,
        parentId: input.parentId,
        textVersion: input.consent.version,
        textHash: input.consent.textHash,
        requestId: input.requestId,
        corrections: { ...input.corrections },
      });
      if (Object.keys(input.corrections).length > 0) await correctPerson(tx, input.childId, input.corrections);
      for (const r of await rolesOf(tx, input.childId)) {
        if (r.role === 'student') await grantSchoolRole(tx, { personId: input.parentId, schoolId: r.schoolId, classId: r.classId, role: 'parent' });
      }
      const lifted = await setRestricted(tx, input.childId, false);
      if (added) {
        await writeAudit(tx, {
          actor: input.parentId,
          actorRole: 'parent',
          action: 'guardian.confirmed',
          subjectType: 'person',
          subjectId: input.childId,
          details: { consentVersion: input.consent.version, corrected: Object.keys(input.corrections), restrictionLifted: lifted },
          requestId: input.requestId,
        });
      }
    });
  },
});
