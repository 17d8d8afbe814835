// Use cases the API, CLI and scheduler call: start a reconciliation run (nightly or on demand),
// confirm or discard one the mass-change guard stopped, link and unlink journal identities.
import { randomUUID } from 'node:crypto';
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  type Client,
} from '@temporalio/client';
import { findConnection } from '../db/repositories/connections.js';
import type { Config } from '../infra/config.js';
import type { Queryable } from '../infra/postgres.js';
import { TASK_QUEUES } from '../workflows/definitions.js';
import { hasNothingToRead } from './journal-factory.js';
import { busyRunOf, liveWriter } from './live-writer.js';
import {
  confirmRunUpdate,
  discardRunUpdate,
  journalLinkWorkflowId,
  linkJournalUpdate,
  nightlyReconcileWorkflowId,
  onDemandReconcileWorkflowId,
  unlinkJournalUpdate,
  type BusyRun,
  type LinkRequest,
  type LinkState,
  type ReconcileInput,
  type ReconcileState,
  type ReconcileTuning,
  type UnlinkRequest,
} from '../workflows/roster-definitions.js';

export interface SyncContext {
  pool: Queryable;
  temporal: Client;
  config: Pick<
    Config,
    'ROSTER_MASS_REMOVAL_SHARE' | 'ROSTER_CONFIRM_WITHIN' | 'ROSTER_SCHOOLS_IN_FLIGHT' | 'ROSTER_APPLY_CHUNK'
  > &
    Partial<Pick<Config, 'ROSTER_MESSENGER_READS'>>;
  taskQueue?: string;
  tuning?: ReconcileTuning;
}

export class SyncRefused extends Error {
  constructor(
    readonly code: 'connection-not-found' | 'connection-disabled' | 'sync-already-running' | 'nothing-to-read',
    /** For sync-already-running: the run in the way. */
    readonly holder?: BusyRun,
  ) {
    super(code);
  }
}

function inputFor(
  ctx: SyncContext,
  base: Pick<ReconcileInput, 'connectionId' | 'kind' | 'dryRun' | 'scope' | 'requestedBy'>,
): ReconcileInput {
  return {
    ...base,
    massRemovalShare: ctx.config.ROSTER_MASS_REMOVAL_SHARE,
    confirmWithinMs: ctx.config.ROSTER_CONFIRM_WITHIN,
    tuning: {
      schoolsInFlight: ctx.config.ROSTER_SCHOOLS_IN_FLIGHT,
      applyChunk: ctx.config.ROSTER_APPLY_CHUNK,
      ...(ctx.config.ROSTER_MESSENGER_READS ? { messengerReads: ctx.config.ROSTER_MESSENGER_READS } : {}),
      ...ctx.tuning,
    },
  };
}

/**
 * The night's run of a connection. Every scheduler replica may call this for the same night: the
 * workflow id is the night's, so only the first start starts it; one running or finished is refused
 * (conflict policy FAIL, REJECT_DUPLICATE) and `started` is false (issue 13 item 5: each replica used
 * to log that it had started the night's run). `runId` is the run this call started, else null.
 */
export async function startNightlySync(
  ctx: SyncContext,
  connectionId: string,
  localDate: string,
): Promise<{ workflowId: string; runId: string | null; started: boolean }> {
  const workflowId = nightlyReconcileWorkflowId(connectionId, localDate);
  try {
    const handle = await ctx.temporal.workflow.start('reconcileWorkflow', {
      workflowId,
      taskQueue: ctx.taskQueue ?? TASK_QUEUES.roster,
      args: [
        inputFor(ctx, { connectionId, kind: 'nightly', dryRun: false, requestedBy: 'system:scheduler' }),
      ],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    return { workflowId, runId: handle.firstExecutionRunId, started: true };
  } catch (e) {
    if (e instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, runId: null, started: false };
    throw e;
  }
}

export interface StartSyncRequest {
  connectionId: string;
  schoolExternalId?: string;
  /** people.id: only this person's memberships change. */
  personId?: string;
  dryRun: boolean;
  requestedBy?: string;
}

/**
 * A run on demand (API, CLI): its own workflow id; the caller polls the run by id. Refused while
 * another run that writes is running for the connection (a dry run writes nothing and may overlap);
 * a run held for confirmation does not refuse it but is discarded by it (its plan is stale).
 */
export async function startSync(ctx: SyncContext, req: StartSyncRequest): Promise<{ workflowId: string }> {
  const connection = await findConnection(ctx.pool, req.connectionId);
  if (!connection) throw new SyncRefused('connection-not-found');
  if (!connection.enabled) throw new SyncRefused('connection-disabled');
  // Refused before a run exists: nothing holds the connection, and the caller learns why now.
  if (await hasNothingToRead(ctx.pool, connection)) throw new SyncRefused('nothing-to-read');
  if (!req.dryRun) {
    const live = await liveWriter(ctx.pool, ctx.temporal, connection.id);
    if (live?.status === 'running') throw new SyncRefused('sync-already-running', busyRunOf(live));
  }
  const workflowId = onDemandReconcileWorkflowId(req.connectionId, randomUUID());
  const scope = {
    ...(req.schoolExternalId ? { schoolExternalId: req.schoolExternalId } : {}),
    ...(req.personId ? { personId: req.personId } : {}),
  };
  await ctx.temporal.workflow.start('reconcileWorkflow', {
    workflowId,
    taskQueue: ctx.taskQueue ?? TASK_QUEUES.roster,
    args: [
      inputFor(ctx, {
        connectionId: req.connectionId,
        kind: 'on-demand',
        dryRun: req.dryRun,
        ...(Object.keys(scope).length ? { scope } : {}),
        ...(req.requestedBy ? { requestedBy: req.requestedBy } : {}),
      }),
    ],
  });
  return { workflowId };
}

/** Confirm (apply) or discard what the mass-change guard held; refused unless the run is waiting. */
export async function decideRun(
  temporal: Client,
  workflowId: string,
  decision: 'confirm' | 'discard',
  actor: string,
  reason?: string,
): Promise<ReconcileState> {
  const handle = temporal.workflow.getHandle(workflowId);
  return handle.executeUpdate(decision === 'confirm' ? confirmRunUpdate : discardRunUpdate, {
    args: [{ actor, ...(reason ? { reason } : {}) }],
  });
}

/** The identity's one link workflow, started on first use (update-with-start). */
function linkWorkflowStart(req: { connectionId: string; externalPersonId: string; taskQueue?: string }) {
  return new WithStartWorkflowOperation('journalLinkWorkflow', {
    workflowId: journalLinkWorkflowId(req.connectionId, req.externalPersonId),
    taskQueue: req.taskQueue ?? TASK_QUEUES.roster,
    args: [{ connectionId: req.connectionId, externalPersonId: req.externalPersonId }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
}

/** R-L1: link a journal identity to a person; the answer says how many pending chats were joined (R-L2). */
export async function linkJournalIdentity(
  temporal: Client,
  req: { connectionId: string; externalPersonId: string; taskQueue?: string } & LinkRequest,
): Promise<LinkState> {
  const start = linkWorkflowStart(req);
  return temporal.workflow.executeUpdateWithStart(linkJournalUpdate, {
    startWorkflowOperation: start,
    args: [
      {
        personId: req.personId,
        actor: req.actor,
        proof: req.proof,
        ...(req.actorRole ? { actorRole: req.actorRole } : {}),
        ...(req.reason ? { reason: req.reason } : {}),
        ...(req.requestId ? { requestId: req.requestId } : {}),
        ...(req.answerWithinMs ? { answerWithinMs: req.answerWithinMs } : {}),
      },
    ],
  });
}

/**
 * Ends a link and takes the account out of the hub-managed chats it was in. With `personId`, only
 * that person's own link is ended (someone else's is refused as not linked).
 */
export async function unlinkJournalIdentity(
  temporal: Client,
  req: { connectionId: string; externalPersonId: string; taskQueue?: string } & UnlinkRequest,
): Promise<LinkState> {
  const start = linkWorkflowStart(req);
  return temporal.workflow.executeUpdateWithStart(unlinkJournalUpdate, {
    startWorkflowOperation: start,
    args: [
      {
        actor: req.actor,
        reason: req.reason,
        ...(req.actorRole ? { actorRole: req.actorRole } : {}),
        ...(req.requestId ? { requestId: req.requestId } : {}),
        ...(req.personId ? { personId: req.personId } : {}),
      },
    ],
  });
}
