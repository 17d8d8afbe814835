// Journal linking (R-L1..R-L4): a journal identity becomes a hub person's, with their messenger
// account; the chats they were pending for are joined at once (R-L2), and unlinking takes them out
// of the hub-managed memberships it gave them.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { isMessengerError, type BatchOutcome } from '../adapters/messenger/port.js';
import { recordAddOutcome } from '../db/repositories/messenger-invites.js';
import { writeAudit } from '../db/repositories/audit.js';
import { findPerson } from '../db/repositories/people.js';
import {
  clearPending,
  findJournalPerson,
  managedChatsOfUser,
  pendingChatsOf,
  recordAdded,
  forgetDeletedChat,
  isManagedMember,
  recordRemoved,
  type ManagedChat,
} from '../db/repositories/roster-sync.js';
import { inTransaction } from '../infra/postgres.js';
import { refuseJournalLink, type LinkCandidate } from '../sync/link-rules.js';
import { auditRefusal, evidenceFor, proofIdOf } from './link-proofs.js';
import { ROSTER_REFUSALS, type LinkRequest, type UnlinkRequest } from '../workflows/roster-definitions.js';
import type { ActivityDeps } from './deps.js';
import { ensureChatAtMessenger } from './messenger-chats.js';
import { castRosterError } from './roster-errors.js';

export interface LinkResult {
  messengerUserId: string;
  linkedAt: string;
}

const notLinked = () => ApplicationFailure.nonRetryable('the journal identity is not linked', ROSTER_REFUSALS.notLinked);

export const journalLinkActivities = ({ pool, messenger, logger }: ActivityDeps) => {
  const log = logger.child({ area: 'journal-link' });
  /** No run to report to here: a chat created again is logged and counted (ensureChatAtMessenger). */
  async function chatIdFor(chat: ManagedChat, connectionId: string, school: string): Promise<{ chatId: string; created: boolean }> {
    const heartbeat = () => Context.current().heartbeat();
    return ensureChatAtMessenger({ pool, messenger, log, heartbeat }, chat, { connectionId, school, via: 'link' });
  }

  /** R-C7: whether the account is in the chat already, put there by hand (then the hub does not own it). */
  async function isMember(chatId: string, userId: string): Promise<boolean> {
    for await (const page of messenger.listMembers(chatId)) if (page.some((m) => m.userId === userId)) return true;
    return false;
  }

  return {
    /** R-L1, R-L3: checks, then writes the link (idempotent for the same person). */
    async linkJournalIdentity(input: { connectionId: string; externalPersonId: string } & LinkRequest): Promise<LinkResult> {
      const person = await findPerson(pool, input.personId);
      if (!person) throw ApplicationFailure.nonRetryable('person not found', ROSTER_REFUSALS.journalPersonUnknown);
      const { rows: accountRows } = await pool.query(`SELECT messenger_user_id AS u FROM people WHERE id = $1`, [input.personId]);
      const messengerUserId = (accountRows[0] as { u: string | null } | undefined)?.u ?? null;
      const journal = await findJournalPerson(pool, input.connectionId, input.externalPersonId);
      const { rows: live } = await pool.query(
        `SELECT person_id AS "personId", messenger_user_id AS "messengerUserId", linked_at AS "linkedAt" FROM journal_links
          WHERE connection_id = $1 AND external_person_id = $2 AND unlinked_at IS NULL`,
        [input.connectionId, input.externalPersonId],
      );
      const existing = live[0] as { personId: string; messengerUserId: string | null; linkedAt: Date } | undefined;
      if (existing?.personId === input.personId) {
        // Their own link, kept while they had unbound their messenger account: nothing to join with yet.
        if (!existing.messengerUserId) throw ApplicationFailure.nonRetryable('no messenger account', ROSTER_REFUSALS.noMessengerAccount);
        return { messengerUserId: existing.messengerUserId, linkedAt: existing.linkedAt.toISOString() };
      }
      // The person's other live identities in this connection, and their roles in the hub's schools.
      const { rows: mine } = await pool.query(
        `SELECT external_person_id AS e FROM journal_links WHERE connection_id = $1 AND person_id = $2 AND unlinked_at IS NULL`,
        [input.connectionId, input.personId],
      );
      const { rows: parentRoles } = await pool.query(
        `SELECT 1 FROM school_roles r JOIN journal_connection_schools s ON s.school_id = r.school_id
          WHERE s.connection_id = $1 AND r.person_id = $2 AND r.role = 'parent'
            AND NOT EXISTS (SELECT 1 FROM school_roles x WHERE x.person_id = r.person_id AND x.school_id = r.school_id AND x.role = 'student')
          LIMIT 1`,
        [input.connectionId, input.personId],
      );
      const candidate: LinkCandidate = {
        personBirthDate: person.birthDate,
        messengerUserId,
        isParentInSchool: parentRoles.length > 0,
        otherIdentities: (mine as Array<{ e: string }>).map((r) => r.e),
        linkedToSomeoneElse: existing !== undefined,
      };
      // R-L5: the proof is taken (once) in the transaction that writes the link; a refusal rolls back and leaves it.
      const outcome = await inTransaction(pool, async (tx) => {
        const evidence = await evidenceFor(tx, input);
        if ('refusal' in evidence) return evidence;
        const refusal = refuseJournalLink(journal, candidate, evidence);
        if (refusal) return { refusal };
        const { rows } = await tx.query(
          `INSERT INTO journal_links (connection_id, external_person_id, person_id, messenger_user_id, linked_by)
           VALUES ($1, $2, $3, $4, $5) RETURNING linked_at AS "linkedAt"`,
          [input.connectionId, input.externalPersonId, input.personId, messengerUserId, input.actor],
        );
        await writeAudit(tx, {
          actor: input.actor,
          actorRole: input.actorRole,
          action: 'journal.linked',
          subjectType: 'person',
          subjectId: input.personId,
          reason: input.reason,
          details: { connectionId: input.connectionId, externalPersonId: input.externalPersonId, proof: evidence.method, ...proofIdOf(input) },
          requestId: input.requestId,
        });
        return { linkedAt: (rows[0] as { linkedAt: Date }).linkedAt };
      });
      if ('refusal' in outcome) {
        await auditRefusal(pool, input, outcome.refusal);
        throw ApplicationFailure.nonRetryable(outcome.refusal.message, outcome.refusal.code, outcome.refusal.params);
      }
      const { linkedAt } = outcome;
      return { messengerUserId: messengerUserId!, linkedAt: linkedAt.toISOString() };
    },

    /** R-L2: every chat the person was pending for, joined now (not at the next night's run). */
    async joinPendingChats(input: { connectionId: string; externalPersonId: string; messengerUserId: string }): Promise<{ joined: number; refused: number; invited: number }> {
      // R-A7: a restricted person (linked by support meanwhile) stays pending until a parent confirms.
      const { rows: holder } = await pool.query(
        `SELECT p.restricted FROM journal_links l JOIN people p ON p.id = l.person_id
          WHERE l.connection_id = $1 AND l.external_person_id = $2 AND l.unlinked_at IS NULL`,
        [input.connectionId, input.externalPersonId],
      );
      if ((holder[0] as { restricted: boolean } | undefined)?.restricted) return { joined: 0, refused: 0, invited: 0 };
      const chats = await pendingChatsOf(pool, input.connectionId, input.externalPersonId);
      let joined = 0;
      let refused = 0;
      // Of the joined chats, those where the messenger only invited the person by the chat's link
      // (VK community token): not members until they follow it (issue 13).
      let invited = 0;
      for (const chat of chats) {
        const row = await pool.query(`SELECT school_external_id AS s FROM managed_chats WHERE id = $1`, [chat.id]);
        const school = (row.rows[0] as { s: string }).s;
        let chatId: string | undefined;
        let byHand = false;
        let ownedBefore = false;
        let outcome: BatchOutcome | undefined;
        try {
          const ensured = await chatIdFor(chat, input.connectionId, school);
          chatId = ensured.chatId;
          // R-C7: already in the chat, put there by hand, they stay unmanaged (an expulsion later leaves
          // them in). A chat made just now holds nobody; and a membership the hub recorded is its own,
          // also when an earlier attempt's add went through before it failed.
          ownedBefore = await isManagedMember(pool, chat.id, input.messengerUserId);
          byHand = !ownedBefore && !ensured.created && (await isMember(chatId, input.messengerUserId));
          if (!byHand) {
            // Recorded before the call, so that a retry after an add that went through knows it is ours.
            await recordAdded(pool, chat.id, [input.messengerUserId], null);
            outcome = await messenger.addMembers(chatId, [input.messengerUserId]);
          }
        } catch (e) {
          if (isMessengerError(e) && e.code === 'not-found') {
            // Gone in the messenger; the next run creates it again and adds the person then.
            if (chatId) await forgetDeletedChat(pool, chat.id, chatId);
            continue;
          }
          if (isMessengerError(e) && !e.retryable) {
            // This chat refuses for good (the bot lost its rights): the person stays pending there, the
            // run report shows the chat's error to the authority, and the other chats are still joined.
            if (!byHand && !ownedBefore) await recordRemoved(pool, chat.id, [input.messengerUserId]);
            refused++;
            continue;
          }
          throw castRosterError(e);
        }
        if (outcome?.refused.length) {
          // The messenger refuses this person here (privacy settings…): they stay pending, as for a refusing chat.
          if (!ownedBefore) await recordRemoved(pool, chat.id, [input.messengerUserId]);
          refused++;
          continue;
        }
        await inTransaction(pool, async (tx) => {
          // Issue 13: with invite links only (VK community token) the person is invited, link queued;
          // the membership noted before the call becomes an invitation.
          if (outcome?.invited.length) {
            invited++;
            if (!ownedBefore) await recordRemoved(tx, chat.id, [input.messengerUserId]);
            await recordAddOutcome(tx, { runId: null, school, chatKey: chat.chatKey }, chat.id, { ids: [], userIds: [input.messengerUserId] }, outcome);
          }
          await clearPending(tx, chat.id, input.externalPersonId);
        });
        joined++;
      }
      return { joined, refused, invited };
    },

    /**
     * Unlinking: the link ends, and the memberships the hub gave this account in the connection's
     * chats are removed, unless another live identity of the same account still holds it there (the
     * next run then sorts out which of those chats that identity belongs in).
     */
    async unlinkJournalIdentity(input: { connectionId: string; externalPersonId: string } & UnlinkRequest): Promise<{ removed: number }> {
      // With personId (a person unlinking their own link), someone else's live link is not theirs to end.
      const { rows } = await pool.query(
        `UPDATE journal_links SET unlinked_at = now(), unlink_reason = $3
          WHERE connection_id = $1 AND external_person_id = $2 AND unlinked_at IS NULL AND ($4::uuid IS NULL OR person_id = $4::uuid)
          RETURNING person_id AS "personId", messenger_user_id AS "messengerUserId"`,
        [input.connectionId, input.externalPersonId, input.reason, input.personId ?? null],
      );
      const ended = rows[0] as { personId: string; messengerUserId: string | null } | undefined;
      // No live link: on a first attempt the caller asked to unlink what is not linked; a retry
      // finishes what an earlier attempt began (that attempt may have ended the link already).
      if (!ended && Context.current().info.attempt === 1) throw notLinked();
      const { rows: previous } = ended
        ? { rows: [ended] }
        : await pool.query(
            `SELECT person_id AS "personId", messenger_user_id AS "messengerUserId" FROM journal_links
              WHERE connection_id = $1 AND external_person_id = $2 AND ($3::uuid IS NULL OR person_id = $3::uuid)
              ORDER BY unlinked_at DESC NULLS LAST LIMIT 1`,
            [input.connectionId, input.externalPersonId, input.personId ?? null],
          );
      const link = previous[0] as { personId: string; messengerUserId: string | null } | undefined;
      if (!link) throw notLinked();
      if (ended) {
        await writeAudit(pool, {
          actor: input.actor,
          actorRole: input.actorRole,
          action: 'journal.unlinked',
          subjectType: 'person',
          subjectId: link.personId,
          reason: input.reason,
          details: { connectionId: input.connectionId, externalPersonId: input.externalPersonId },
          requestId: input.requestId,
        });
      }
      // A link without a messenger account (unbound) holds no memberships to take back.
      if (!link.messengerUserId) return { removed: 0 };
      const messengerUserId = link.messengerUserId;
      const { rows: others } = await pool.query(
        `SELECT 1 FROM journal_links WHERE connection_id = $1 AND messenger_user_id = $2 AND unlinked_at IS NULL LIMIT 1`,
        [input.connectionId, messengerUserId],
      );
      if (others.length > 0) return { removed: 0 };
      let removed = 0;
      for (const chat of await managedChatsOfUser(pool, input.connectionId, messengerUserId)) {
        if (chat.messengerChatId) {
          try {
            await messenger.removeMembers(chat.messengerChatId, [messengerUserId]);
          } catch (e) {
            if (!(isMessengerError(e) && e.code === 'not-found')) throw castRosterError(e);
          }
        }
        await inTransaction(pool, async (tx) => {
          await recordRemoved(tx, chat.id, [messengerUserId]);
          // Still in the journal: listed as pending again until they link once more (R-L2).
          await tx.query(
            `INSERT INTO pending_members (chat_id, external_person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
            [chat.id, input.externalPersonId],
          );
        });
        removed++;
      }
      return { removed };
    },
  };
};
