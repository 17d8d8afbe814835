// R-A7 in the chats: the moment a child is restricted for want of a parent's confirmation, the hub
// takes their messenger account out of every chat it manages for them and lists them as pending
// there, as unlinking does (activities/journal-links.ts). Reconciliation keeps them out while the
// restriction lasts (linkedUsers) and puts them back on its first run after a parent confirms.
import { isMessengerError } from '../adapters/messenger/port.js';
import { findPerson } from '../db/repositories/people.js';
import { managedChatsOfUser, recordRemoved } from '../db/repositories/roster-sync.js';
import { inTransaction } from '../infra/postgres.js';
import type { ActivityDeps } from './deps.js';
import { castRosterError } from './roster-errors.js';

export const restrictionActivities = ({ pool, messenger, logger }: ActivityDeps) => ({
  /** Idempotent: a retry finds the memberships already gone; a child confirmed meanwhile is left alone. */
  async withdrawRestrictedFromChats(input: { childId: string }): Promise<{ removed: number; refused: number }> {
    const person = await findPerson(pool, input.childId);
    if (!person?.restricted) return { removed: 0, refused: 0 };
    const { rows: links } = await pool.query(
      `SELECT connection_id AS "connectionId", external_person_id AS "externalId", messenger_user_id AS "userId"
         FROM journal_links WHERE person_id = $1 AND unlinked_at IS NULL ORDER BY id`,
      [input.childId],
    );
    let removed = 0;
    let refused = 0;
    for (const link of links as Array<{ connectionId: string; externalId: string; userId: string }>) {
      for (const chat of await managedChatsOfUser(pool, link.connectionId, link.userId)) {
        if (chat.messengerChatId) {
          try {
            await messenger.removeMembers(chat.messengerChatId, [link.userId]);
          } catch (e) {
            if (isMessengerError(e) && !e.retryable && e.code !== 'not-found') {
              // This chat refuses for good (the bot lost its rights): the run's report shows the chat's
              // error to the authority, and that run removes the child once the chat answers again.
              refused++;
              continue;
            }
            if (!(isMessengerError(e) && e.code === 'not-found')) throw castRosterError(e);
          }
        }
        await inTransaction(pool, async (tx) => {
          await recordRemoved(tx, chat.id, [link.userId]);
          await tx.query(`INSERT INTO pending_members (chat_id, external_person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [chat.id, link.externalId]);
        });
        removed++;
      }
    }
    if (removed + refused > 0) logger.info({ person: input.childId, removed, refused }, 'restricted account taken out of managed chats');
    return { removed, refused };
  },
});
