import type { InviteStatus } from '../domain/invites.js';
import { writeAudit } from '../db/repositories/audit.js';
import { setInviteExpiry, setInviteStatus } from '../db/repositories/invites.js';
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

  /** Idempotent like recordInviteStatus: the same new expiry twice writes one audit entry. */
  async recordInviteExpiry(input: {
    inviteId: string;
    expiresAt: string;
    actor: string;
    actorRole?: string | undefined;
    reason?: string | undefined;
    requestId?: string | undefined;
  }) {
    await inTransaction(pool, async (tx) => {
      if (await setInviteExpiry(tx, input.inviteId, new Date(input.expiresAt))) {
        await writeAudit(tx, {
          actor: input.actor,
          actorRole: input.actorRole,
          action: 'invite.extended',
          subjectType: 'invite',
          subjectId: input.inviteId,
          reason: input.reason,
          details: { expiresAt: input.expiresAt },
          requestId: input.requestId,
        });
      }
    });
  },
});
