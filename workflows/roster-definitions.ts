// Names shared by the roster workflows and their callers (API, CLI, scheduler, tests):
// reconciliation (R-C1..R-C7) and journal linking (R-L1..R-L4).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

// ---- Reconciliation ----

/** One night of one connection: several scheduler replicas firing the same night start it once. */
export const nightlyReconcileWorkflowId = (connectionId: string, localDate: string): string => `reconcile/${connectionId}/${localDate}`;
/** A run someone asked for: its own id, so it never collides with the night's. */
export const onDemandReconcileWorkflowId = (connectionId: string, requestId: string): string =>
  `reconcile/${connectionId}/on-demand/${requestId}`;
export const schoolReconcileWorkflowId = (parentId: string, schoolExternalId: string): string =>
  `${parentId}/school/${encodeURIComponent(schoolExternalId)}`;

/** Durations and sizes a test can shrink; the defaults are production's. */
export interface ReconcileTuning {
  /** An activity that stops heartbeating this long is retried elsewhere (a killed worker). */
  heartbeatTimeoutMs?: number;
  /** Changes per apply activity call. */
  applyChunk?: number;
  schoolsInFlight?: number;
  /** Chats whose messenger membership is listed at once while a school is planned. */
  messengerReads?: number;
  /** Schools handled per workflow execution before continue-as-new. */
  schoolsPerExecution?: number;
  /** How often a run that found another writer of its connection live looks again (one writer per connection, migration 500). */
  busyPollMs?: number;
}

export interface ReconcileInput {
  connectionId: string;
  kind: 'nightly' | 'on-demand';
  dryRun: boolean;
  scope?: { schoolExternalId?: string; personId?: string };
  requestedBy?: string;
  /** ROSTER_MASS_REMOVAL_SHARE, used when the connection sets no share of its own. */
  massRemovalShare: number;
  /** How long a run stopped by the mass-change guard waits for confirm/discard. */
  confirmWithinMs: number;
  tuning?: ReconcileTuning;
  /** Carried across continue-as-new; absent on the first execution. */
  carry?: ReconcileCarry;
}

export interface SchoolPlanRef {
  externalId: string;
  strict: boolean;
}

export interface ReconcileCarry {
  runId: string;
  threshold: number;
  schools: SchoolPlanRef[];
  next: number;
  /** Schools finished so far (absent in carries written before it existed: then outcomes.length). */
  done?: number;
  /**
   * Outcomes that still matter at the end: held and failed schools only. Applied ones are counted
   * in `done` and dropped, so the carry stays far below Temporal's payload limit for a region of
   * thousands of schools.
   */
  outcomes: SchoolOutcome[];
  startedAt: string;
}

export interface SchoolOutcome {
  schoolExternalId: string;
  status: 'applied' | 'planned' | 'held' | 'failed';
  rowsRead: number;
  adds: number;
  removes: number;
  pending: number;
  managedMembers: number;
  /** Dry run only: the mass-change guard would hold this school in a real run (issue 16 item 6). */
  wouldHold?: boolean;
  error?: string;
}

export interface SchoolReconcileInput {
  runId: string;
  connectionId: string;
  school: SchoolPlanRef;
  threshold: number;
  dryRun: boolean;
  scopePersonId?: string;
  /** 'apply' applies an already stored plan (after an operator confirmed it). */
  mode: 'full' | 'apply';
  tuning?: ReconcileTuning;
}

export type RunStatus = 'running' | 'awaiting-confirmation' | 'applied' | 'planned' | 'discarded' | 'failed';

export interface ReconcileState {
  runId: string | null;
  status: RunStatus;
  schoolsTotal: number;
  schoolsDone: number;
  held: string[];
  decidedBy?: string;
}

export interface RunDecisionInput {
  actor: string;
  reason?: string;
}

/** Confirm a run the mass-change guard stopped: the held schools' plans are applied. */
export const confirmRunUpdate = defineUpdate<ReconcileState, [RunDecisionInput]>('confirmRun');
/** Discard it: the held schools' plans are dropped, nothing of them applied. */
export const discardRunUpdate = defineUpdate<ReconcileState, [RunDecisionInput]>('discardRun');
export const reconcileStateQuery = defineQuery<ReconcileState>('reconcileState');
/** A newer run of the connection asks a run held for confirmation to discard its (stale) plan. */
export const supersedeRunSignal = defineSignal<[{ byWorkflowId: string }]>('supersedeRun');

/** The live writer a new run found in its way (beginSyncRun's `busy` answer). */
export interface BusyRun {
  runId: string;
  workflowId: string;
  kind: 'nightly' | 'on-demand';
  status: 'running' | 'awaiting-confirmation';
  startedAt: string;
}

export const ROSTER_REFUSALS = {
  notAwaitingConfirmation: 'run-not-awaiting-confirmation',
  syncAlreadyRunning: 'sync-already-running',
  studentIdentityMismatch: 'student-identity-mismatch',
  parentIdentityForStudent: 'parent-identity-for-student',
  journalPersonUnknown: 'journal-person-unknown',
  journalPersonWithoutRole: 'journal-person-without-role',
  noMessengerAccount: 'no-messenger-account',
  alreadyLinkedElsewhere: 'journal-identity-linked-elsewhere',
  notLinked: 'journal-identity-not-linked',
  /** R-L5: no proof the hub verified (unknown, expired, used, or another person's). */
  proofNotVerified: 'journal-proof-not-verified',
  /** R-L5: the proof verified a different journal identity than the one being linked. */
  proofOtherIdentity: 'journal-proof-other-identity',
} as const;

// ---- Journal linking (R-L1..R-L4) ----

export const journalLinkWorkflowId = (connectionId: string, externalPersonId: string): string =>
  `link/${connectionId}/${encodeURIComponent(externalPersonId)}`;

export interface JournalLinkInput {
  connectionId: string;
  externalPersonId: string;
}

export interface LinkRequest {
  personId: string;
  /** Who asked (the person themself, or support on their behalf). */
  actor: string;
  /**
   * What proves the person owns the journal identity (R-L5): the id of a proof the hub verified
   * itself (journal sign-in, Gosuslugi, school-issued code; sync/journal-proofs.ts), taken once by
   * the link activity; or support linking on the person's behalf with a reason. R-L3: for a student
   * identity it must be the student's own.
   */
  proof: { method: 'verified'; proofId: string } | { method: 'support'; subjectBirthDate?: string };
  /** The actor's role (`person`, `support`), for the audit row. */
  actorRole?: string;
  /** Why support links on the person's behalf: required with proof method `support`, kept in the audit row. */
  reason?: string;
  /** The API request that asked, for the audit row. */
  requestId?: string;
  /**
   * How long the answer may wait for the chats to be joined. A slow messenger then gets an answer
   * with `joining: true` while joining goes on; without it the answer waits for the join.
   */
  answerWithinMs?: number;
}

export interface UnlinkRequest {
  actor: string;
  actorRole?: string;
  reason: string;
  requestId?: string;
  /**
   * Unlink only if the identity is linked to this person (a person unlinking their own link): a live
   * link of someone else is refused as not linked, and nothing changes.
   */
  personId?: string;
}

export interface LinkState {
  status: 'unlinked' | 'linked';
  personId?: string;
  messengerUserId?: string;
  linkedAt?: string;
  /** Chats joined at linking (pending before, R-L2), invitations by link included. */
  joinedChats: number;
  /** Of those, chats where the person was only invited by the chat's link (VK community token, issue 13). */
  invitedChats?: number;
  /** Linked, and the chats are still being joined (the messenger is slow); nothing for the person to do. */
  joining?: boolean;
  /** Linked, but some or all chats could not be joined (e.g. the bot lost its rights there): runs go on trying. */
  joinDeferred?: boolean;
}

export const linkJournalUpdate = defineUpdate<LinkState, [LinkRequest]>('linkJournal');
export const unlinkJournalUpdate = defineUpdate<LinkState, [UnlinkRequest]>('unlinkJournal');
export const linkStateQuery = defineQuery<LinkState>('linkState');
