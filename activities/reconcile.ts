// Reconciliation activities (ARCHITECTURE "Reconciliation"; R-C1..R-C7). Each works on one school
// of one run, keeps its progress in PostgreSQL or in heartbeats, and can be retried at any point:
// staging upserts by record key, a re-plan replaces the unapplied plan, and a batch is marked
// applied in the same transaction that records the memberships, right after the messenger took it
// (a retry re-sends at most that one batch, which the messenger treats as a no-op).
import { performance } from 'node:perf_hooks';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { isJournalSourceError } from '../adapters/journals/errors.js';
import { recordKey, type JournalSource, type RosterRecord } from '../adapters/journals/port.js';
import { countMessengerCalls } from '../adapters/messenger/call-stats.js';
import {
  emptyStats,
  isMessengerError,
  type BatchOutcome,
  type Messenger,
  type MessengerMember,
} from '../adapters/messenger/port.js';
import { findConnection, type JournalConnection } from '../db/repositories/connections.js';
import { findCurrentExport } from '../db/repositories/journal-exports.js';
import {
  addRunSchoolWarning,
  countManagedMembers,
  countStaged,
  countUnapplied,
  discardPlannedChanges,
  dropStaged,
  linkedUsers,
  listManagedChats,
  managedMembersOfSchool,
  recordGroupApplied,
  markGroupFailed,
  nextChangeGroup,
  readStaged,
  replaceJournalPeople,
  replacePendingOfChats,
  replacePlannedChanges,
  replaceRunChats,
  forgetDeletedChat,
  stageRecords,
  upsertManagedChats,
  upsertRunSchool,
  findManagedChat,
  type PlannedChange,
  type RunChatRow,
} from '../db/repositories/roster-sync.js';
import {
  mergeSyncRunProgress,
  openSyncRun,
  refreshSyncRunTotals,
  setSyncRunStatus,
  type GuardReport,
  type SyncRunStatus,
} from '../db/repositories/sync-runs.js';
import { invitedMembersOfSchool, recordAddOutcome, settleInvites } from '../db/repositories/messenger-invites.js';
import { addRunSchoolCalls, setRunSchoolPlanSummary } from '../db/repositories/run-summary.js';
import { desiredChats, type ChatKind } from '../domain/roster/chats.js';
import { splitInvited } from '../domain/roster/invites.js';
import { massChangeGuard } from '../domain/roster/guard.js';
import { planChat } from '../domain/roster/plan.js';
import { sortedUnique } from '../domain/roster/sorted.js';
import { mapLimit } from '../infra/concurrency.js';
import { syncChangesApplied } from '../infra/metrics.js';
import { inTransaction, type Queryable } from '../infra/postgres.js';
import { journalPeopleFacts, readCounts, schoolRosterFromRecords } from '../sync/from-journal.js';
import { isFileKind } from '../sync/journal-exports.js';
import { busyRunOf, liveWriter } from '../sync/live-writer.js';
import type { BusyRun, ReconcileInput, SchoolPlanRef } from '../workflows/roster-definitions.js';
import type { ActivityDeps } from './deps.js';
import { pushChatTitles } from './chat-titles.js';
import { ensureChatAtMessenger } from './messenger-chats.js';
import { castRosterError } from './roster-errors.js';

export interface StageResult {
  rowsRead: number;
  readMs: number;
}

export interface PlanResult {
  chats: number;
  adds: number;
  removes: number;
  pending: number;
  handKept: number;
  managedMembers: number;
  mustConfirm: boolean;
  share: number | null;
  planMs: number;
}

export interface ApplyResult {
  applied: number;
  failed: number;
  remaining: number;
}

interface StageProgress {
  checkpoint?: string;
  rows: number;
  ms: number;
}

async function mustConnection(db: Queryable, id: string): Promise<JournalConnection> {
  const c = await findConnection(db, id);
  if (!c) throw ApplicationFailure.nonRetryable(`journal connection ${id} not found`, 'ConnectionNotFound');
  return c;
}

async function members(m: Messenger, chatId: string): Promise<MessengerMember[]> {
  const all: MessengerMember[] = [];
  for await (const page of m.listMembers(chatId)) all.push(...page);
  return all;
}

export const reconcileActivities = ({ pool, messenger, journals, logger }: ActivityDeps) => {
  const log = logger.child({ area: 'reconcile' });

  /**
   * Runs `work`, adding its messenger calls (retries, 429s, 5xx, timeouts) to the school's line of the
   * run's report, also when it fails: the calls happened all the same (issue 7).
   */
  async function countingCalls<T>(runId: string, school: string, work: () => Promise<T>, kind: 'messengerReads' | 'messengerWrites'): Promise<T> {
    const calls = emptyStats();
    try {
      return await countMessengerCalls(calls, work);
    } finally {
      if (calls.calls > 0) {
        await upsertRunSchool(pool, runId, school, { addMessenger: calls });
        // Reads (member listings while planning) apart from writes (creates, adds, removes): issue 16 item 6.
        await addRunSchoolCalls(pool, runId, school, kind, calls.calls);
      }
    }
  }

  /**
   * Creates the chat at the messenger when the hub has no id for it yet; stores the id at once. When an
   * earlier create was never recorded (marker of migration 600 still set), the chat is created again
   * and the run's report says so on the school's line (`chat-created-again`): a duplicate may exist.
   */
  async function ensureMessengerChat(
    chat: { id: string; chatKey: string; title: string; messengerChatId: string | null },
    run: { runId: string; connectionId: string; school: string },
  ): Promise<string> {
    const { chatId, created } = await ensureChatAtMessenger(
      { pool, messenger, log, heartbeat: () => Context.current().heartbeat() },
      chat,
      { connectionId: run.connectionId, school: run.school, via: 'reconcile' },
      (warning, db) => addRunSchoolWarning(db, run.runId, run.school, { ...warning }),
    );
    if (created) syncChangesApplied.inc({ op: 'create_chat' });
    return chatId;
  }

  return {
    /** Creates (or finds, on retry and after continue-as-new) the run row; lists the schools to reconcile. */
    async beginSyncRun(
      input: Omit<ReconcileInput, 'carry' | 'tuning' | 'confirmWithinMs'> & { workflowId: string },
    ): Promise<{ runId: string; threshold: number; schools: SchoolPlanRef[] } | { busy: BusyRun }> {
      const connection = await mustConnection(pool, input.connectionId);
      const open = () =>
        openSyncRun(pool, {
          connectionId: connection.id,
          workflowId: input.workflowId,
          kind: input.kind,
          dryRun: input.dryRun,
          scopeSchoolExternalId: input.scope?.schoolExternalId ?? null,
          scopePersonId: input.scope?.personId ?? null,
          requestedBy: input.requestedBy ?? null,
        });
      let opened = await open();
      if ('busy' in opened) {
        // A row left "running" by a workflow that no longer lives does not block; it is closed and we retry.
        const live = await liveWriter(pool, Context.current().client, connection.id);
        if (live) return { busy: busyRunOf(live) };
        opened = await open();
        if ('busy' in opened) return { busy: busyRunOf(opened.busy) };
      }
      const { run } = opened;
      let schools: SchoolPlanRef[] = connection.schools
        .filter((s) => s.enabled)
        .map((s) => ({ externalId: s.schoolExternalId, strict: s.strictMode ?? connection.strictMode }));
      try {
        let source: JournalSource | undefined;
        const sourceOf = async () => (source ??= await journals(connection));
        // No list configured: every school the journal gives this connection.
        if (connection.schools.length === 0) {
          schools = (await (await sourceOf()).listSchools()).map((s) => ({
            externalId: s.externalId,
            strict: connection.strictMode,
          }));
        }
        if (isFileKind(connection.kind)) {
          // Nothing to read, or settings the adapter refuses: found here, before any school starts.
          await sourceOf();
          // The upload check read the export whole: its counts and warnings (unknown columns, dates
          // that are not ISO 8601, teachers enrolled as students) go into the run's report.
          const checked = (await findCurrentExport(pool, connection.id))?.inspection;
          if (checked) await mergeSyncRunProgress(pool, run.id, { source: checked });
        }
      } catch (e) {
        const cast = castRosterError(e);
        // Nothing a retry could change (nothing to read, bad settings, refused keys): the run ends
        // now, saying why, and lets go of the connection (issue 16 item 6).
        if (cast instanceof ApplicationFailure && cast.nonRetryable) {
          const text = isJournalSourceError(e) ? e.text('ru') : cast.message;
          await setSyncRunStatus(pool, run.id, 'failed', { error: text, finished: true });
        }
        throw cast;
      }
      if (input.scope?.schoolExternalId)
        schools = schools.filter((s) => s.externalId === input.scope?.schoolExternalId);
      if (input.scope?.personId) {
        // Only the schools where this person's journal identities appear.
        const { rows } = await pool.query(
          `SELECT DISTINCT p.school_external_id AS s FROM journal_links l
             JOIN journal_people p ON p.connection_id = l.connection_id AND p.external_id = l.external_person_id
            WHERE l.connection_id = $1 AND l.person_id = $2 AND l.unlinked_at IS NULL`,
          [connection.id, input.scope.personId],
        );
        const mine = new Set((rows as Array<{ s: string }>).map((r) => r.s));
        schools = schools.filter((s) => mine.has(s.externalId));
      }
      schools.sort((a, b) => (a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0));
      await mergeSyncRunProgress(pool, run.id, { schoolsTotal: schools.length, schoolsDone: 0 });
      return { runId: run.id, threshold: connection.massRemovalShare ?? input.massRemovalShare, schools };
    },

    /**
     * Step 1: stream the school's roster into roster_staging, page by page. Heartbeats carry the
     * journal's checkpoint, so a retry (another worker after a crash) continues after the last page.
     */
    async stageSchoolRoster(input: {
      runId: string;
      connectionId: string;
      schoolExternalId: string;
    }): Promise<StageResult> {
      const ctx = Context.current();
      const resumed = ctx.info.heartbeatDetails as StageProgress | undefined;
      const progress: StageProgress = resumed ?? { rows: 0, ms: 0 };
      const started = performance.now();
      await upsertRunSchool(pool, input.runId, input.schoolExternalId, { status: 'reading' });
      const connection = await mustConnection(pool, input.connectionId);
      const source = await journals(connection);
      try {
        const pages = source.readRoster(
          input.schoolExternalId,
          progress.checkpoint ? { checkpoint: progress.checkpoint } : {},
        );
        for await (const page of pages) {
          await stageRecords(
            pool,
            input.runId,
            input.schoolExternalId,
            page.records.map((record: RosterRecord) => ({ key: recordKey(record), record })),
          );
          progress.rows += page.records.length;
          progress.checkpoint = page.checkpoint;
          ctx.heartbeat({ ...progress, ms: progress.ms + (performance.now() - started) });
          if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
        }
      } catch (e) {
        throw castRosterError(e);
      }
      const readMs = Math.round(progress.ms + (performance.now() - started));
      // Rows read counts what the journal sent (duplicates included); staged counts facts.
      const staged = await countStaged(pool, input.runId, input.schoolExternalId);
      await upsertRunSchool(pool, input.runId, input.schoolExternalId, { rowsRead: progress.rows, readMs });
      log.debug(
        { runId: input.runId, school: input.schoolExternalId, rows: progress.rows, staged },
        'roster staged',
      );
      return { rowsRead: progress.rows, readMs };
    },

    /**
     * Steps 2-4 for one school: desired chats from the staged roster (R-C1..C4), links and pending
     * (R-C6), actual membership from the messenger, the managed-only diff (R-C7, strict mode per
     * school), the stored plan and report, and the mass-change guard's verdict.
     */
    async planSchool(input: {
      runId: string;
      connectionId: string;
      school: SchoolPlanRef;
      threshold: number;
      dryRun: boolean;
      scopePersonId?: string;
      /** Chat member listings at once (ReconcileTuning.messengerReads). */
      messengerReads?: number;
    }): Promise<PlanResult> {
      const ctx = Context.current();
      const started = performance.now();
      const school = input.school.externalId;
      const records: RosterRecord[] = [];
      for await (const page of readStaged(pool, input.runId, school)) records.push(...page);
      const roster = schoolRosterFromRecords(school, records);
      const { chats: desired, warnings } = desiredChats(roster);
      await replaceJournalPeople(pool, input.connectionId, school, journalPeopleFacts(records));
      const read = readCounts(records);
      records.length = 0;

      await upsertManagedChats(
        pool,
        input.connectionId,
        school,
        desired.map((c) => ({ key: c.key, kind: c.kind, title: c.title })),
      );
      const managedChats = await listManagedChats(pool, input.connectionId, school);
      const desiredByKey = new Map(desired.map((c) => [c.key, c]));
      const managedMembers = await countManagedMembers(pool, input.connectionId, school);

      const everyone = sortedUnique(desired.flatMap((c) => c.personIds));
      const links = await linkedUsers(pool, input.connectionId, everyone);
      let only: Set<string> | undefined;
      if (input.scopePersonId) {
        const { rows } = await pool.query(
          `SELECT messenger_user_id AS u FROM journal_links WHERE person_id = $1 AND connection_id = $2 AND unlinked_at IS NULL
           UNION SELECT messenger_user_id FROM people WHERE id = $1 AND messenger_user_id IS NOT NULL`,
          [input.scopePersonId, input.connectionId],
        );
        only = new Set((rows as Array<{ u: string }>).map((r) => r.u));
      }

      // Every chat's actual membership, several listings at once: a school has ~180 chats and each
      // listing is a round trip, so one at a time leaves the worker waiting (bench/RESULTS.md).
      // One count of the messenger calls for the whole listing (the run's report, issue 7).
      const actualByChat = await countingCalls(input.runId, school, () =>
        mapLimit(managedChats, input.messengerReads ?? 8, async (chat): Promise<MessengerMember[]> => {
          if (!chat.messengerChatId) return [];
          try {
            return await members(messenger, chat.messengerChatId);
          } catch (e) {
            if (!(isMessengerError(e) && e.code === 'not-found')) throw castRosterError(e);
            // Deleted in the messenger: the hub owns nothing there any more and will create it again.
            if (!input.dryRun) await forgetDeletedChat(pool, chat.id, chat.messengerChatId);
            return [];
          } finally {
            ctx.heartbeat();
          }
        }),
        'messengerReads',
      );
      // Read after the listings: a chat found deleted above has just lost its managed members.
      const managedByChat = await managedMembersOfSchool(pool, input.connectionId, school);
      const invitedByChat = await invitedMembersOfSchool(pool, input.connectionId, school);
      const inviteChanges: Array<{ chatId: string; joined: string[]; withdrawn: string[] }> = [];

      const changes: PlannedChange[] = [];
      const report: RunChatRow[] = [];
      const pendingPairs: Array<{ chatId: string; externalId: string }> = [];
      const totals = { adds: 0, removes: 0, pending: 0, handKept: 0 };
      let chatsToCreate = 0;
      managedChats.forEach((chat, i) => {
        // A chat the journal no longer describes (class closed) is desired empty: its managed members go.
        const want = desiredByKey.get(chat.chatKey);
        const actual = actualByChat[i]!;
        // Strict mode never removes the chat's owner or admins (the hub's bot among them).
        const protectedIds = sortedUnique(actual.filter((m) => m.role !== 'member').map((m) => m.userId));
        const plan = planChat({
          personIds: want?.personIds ?? [],
          linkOf: (p) => links.get(p),
          managed: managedByChat.get(chat.id) ?? [],
          actual: sortedUnique(actual.map((m) => m.userId)),
          strict: input.school.strict,
          protectedIds,
        });
        // The bot and the chat's owner/admins are not "added by hand" for the report.
        const handKept = plan.handAddedKept.filter((u) => !protectedIds.includes(u)).length;
        // Issue 13: someone invited earlier is not invited again while the link is out; one a listing
        // shows inside has joined; one no longer wanted who never came has nothing to be removed from.
        const invites = splitInvited({
          invited: invitedByChat.get(chat.id) ?? [],
          actual: actual.map((m) => m.userId),
          adds: plan.adds,
        });
        if (invites.joined.length > 0 || invites.withdrawn.length > 0)
          inviteChanges.push({ chatId: chat.id, joined: invites.joined, withdrawn: invites.withdrawn });
        const adds = only ? invites.adds.filter((u) => only.has(u)) : invites.adds;
        const removes = only ? plan.removes.filter((u) => only.has(u)) : plan.removes;
        for (const u of adds) changes.push({ chatId: chat.id, op: 'add', userId: u });
        for (const u of removes) changes.push({ chatId: chat.id, op: 'remove', userId: u });
        for (const e of plan.pending) pendingPairs.push({ chatId: chat.id, externalId: e });
        report.push({
          chatKey: chat.chatKey,
          title: want?.title ?? chat.title,
          adds: adds.length,
          removes: removes.length,
          pending: plan.pending.length,
          handKept,
          invitedWaiting: invites.waiting.length,
          joinedFromInvites: invites.joined.length,
        });
        // A chat the hub has no messenger id for is created by its first add.
        if (!chat.messengerChatId && adds.length > 0) chatsToCreate++;
        totals.adds += adds.length;
        totals.removes += removes.length;
        totals.pending += plan.pending.length;
        totals.handKept += handKept;
      });
      if (!input.dryRun)
        await replacePendingOfChats(
          pool,
          managedChats.map((c) => c.id),
          pendingPairs,
          input.runId,
        );

      const verdict = massChangeGuard([{ schoolId: school, removes: totals.removes, managedMembers }], {
        threshold: input.threshold,
      });
      const over = verdict.over[0];
      const planMs = Math.round(performance.now() - started);
      await inTransaction(pool, async (tx) => {
        if (!input.dryRun) for (const c of inviteChanges) await settleInvites(tx, c.chatId, c);
        await replacePlannedChanges(tx, input.runId, school, changes);
        await replaceRunChats(tx, input.runId, school, report);
        await upsertRunSchool(tx, input.runId, school, {
          status: verdict.mustConfirm && !input.dryRun ? 'held' : 'planned',
          managedMembers,
          removes: totals.removes,
          planMs,
          warnings,
        });
      });
      await setRunSchoolPlanSummary(pool, input.runId, school, read, { chatsToCreate, adds: totals.adds, removes: totals.removes, pending: totals.pending });
      return {
        chats: report.length,
        ...totals,
        managedMembers,
        mustConfirm: verdict.mustConfirm,
        share: over ? (Number.isFinite(over.share) ? over.share : null) : null,
        planMs,
      };
    },

    /** Step 3, apply: up to `chunk` planned changes, one messenger call per chat and operation. */
    async applySchoolChanges(input: {
      runId: string;
      connectionId: string;
      schoolExternalId: string;
      chunk: number;
    }): Promise<ApplyResult> {
      const ctx = Context.current();
      const started = performance.now();
      const school = input.schoolExternalId;
      await upsertRunSchool(pool, input.runId, school, { status: 'applying' });
      let applied = 0;
      let failed = 0;
      try {
        await countingCalls(input.runId, school, async () => {
          await pushChatTitles({ pool, messenger, log }, input.connectionId, school);
          while (applied + failed < input.chunk) {
            const group = await nextChangeGroup(
              pool,
              input.runId,
              school,
              Math.min(messenger.maxBatchSize, input.chunk - applied - failed),
            );
            if (!group) break;
            const chat = await findManagedChat(pool, group.chatId);
            if (!chat)
              throw ApplicationFailure.nonRetryable(
                `managed chat ${group.chatId} vanished`,
                'ManagedChatNotFound',
              );
            // The messenger id the call went to, should the chat turn out to be gone.
            let chatId: string | undefined;
            let outcome: BatchOutcome | undefined;
            try {
              if (group.op === 'remove' && !chat.messengerChatId) {
                // Nothing to remove from a chat that does not exist any more.
              } else {
                chatId = await ensureMessengerChat(chat, {
                  runId: input.runId,
                  connectionId: input.connectionId,
                  school,
                });
                if (group.op === 'add') outcome = await messenger.addMembers(chatId, group.userIds);
                else await messenger.removeMembers(chatId, group.userIds);
              }
            } catch (e) {
              // A refused token fails every chat alike: the school (and the run) fails with its sentence.
              if (isMessengerError(e) && !e.retryable && e.code !== 'auth-failed') {
                // This chat refuses for good (deleted by hand, bot lost admin): report it, go on with the rest.
                await inTransaction(pool, async (tx) => {
                  await markGroupFailed(tx, input.runId, school, chat.chatKey, group, {
                    code: e.code,
                    message: e.message,
                  });
                  if (e.code === 'not-found' && chatId) await forgetDeletedChat(tx, chat.id, chatId);
                });
                failed += group.ids.length;
                continue;
              }
              throw e;
            }
            if (outcome && (outcome.invited.length > 0 || outcome.refused.length > 0)) {
              const n = await recordAddOutcome(pool, { runId: input.runId, school, chatKey: chat.chatKey }, chat.id, group, outcome);
              syncChangesApplied.inc({ op: 'add' }, n.added);
              syncChangesApplied.inc({ op: 'invite' }, n.invited);
            } else {
              await recordGroupApplied(pool, input.runId, school, chat.chatKey, group);
              syncChangesApplied.inc({ op: group.op }, group.ids.length);
            }
            applied += group.ids.length;
            ctx.heartbeat({ applied });
          }
        }, 'messengerWrites');
      } catch (e) {
        throw castRosterError(e);
      } finally {
        await upsertRunSchool(pool, input.runId, school, {
          addApplyMs: Math.round(performance.now() - started),
        });
      }
      const remaining = await countUnapplied(pool, input.runId, school);
      if (remaining === 0) await upsertRunSchool(pool, input.runId, school, { status: 'applied' });
      return { applied, failed, remaining };
    },

    /** A school is done: applied, planned only (dry run), discarded by the operator, or failed. */
    async closeSchool(input: {
      runId: string;
      schoolExternalId: string;
      status: 'applied' | 'planned' | 'discarded' | 'failed';
      error?: string;
    }): Promise<void> {
      await inTransaction(pool, async (tx) => {
        if (input.status === 'discarded' || input.status === 'failed')
          await discardPlannedChanges(tx, input.runId, input.schoolExternalId);
        await upsertRunSchool(tx, input.runId, input.schoolExternalId, { status: input.status });
        // Added to, not replacing, the plan's warnings and any chat-created-again one of the apply.
        if (input.error)
          await addRunSchoolWarning(tx, input.runId, input.schoolExternalId, { code: 'failed', message: input.error });
        await dropStaged(tx, input.runId, input.schoolExternalId);
      });
    },

    async noteRunProgress(input: { runId: string; schoolsDone: number }): Promise<void> {
      await mergeSyncRunProgress(pool, input.runId, { schoolsDone: input.schoolsDone });
    },

    async setRunStatus(input: {
      runId: string;
      status: SyncRunStatus;
      guard?: GuardReport;
      decidedBy?: string;
      error?: string;
    }): Promise<void> {
      const finished = !['running', 'awaiting-confirmation'].includes(input.status);
      await setSyncRunStatus(pool, input.runId, input.status, {
        ...(input.guard ? { guard: input.guard } : {}),
        ...(input.decidedBy ? { decidedBy: input.decidedBy } : {}),
        ...(input.error ? { error: input.error } : {}),
        finished,
      });
      const run = await refreshSyncRunTotals(pool, input.runId);
      if (finished) {
        await dropStaged(pool, input.runId);
        log.info(
          { runId: input.runId, status: input.status, totals: run.totals, timings: run.timings },
          'reconciliation run finished',
        );
      }
    },
  };
};

export type { ChatKind };
