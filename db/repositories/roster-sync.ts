// What reconciliation keeps in PostgreSQL between its activities: staged roster pages, the chats
// and memberships the hub manages (R-C7), pending members (R-C6), a run's planned changes and its
// per-chat report. Every write is idempotent so an activity retry is harmless.
import type { RosterRecord } from '../../adapters/journals/port.js';
import type { MessengerCallStats } from '../../adapters/messenger/port.js';
import type { ChatKind } from '../../domain/roster/chats.js';
import type { Queryable } from '../../infra/postgres.js';
import type { JournalPersonFacts } from '../../domain/roster/types.js';

// ---- staging -------------------------------------------------------------------------------------

export async function stageRecords(
  db: Queryable,
  runId: string,
  school: string,
  records: ReadonlyArray<{ key: string; record: RosterRecord }>,
): Promise<void> {
  if (records.length === 0) return;
  // One statement may not touch a row twice: the last copy of a key within the page wins.
  const byKey = new Map(records.map((r) => [r.key, r.record]));
  // The page travels as one JSON document: one JSON.stringify instead of quoting every element of
  // two SQL arrays (pg's array escaping was a visible share of the worker's CPU in bench profiles).
  await db.query(
    `INSERT INTO roster_staging (run_id, school_external_id, record_key, record)
     SELECT $1, $2, e->>0, e->1 FROM jsonb_array_elements($3::jsonb) AS e
     ON CONFLICT (run_id, school_external_id, record_key) DO UPDATE SET record = EXCLUDED.record`,
    [runId, school, JSON.stringify([...byKey])],
  );
}

/** Staged records in key order, page by page (keyset), so a large school is not one huge result. */
export async function* readStaged(
  db: Queryable,
  runId: string,
  school: string,
  pageSize = 5000,
): AsyncGenerator<RosterRecord[]> {
  let after = '';
  for (;;) {
    const { rows } = await db.query(
      `SELECT record_key AS key, record FROM roster_staging
        WHERE run_id = $1 AND school_external_id = $2 AND record_key > $3 ORDER BY record_key LIMIT $4`,
      [runId, school, after, pageSize],
    );
    if (rows.length === 0) return;
    yield rows.map((r: { record: RosterRecord }) => r.record);
    after = (rows[rows.length - 1] as { key: string }).key;
    if (rows.length < pageSize) return;
  }
}

export async function countStaged(db: Queryable, runId: string, school: string): Promise<number> {
  const { rows } = await db.query(
    `SELECT count(*)::int AS n FROM roster_staging WHERE run_id = $1 AND school_external_id = $2`,
    [runId, school],
  );
  return (rows[0] as { n: number }).n;
}

export async function dropStaged(db: Queryable, runId: string, school?: string): Promise<void> {
  await db.query(
    `DELETE FROM roster_staging WHERE run_id = $1 AND ($2::text IS NULL OR school_external_id = $2)`,
    [runId, school ?? null],
  );
}

// ---- journal people (R-L3) ---------------------------------------------------------------------

export async function replaceJournalPeople(
  db: Queryable,
  connectionId: string,
  school: string,
  people: readonly JournalPersonFacts[],
): Promise<void> {
  await db.query(
    // Only rows whose facts changed are written: a nightly run over an unchanged journal writes none.
    `INSERT INTO journal_people (connection_id, school_external_id, external_id, roles, display_name, birth_date, guardian_ids, changed_at)
     SELECT $1, $2, e, string_to_array(r, ','), n, b::date, coalesce(string_to_array(nullif(g, ''), ','), '{}'), now()
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS t(e, r, n, b, g)
     ON CONFLICT (connection_id, school_external_id, external_id) DO UPDATE
       SET roles = EXCLUDED.roles, display_name = EXCLUDED.display_name, birth_date = EXCLUDED.birth_date,
           guardian_ids = EXCLUDED.guardian_ids, changed_at = now()
       WHERE (journal_people.roles, journal_people.display_name, journal_people.birth_date, journal_people.guardian_ids)
             IS DISTINCT FROM (EXCLUDED.roles, EXCLUDED.display_name, EXCLUDED.birth_date, EXCLUDED.guardian_ids)`,
    [
      connectionId,
      school,
      people.map((p) => p.externalId),
      people.map((p) => p.roles.join(',')),
      people.map((p) => p.displayName),
      people.map((p) => p.birthDate),
      people.map((p) => p.guardianIds.join(',')),
    ],
  );
  // Someone who left the school (no role any more) is no longer described by it.
  await db.query(
    `DELETE FROM journal_people WHERE connection_id = $1 AND school_external_id = $2 AND NOT (external_id = ANY($3::text[]))`,
    [connectionId, school, people.map((p) => p.externalId)],
  );
}

export interface JournalPersonRow extends JournalPersonFacts {
  schoolExternalId: string;
}

export async function findJournalPerson(
  db: Queryable,
  connectionId: string,
  externalId: string,
): Promise<JournalPersonRow[]> {
  const { rows } = await db.query(
    `SELECT school_external_id AS "schoolExternalId", external_id AS "externalId", roles, display_name AS "displayName",
            to_char(birth_date, 'YYYY-MM-DD') AS "birthDate", guardian_ids AS "guardianIds"
       FROM journal_people WHERE connection_id = $1 AND external_id = $2`,
    [connectionId, externalId],
  );
  return rows as JournalPersonRow[];
}

// ---- managed chats and memberships (R-C7) --------------------------------------------------------

export interface ManagedChat {
  id: string;
  chatKey: string;
  kind: ChatKind;
  title: string;
  messengerChatId: string | null;
}

const chatColumns = `id, chat_key AS "chatKey", kind, title, messenger_chat_id AS "messengerChatId"`;

export async function upsertManagedChats(
  db: Queryable,
  connectionId: string,
  school: string,
  chats: ReadonlyArray<{ key: string; kind: ChatKind; title: string }>,
): Promise<void> {
  if (chats.length === 0) return;
  await db.query(
    `INSERT INTO managed_chats (connection_id, school_external_id, chat_key, kind, title)
     SELECT $1, $2, k, kd, t FROM unnest($3::text[], $4::text[], $5::text[]) AS x(k, kd, t)
     ON CONFLICT (connection_id, school_external_id, chat_key) DO UPDATE
       SET title = EXCLUDED.title, updated_at = now()
       WHERE managed_chats.title IS DISTINCT FROM EXCLUDED.title`,
    [connectionId, school, chats.map((c) => c.key), chats.map((c) => c.kind), chats.map((c) => c.title)],
  );
}

export async function listManagedChats(
  db: Queryable,
  connectionId: string,
  school: string,
): Promise<ManagedChat[]> {
  const { rows } = await db.query(
    `SELECT ${chatColumns} FROM managed_chats WHERE connection_id = $1 AND school_external_id = $2 ORDER BY chat_key`,
    [connectionId, school],
  );
  return rows as ManagedChat[];
}

export async function findManagedChat(
  db: Queryable,
  chatId: string,
): Promise<(ManagedChat & { connectionId: string; schoolExternalId: string }) | undefined> {
  const { rows } = await db.query(
    `SELECT ${chatColumns}, connection_id AS "connectionId", school_external_id AS "schoolExternalId" FROM managed_chats WHERE id = $1`,
    [chatId],
  );
  return rows[0] as (ManagedChat & { connectionId: string; schoolExternalId: string }) | undefined;
}

/**
 * Stores the messenger's chat id the moment it exists, so a retry finds it instead of creating again,
 * and clears the create marker (migration 600): the create it stood for is recorded. A stored id is
 * never overwritten: the id that stands is answered, and one that is not `messengerChatId` means the
 * chat just made is a duplicate of it (only possible for a create made without the claim,
 * chat-create-claim.ts).
 */
export async function storeMessengerChatId(db: Queryable, chatId: string, messengerChatId: string): Promise<string> {
  const { rows } = await db.query(
    `UPDATE managed_chats c SET messenger_chat_id = coalesce(c.messenger_chat_id, $2),
            create_requested_at = CASE WHEN c.messenger_chat_id IS NULL THEN NULL ELSE c.create_requested_at END,
            updated_at = now()
      WHERE c.id = $1 RETURNING c.messenger_chat_id AS id`,
    [chatId, messengerChatId],
  );
  const stored = (rows[0] as { id: string } | undefined)?.id;
  if (stored === undefined) throw new Error(`managed chat ${chatId} not found`);
  return stored;
}

/**
 * The messenger says chat `goneId` does not exist (deleted by hand): the hub forgets it and the
 * memberships it held there, so that the chat is created again. Only while `goneId` is still the
 * stored id: a worker that already made the new chat keeps it (a late not-found about the old one
 * must not wipe it). No marker is left either, so creating it again is not reported as a duplicate.
 * Answers whether it forgot.
 */
export async function forgetDeletedChat(db: Queryable, chatId: string, goneId: string): Promise<boolean> {
  const { rows } = await db.query(
    `WITH gone AS (
        UPDATE managed_chats SET messenger_chat_id = NULL, create_requested_at = NULL, updated_at = now()
         WHERE id = $1 AND messenger_chat_id = $2 RETURNING id),
          m AS (DELETE FROM managed_memberships WHERE chat_id IN (SELECT id FROM gone))
     SELECT count(*)::int AS n FROM gone`,
    [chatId, goneId],
  );
  return (rows[0] as { n: number }).n > 0;
}

/**
 * Notes that a createChat is about to be sent for this chat (migration 600). Run it on its own (not in
 * a transaction held across the call), so the note is committed before the request leaves; under the
 * chat's create claim (chat-create-claim.ts), so that a note found is never a create still in flight. Answers the
 * messenger id when one was stored meanwhile (then nothing is noted and nothing needs creating), and
 * when an earlier create was noted and never recorded (`requestedBefore`): that one may have made a chat.
 */
export async function noteChatCreateRequested(
  db: Queryable,
  chatId: string,
): Promise<{ messengerChatId: string | null; requestedBefore: Date | null }> {
  const { rows } = await db.query(
    `UPDATE managed_chats c SET create_requested_at = coalesce(prev.create_requested_at, now())
       FROM (SELECT id, create_requested_at FROM managed_chats WHERE id = $1 FOR UPDATE) prev
      WHERE c.id = prev.id AND c.messenger_chat_id IS NULL
     RETURNING prev.create_requested_at AS "requestedBefore"`,
    [chatId],
  );
  const noted = rows[0] as { requestedBefore: Date | null } | undefined;
  if (noted) return { messengerChatId: null, requestedBefore: noted.requestedBefore };
  const { rows: found } = await db.query(`SELECT messenger_chat_id AS id FROM managed_chats WHERE id = $1`, [chatId]);
  const id = (found[0] as { id: string | null } | undefined)?.id ?? null;
  if (id === null) throw new Error(`managed chat ${chatId} not found`);
  return { messengerChatId: id, requestedBefore: null };
}

/** The createChat just noted was refused for sure (nothing was made): forget the note. */
export async function clearChatCreateRequested(db: Queryable, chatId: string): Promise<void> {
  await db.query(`UPDATE managed_chats SET create_requested_at = NULL WHERE id = $1 AND messenger_chat_id IS NULL`, [chatId]);
}

/** Sorted managed member ids of every chat of a school, by chat id (one query instead of one per chat). */
export async function managedMembersOfSchool(
  db: Queryable,
  connectionId: string,
  school: string,
): Promise<Map<string, string[]>> {
  const { rows } = await db.query(
    `SELECT m.chat_id AS c, array_agg(m.messenger_user_id) AS u FROM managed_memberships m JOIN managed_chats c ON c.id = m.chat_id
      WHERE c.connection_id = $1 AND c.school_external_id = $2 GROUP BY m.chat_id`,
    [connectionId, school],
  );
  return new Map((rows as Array<{ c: string; u: string[] }>).map((r) => [r.c, r.u.sort()]));
}

export async function countManagedMembers(
  db: Queryable,
  connectionId: string,
  school: string,
): Promise<number> {
  const { rows } = await db.query(
    // Joined only (migration 700): an invitation nobody used is not a member the guard must protect.
    `SELECT count(*)::int AS n FROM managed_memberships m JOIN managed_chats c ON c.id = m.chat_id
      WHERE c.connection_id = $1 AND c.school_external_id = $2 AND m.state = 'joined'`,
    [connectionId, school],
  );
  return (rows[0] as { n: number }).n;
}

export async function recordAdded(
  db: Queryable,
  chatId: string,
  userIds: readonly string[],
  runId: string | null,
): Promise<void> {
  await db.query(
    `INSERT INTO managed_memberships (chat_id, messenger_user_id, added_by_run)
     SELECT $1, u, $3 FROM unnest($2::text[]) AS u ON CONFLICT DO NOTHING`,
    [chatId, userIds, runId],
  );
}

export async function recordRemoved(
  db: Queryable,
  chatId: string,
  userIds: readonly string[],
): Promise<void> {
  await db.query(
    `DELETE FROM managed_memberships WHERE chat_id = $1 AND messenger_user_id = ANY($2::text[])`,
    [chatId, userIds],
  );
}

export async function isManagedMember(db: Queryable, chatId: string, userId: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM managed_memberships WHERE chat_id = $1 AND messenger_user_id = $2`, [chatId, userId]);
  return rows.length > 0;
}

/** Managed memberships of one messenger account in a connection's chats (unlinking removes these). */
export async function managedChatsOfUser(
  db: Queryable,
  connectionId: string,
  userId: string,
): Promise<ManagedChat[]> {
  const { rows } = await db.query(
    `SELECT ${chatColumns.replace(/(^|, )(\w+)/g, '$1c.$2')} FROM managed_chats c JOIN managed_memberships m ON m.chat_id = c.id
      WHERE c.connection_id = $1 AND m.messenger_user_id = $2 ORDER BY c.chat_key`,
    [connectionId, userId],
  );
  return rows as ManagedChat[];
}

// ---- links and pending members (R-C6, R-L2) -------------------------------------------------------

/**
 * Live links of the given journal identities that may be in chats: external id → messenger user id.
 * A person who unbound their account has none. A person restricted for want of a parent's confirmation
 * (R-A7) is left out, so the run lists them as pending and takes them out of the chats it manages; the
 * first run after a parent confirms puts them back.
 */
export async function linkedUsers(
  db: Queryable,
  connectionId: string,
  externalIds: readonly string[],
): Promise<Map<string, string>> {
  const { rows } = await db.query(
    `SELECT l.external_person_id AS e, l.messenger_user_id AS u FROM journal_links l JOIN people p ON p.id = l.person_id
      WHERE l.connection_id = $1 AND l.unlinked_at IS NULL AND l.messenger_user_id IS NOT NULL AND l.external_person_id = ANY($2::text[]) AND NOT p.restricted`,
    [connectionId, externalIds],
  );
  return new Map((rows as Array<{ e: string; u: string }>).map((r) => [r.e, r.u]));
}

/** Pending members (R-C6) of many chats at once: each listed chat's pending set becomes exactly its pairs. */
export async function replacePendingOfChats(
  db: Queryable,
  chatIds: readonly string[],
  pending: ReadonlyArray<{ chatId: string; externalId: string }>,
  runId: string,
): Promise<void> {
  if (chatIds.length === 0) return;
  const chats = pending.map((p) => p.chatId);
  const people = pending.map((p) => p.externalId);
  await db.query(
    `DELETE FROM pending_members p WHERE p.chat_id = ANY($1::uuid[])
        AND NOT EXISTS (SELECT 1 FROM unnest($2::uuid[], $3::text[]) AS k(c, e) WHERE k.c = p.chat_id AND k.e = p.external_person_id)`,
    [chatIds, chats, people],
  );
  if (pending.length === 0) return;
  await db.query(
    `INSERT INTO pending_members (chat_id, external_person_id, run_id) SELECT c, e, $3 FROM unnest($1::uuid[], $2::text[]) AS k(c, e)
     ON CONFLICT DO NOTHING`,
    [chats, people, runId],
  );
}

export async function pendingChatsOf(
  db: Queryable,
  connectionId: string,
  externalId: string,
): Promise<ManagedChat[]> {
  const { rows } = await db.query(
    `SELECT ${chatColumns.replace(/(^|, )(\w+)/g, '$1c.$2')} FROM managed_chats c JOIN pending_members p ON p.chat_id = c.id
      WHERE c.connection_id = $1 AND p.external_person_id = $2 ORDER BY c.chat_key`,
    [connectionId, externalId],
  );
  return rows as ManagedChat[];
}

export async function clearPending(db: Queryable, chatId: string, externalId: string): Promise<void> {
  await db.query(`DELETE FROM pending_members WHERE chat_id = $1 AND external_person_id = $2`, [
    chatId,
    externalId,
  ]);
}

// ---- a run's plan and report -----------------------------------------------------------------------

export interface PlannedChange {
  chatId: string;
  op: 'add' | 'remove';
  userId: string;
}

/** Replaces the school's not-yet-applied plan (a re-plan after a retry must not leave stale rows). */
export async function replacePlannedChanges(
  db: Queryable,
  runId: string,
  school: string,
  changes: readonly PlannedChange[],
): Promise<void> {
  await db.query(
    `DELETE FROM sync_run_changes WHERE run_id = $1 AND school_external_id = $2 AND applied_at IS NULL`,
    [runId, school],
  );
  if (changes.length === 0) return;
  await db.query(
    `INSERT INTO sync_run_changes (run_id, school_external_id, chat_id, op, messenger_user_id)
     SELECT $1, $2, c, o, u FROM unnest($3::uuid[], $4::text[], $5::text[]) AS t(c, o, u)
     ON CONFLICT DO NOTHING`,
    [runId, school, changes.map((c) => c.chatId), changes.map((c) => c.op), changes.map((c) => c.userId)],
  );
}

export interface ChangeGroup {
  chatId: string;
  op: 'add' | 'remove';
  ids: string[];
  userIds: string[];
}

/** The next unapplied changes of one chat and op, at most `limit` (one messenger call). */
export async function nextChangeGroup(
  db: Queryable,
  runId: string,
  school: string,
  limit: number,
): Promise<ChangeGroup | undefined> {
  const { rows } = await db.query(
    `WITH first AS (
        SELECT chat_id, op FROM sync_run_changes
         WHERE run_id = $1 AND school_external_id = $2 AND applied_at IS NULL AND error IS NULL
         ORDER BY chat_id, op DESC LIMIT 1)
     SELECT s.chat_id AS "chatId", s.op, array_agg(s.id::text ORDER BY s.id) AS ids,
            array_agg(s.messenger_user_id ORDER BY s.id) AS "userIds"
       FROM (SELECT c.* FROM sync_run_changes c JOIN first f USING (chat_id, op)
              WHERE c.run_id = $1 AND c.school_external_id = $2 AND c.applied_at IS NULL AND c.error IS NULL
              ORDER BY c.id LIMIT $3) s
      GROUP BY s.chat_id, s.op`,
    [runId, school, limit],
  );
  return rows[0] as ChangeGroup | undefined;
}

export async function countUnapplied(db: Queryable, runId: string, school: string): Promise<number> {
  const { rows } = await db.query(
    `SELECT count(*)::int AS n FROM sync_run_changes WHERE run_id = $1 AND school_external_id = $2 AND applied_at IS NULL AND error IS NULL`,
    [runId, school],
  );
  return (rows[0] as { n: number }).n;
}

/** Marks a group applied and bumps the chat's applied counters; call in the transaction that records memberships. */
/**
 * A batch the messenger took: its managed memberships, its change rows marked applied and the chat's
 * report counters, in ONE statement (atomic on its own: no BEGIN/COMMIT round trips per batch).
 */
export async function recordGroupApplied(
  db: Queryable,
  runId: string,
  school: string,
  chatKey: string,
  g: ChangeGroup,
): Promise<void> {
  const membership =
    g.op === 'add'
      ? `INSERT INTO managed_memberships (chat_id, messenger_user_id, added_by_run)
         SELECT $4::uuid, u, $1::uuid FROM unnest($5::text[]) AS u ON CONFLICT DO NOTHING`
      : `DELETE FROM managed_memberships WHERE chat_id = $4::uuid AND messenger_user_id = ANY($5::text[])`;
  await db.query(
    `WITH m AS (${membership}),
          c AS (UPDATE sync_run_changes SET applied_at = now() WHERE id = ANY($6::bigint[]) AND applied_at IS NULL)
     UPDATE sync_run_chats SET applied_adds = applied_adds + $7, applied_removes = applied_removes + $8
      WHERE run_id = $1 AND school_external_id = $2 AND chat_key = $3`,
    [runId, school, chatKey, g.chatId, g.userIds, g.ids, g.op === 'add' ? g.ids.length : 0, g.op === 'remove' ? g.ids.length : 0],
  );
}

export async function markGroupFailed(
  db: Queryable,
  runId: string,
  school: string,
  chatKey: string,
  g: ChangeGroup,
  error: unknown,
): Promise<void> {
  const text = typeof error === 'string' ? error : JSON.stringify(error);
  await db.query(`UPDATE sync_run_changes SET error = $2 WHERE id = ANY($1::bigint[])`, [g.ids, text]);
  await db.query(
    `UPDATE sync_run_chats SET errors = errors + $4, error_detail = $5::jsonb
      WHERE run_id = $1 AND school_external_id = $2 AND chat_key = $3`,
    [runId, school, chatKey, g.ids.length, JSON.stringify(error)],
  );
}

/** Not applied, and never will be (the operator discarded a held school). */
export async function discardPlannedChanges(db: Queryable, runId: string, school: string): Promise<void> {
  await db.query(
    `DELETE FROM sync_run_changes WHERE run_id = $1 AND school_external_id = $2 AND applied_at IS NULL`,
    [runId, school],
  );
}

export interface RunChatRow {
  chatKey: string;
  title: string;
  adds: number;
  removes: number;
  pending: number;
  handKept: number;
  /** Invited members still not in the chat (migration 700). */
  invitedWaiting?: number;
  /** Invited members a listing showed inside this run. */
  joinedFromInvites?: number;
}

export async function replaceRunChats(
  db: Queryable,
  runId: string,
  school: string,
  chats: readonly RunChatRow[],
): Promise<void> {
  await db.query(`DELETE FROM sync_run_chats WHERE run_id = $1 AND school_external_id = $2`, [runId, school]);
  if (chats.length === 0) return;
  await db.query(
    `INSERT INTO sync_run_chats (run_id, school_external_id, chat_key, title, adds, removes, pending, hand_kept, invited_waiting, joined_from_invites)
     SELECT $1, $2, k, t, a, r, p, h, i, j
       FROM unnest($3::text[], $4::text[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[], $10::int[]) AS x(k, t, a, r, p, h, i, j)`,
    [
      runId,
      school,
      chats.map((c) => c.chatKey),
      chats.map((c) => c.title),
      chats.map((c) => c.adds),
      chats.map((c) => c.removes),
      chats.map((c) => c.pending),
      chats.map((c) => c.handKept),
      chats.map((c) => c.invitedWaiting ?? 0),
      chats.map((c) => c.joinedFromInvites ?? 0),
    ],
  );
}

/**
 * Adds one warning to the school's line of the run's report, unless the same one is there already
 * (an activity retry). upsertRunSchool's `warnings` replaces the list (the plan's warnings); this
 * appends to it.
 */
export async function addRunSchoolWarning(
  db: Queryable,
  runId: string,
  school: string,
  warning: Record<string, unknown>,
): Promise<void> {
  await db.query(
    `INSERT INTO sync_run_schools (run_id, school_external_id, warnings) VALUES ($1, $2, jsonb_build_array($3::jsonb))
     ON CONFLICT (run_id, school_external_id) DO UPDATE SET warnings = sync_run_schools.warnings || EXCLUDED.warnings
      WHERE NOT sync_run_schools.warnings @> EXCLUDED.warnings`,
    [runId, school, JSON.stringify(warning)],
  );
}

export type RunSchoolStatus =
  'reading' | 'planned' | 'held' | 'applying' | 'applied' | 'discarded' | 'failed';

export async function upsertRunSchool(
  db: Queryable,
  runId: string,
  school: string,
  patch: Partial<{
    status: RunSchoolStatus;
    rowsRead: number;
    managedMembers: number;
    removes: number;
    readMs: number;
    planMs: number;
    addApplyMs: number;
    warnings: unknown[];
    /** Messenger calls of one apply attempt, added to the school's (migration 450). */
    addMessenger: MessengerCallStats;
  }>,
): Promise<void> {
  const m = patch.addMessenger;
  await db.query(
    `INSERT INTO sync_run_schools (run_id, school_external_id, status, rows_read, managed_members, removes, read_ms, plan_ms, apply_ms, warnings)
     VALUES ($1, $2, coalesce($3, 'reading'), coalesce($4, 0), coalesce($5, 0), coalesce($6, 0), coalesce($7, 0), coalesce($8, 0), coalesce($9, 0), coalesce($10::jsonb, '[]'))
     ON CONFLICT (run_id, school_external_id) DO UPDATE SET
       status = coalesce($3, sync_run_schools.status),
       rows_read = coalesce($4, sync_run_schools.rows_read),
       managed_members = coalesce($5, sync_run_schools.managed_members),
       removes = coalesce($6, sync_run_schools.removes),
       read_ms = coalesce($7, sync_run_schools.read_ms),
       plan_ms = coalesce($8, sync_run_schools.plan_ms),
       apply_ms = sync_run_schools.apply_ms + coalesce($9, 0),
       warnings = coalesce($10::jsonb, sync_run_schools.warnings),
       messenger_calls = sync_run_schools.messenger_calls + $11,
       messenger_retries = sync_run_schools.messenger_retries + $12,
       messenger_rate_limited = sync_run_schools.messenger_rate_limited + $13,
       messenger_server_errors = sync_run_schools.messenger_server_errors + $14,
       messenger_timeouts = sync_run_schools.messenger_timeouts + $15,
       messenger_network_errors = sync_run_schools.messenger_network_errors + $16,
       messenger_waited_ms = sync_run_schools.messenger_waited_ms + $17`,
    [
      runId,
      school,
      patch.status ?? null,
      patch.rowsRead ?? null,
      patch.managedMembers ?? null,
      patch.removes ?? null,
      patch.readMs ?? null,
      patch.planMs ?? null,
      patch.addApplyMs ?? null,
      patch.warnings ? JSON.stringify(patch.warnings) : null,
      m?.calls ?? 0,
      m?.retries ?? 0,
      m?.rateLimited ?? 0,
      m?.serverErrors ?? 0,
      m?.timeouts ?? 0,
      m?.networkErrors ?? 0,
      Math.round(m?.waitedMs ?? 0),
    ],
  );
}
