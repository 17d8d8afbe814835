// Invited memberships (migration 700, issue 13): where the messenger only lets the hub hand out a
// chat's invite link (VK community token), a person is `invited` until a listing shows them inside.
// Adds the messenger refused (privacy settings, unknown user) are kept on the run's change rows.
import type { BatchOutcome } from '../../adapters/messenger/port.js';
import type { Queryable } from '../../infra/postgres.js';
import type { ChangeGroup } from './roster-sync.js';

/** Invited (not yet joined) members of every chat of a school, by chat id. */
export async function invitedMembersOfSchool(
  db: Queryable,
  connectionId: string,
  school: string,
): Promise<Map<string, string[]>> {
  const { rows } = await db.query(
    `SELECT m.chat_id AS c, array_agg(m.messenger_user_id ORDER BY m.messenger_user_id) AS u
       FROM managed_memberships m JOIN managed_chats c ON c.id = m.chat_id
      WHERE c.connection_id = $1 AND c.school_external_id = $2 AND m.state = 'invited' GROUP BY m.chat_id`,
    [connectionId, school],
  );
  return new Map((rows as Array<{ c: string; u: string[] }>).map((r) => [r.c, r.u]));
}

/**
 * What a listing showed about a chat's invitations: `joined` are inside now (the membership is the hub's,
 * joined); `withdrawn` are no longer wanted and never came (the record goes; nobody leaves a chat).
 */
export async function settleInvites(
  db: Queryable,
  chatId: string,
  change: { joined: readonly string[]; withdrawn: readonly string[] },
): Promise<void> {
  if (change.joined.length > 0)
    await db.query(
      `UPDATE managed_memberships SET state = 'joined' WHERE chat_id = $1 AND state = 'invited' AND messenger_user_id = ANY($2::text[])`,
      [chatId, change.joined],
    );
  if (change.withdrawn.length > 0)
    await db.query(
      `DELETE FROM managed_memberships WHERE chat_id = $1 AND state = 'invited' AND messenger_user_id = ANY($2::text[])`,
      [chatId, change.withdrawn],
    );
}

/**
 * An add batch the messenger answered: each person added (joined), invited (membership `invited`, the
 * link queued in the outbox) or refused (the change row keeps VK's code and sentence). The change rows
 * are closed and the chat's report counters bumped in the same statement, as recordGroupApplied does.
 */
export async function recordAddOutcome(
  db: Queryable,
  run: { runId: string | null; school: string; chatKey: string },
  chatId: string,
  g: Pick<ChangeGroup, 'ids' | 'userIds'>,
  outcome: Pick<BatchOutcome, 'invited' | 'refused'>,
): Promise<{ added: number; invited: number; refused: number }> {
  const invited = new Map(outcome.invited.map((i) => [i.userId, i.inviteLink]));
  const refused = new Map(outcome.refused.map((r) => [r.userId, r]));
  const added = g.userIds.filter((u) => !invited.has(u) && !refused.has(u));
  const outcomes = g.userIds.map((u) => (invited.has(u) ? 'invited' : refused.has(u) ? 'refused' : 'added'));
  const errors = g.userIds.map((u) => {
    const r = refused.get(u);
    return r ? JSON.stringify({ code: 'refused', platformCode: r.code, message: r.reason }) : null;
  });
  await db.query(
    `WITH j AS (
        INSERT INTO managed_memberships (chat_id, messenger_user_id, added_by_run, state)
        SELECT $1::uuid, u, $2::uuid, 'joined' FROM unnest($3::text[]) AS u
        ON CONFLICT (chat_id, messenger_user_id) DO UPDATE SET state = 'joined'),
      i AS (
        INSERT INTO managed_memberships (chat_id, messenger_user_id, added_by_run, state, invite_link, invited_at)
        SELECT $1::uuid, u, $2::uuid, 'invited', l, now() FROM unnest($4::text[], $5::text[]) AS x(u, l)
        ON CONFLICT (chat_id, messenger_user_id) DO UPDATE SET invite_link = EXCLUDED.invite_link, invited_at = now()
          WHERE managed_memberships.state = 'invited'),
      o AS (
        INSERT INTO messenger_invite_outbox (chat_id, messenger_user_id, invite_link, run_id)
        SELECT $1::uuid, u, l, $2::uuid FROM unnest($4::text[], $5::text[]) AS x(u, l) ON CONFLICT DO NOTHING),
      c AS (
        UPDATE sync_run_changes s SET applied_at = now(), outcome = x.o, error = x.e
          FROM unnest($6::bigint[], $7::text[], $8::text[]) AS x(id, o, e)
         WHERE s.id = x.id AND s.applied_at IS NULL)
     UPDATE sync_run_chats SET applied_adds = applied_adds + $12, applied_invites = applied_invites + $13, refused = refused + $14
      WHERE run_id = $2::uuid AND school_external_id = $9 AND chat_key = $10 AND $11`,
    [
      chatId,
      run.runId,
      added,
      [...invited.keys()],
      [...invited.values()],
      g.ids,
      outcomes,
      errors,
      run.school,
      run.chatKey,
      run.runId !== null,
      added.length,
      invited.size,
      refused.size,
    ],
  );
  return { added: added.length, invited: invited.size, refused: refused.size };
}

export interface OutboxInvite {
  id: string;
  chatId: string;
  messengerUserId: string;
  inviteLink: string;
  createdAt: Date;
}

/** Invitations not delivered yet, oldest first (what a delivery channel will send). */
export async function unsentInvites(db: Queryable, limit = 100): Promise<OutboxInvite[]> {
  const { rows } = await db.query(
    `SELECT id::text, chat_id AS "chatId", messenger_user_id AS "messengerUserId", invite_link AS "inviteLink", created_at AS "createdAt"
       FROM messenger_invite_outbox WHERE sent_at IS NULL ORDER BY created_at, id LIMIT $1`,
    [limit],
  );
  return rows as OutboxInvite[];
}

export interface OutboxInviteView {
  chatTitle: string;
  messengerChatId: string | null;
  messengerUserId: string;
  inviteLink: string;
  createdAt: Date;
  sentAt: Date | null;
}

/** The outbox as the dev stack shows it (GET /v1/dev/invite-outbox): newest first, optionally for one VK user. */
export async function inviteOutbox(db: Queryable, q: { messengerUserId?: string; limit: number }): Promise<OutboxInviteView[]> {
  const { rows } = await db.query(
    `SELECT c.title AS "chatTitle", c.messenger_chat_id AS "messengerChatId", o.messenger_user_id AS "messengerUserId",
            o.invite_link AS "inviteLink", o.created_at AS "createdAt", o.sent_at AS "sentAt"
       FROM messenger_invite_outbox o JOIN managed_chats c ON c.id = o.chat_id
      WHERE ($1::text IS NULL OR o.messenger_user_id = $1) ORDER BY o.created_at DESC, o.id DESC LIMIT $2`,
    [q.messengerUserId ?? null, q.limit],
  );
  return rows as OutboxInviteView[];
}
