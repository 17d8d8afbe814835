import type { InviteStatus } from '../domain/invites.js';
import { writeAudit } from '../db/repositories/audit.js';
import { setInviteStatus } from '../db/repositories/invites.js';
import { inTransaction } from '../infra/postgres.js';
import type { ActivityDeps } from './deps.js';

export const inviteActivities = ({ pool }: ActivityDeps) => ({
  /** Idempotent: a retry after the status was written leaves one row and one audit entry. */
  async recordInviteStatus(input: { inviteId: string; status: InviteStatus; actor: string; reason?: string | undefined }) {
    await inTransaction(pool, async (tx) => {
      const changed = await setInviteStatus(tx, input.inviteId, input.status);
      if (changed) {
        await writeAudit(tx, {
          actor: input.actor,
          action: `invite.${input.status}`,
          subjectType: 'invite',
          subjectId: input.inviteId,
          reason: input.reason,
        });
      }
    });
  },
});
