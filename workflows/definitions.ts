// Names shared by the workflows and their callers (API, CLI, tests): task queues, updates, queries.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { GuardianRequirement } from '../domain/age.js';
import type { ApplicationRole, ApplicationStatus, ApplicationTiming, Approver } from '../domain/applications.js';
import type { InviteStatus } from '../domain/invites.js';

export const TASK_QUEUES = { registration: 'registration-v1', roster: 'roster-v1' } as const;

export const inviteWorkflowId = (tokenHash: string): string => `invite/${tokenHash}`;

export interface InviteWorkflowInput {
  inviteId: string;
  schoolId: string;
  /** ISO instant; the workflow's timer ends the invite there (R-J3). */
  expiresAt: string;
}

export interface InviteActionInput {
  actor: string;
  reason?: string;
}

export interface InviteState {
  status: InviteStatus;
  changedAt?: string;
}

/** Admin ends the link early (R-J3). Refused unless the invite is still active. */
export const revokeInviteUpdate = defineUpdate<InviteState, [InviteActionInput]>('revokeInvite');
/** The invitee says no ("Отклонить приглашение", R-J2). Refused unless the invite is still active. */
export const declineInviteUpdate = defineUpdate<InviteState, [InviteActionInput]>('declineInvite');
/** The invitee follows the link; the caller turns it into an application (R-J4). */
export const acceptInviteUpdate = defineUpdate<InviteState, [InviteActionInput]>('acceptInvite');
export const inviteStateQuery = defineQuery<InviteState>('inviteState');

/** ApplicationFailure types a workflow refuses with; the API maps each to a problem type. */
export const REFUSALS = {
  inviteNotActive: 'invite-not-active',
  notAllowedToApprove: 'not-allowed-to-approve',
  applicationClosed: 'application-closed',
  ownParentLink: 'own-parent-link',
  parentPhoneRequired: 'parent-phone-required',
  samePhoneAsChild: 'same-phone-as-child',
  thirdParent: 'third-parent',
  consentVersionMismatch: 'consent-version-mismatch',
  guardiansClosed: 'guardians-closed',
  inviteExtensionInvalid: 'invite-extension-invalid',
} as const;

// ---- Joining a school (R-J4, R-J5) ----

export const applicationWorkflowId = (personId: string, schoolId: string): string => `application/${personId}/${schoolId}`;

export interface ApplicationWorkflowInput {
  applicationId: string;
  personId: string;
  schoolId: string;
  classId: string | null;
  role: ApplicationRole;
  timing: ApplicationTiming;
  /** Passed on to the guardianWorkflow an approved child starts (R-G1). */
  guardianRestrictAfterMs: number;
  guardianLinkOpenMs: number;
}

export interface DecisionInput {
  approver: Approver;
  /** Role the approver acted in, for the audit log. */
  actorRole: string;
  reason?: string;
  requestId?: string;
}

export interface ApplicationState {
  status: ApplicationStatus;
  waitingOn: 'approver' | 'authority' | null;
  remindedAt?: string;
  escalatedAt?: string;
  decidedAt?: string;
  /** Set on approval of a student: whether a parent must, may or need not confirm (R-G1). */
  guardian?: GuardianRequirement;
}

/** R-J4: only an admin of the school or the class teacher of the class; refused otherwise. */
export const approveApplicationUpdate = defineUpdate<ApplicationState, [DecisionInput]>('approveApplication');
export const rejectApplicationUpdate = defineUpdate<ApplicationState, [DecisionInput]>('rejectApplication');
export const applicationStateQuery = defineQuery<ApplicationState>('applicationState');

// ---- Parent confirmation (R-G1..R-G7) ----

export const guardianWorkflowId = (childId: string): string => `guardians/${childId}`;

export interface GuardianWorkflowInput {
  childId: string;
  /**
   * Journeys started before issue 14 carry a SHA-256 of the child's phone here; it is no longer sent
   * nor read: the API checks phones (R-G4) and history holds none.
   */
  childPhoneHash?: string | null;
  schoolId: string | null;
  /** Under 14: required, with a restriction deadline; 14-17: optional, started by the child. */
  required: boolean;
  restrictAfterMs: number;
  /** How long the link keeps accepting a (second) parent. */
  linkOpenMs: number;
}

export interface AcceptAsParentInput {
  parentId: string;
  /** Sent before issue 14; no longer sent nor read (the API checks R-G4 before the update). */
  parentPhoneHash?: string | null;
  consent: { version: string; textHash: string };
  corrections: ChildCorrections;
  requestId?: string;
}

export interface ChildCorrections {
  firstName?: string;
  lastName?: string;
  patronymic?: string | null;
  birthDate?: string;
  gender?: 'male' | 'female';
}

export interface GuardianState {
  status: 'waiting' | 'confirmed' | 'closed';
  required: boolean;
  parents: string[];
  restricted: boolean;
  restrictAt?: string;
}

/** Validator enforces R-G3..R-G5; a parent already confirmed gets the state back, not a second slot. */
export const acceptAsParentUpdate = defineUpdate<GuardianState, [AcceptAsParentInput]>('acceptAsParent');
export const guardianStateQuery = defineQuery<GuardianState>('guardianState');

// ---- Support actions (api/routes/support.ts): every one carries who and why ----

export interface SupportActionInput {
  actor: string;
  actorRole: string;
  reason: string;
  requestId?: string;
}

export interface ExtendInviteInput extends SupportActionInput {
  /** ISO instant: the new end of the link. Must be later than the current one. */
  expiresAt: string;
  /** The invite maximum (INVITE_MAX_DAYS) counted from now: no extension goes past it (R-J3). */
  maxDays: number;
}

export interface InviteExpiry extends InviteState {
  expiresAt: string;
}

/** Moves an active invite's expiry later, within the maximum validity; refused otherwise. */
export const extendInviteUpdate = defineUpdate<InviteExpiry, [ExtendInviteInput]>('extendInvite');
/** Sends the approvers another reminder now (refused once decided). */
export const remindApproversUpdate = defineUpdate<ApplicationState, [SupportActionInput]>('remindApprovers');
/** Support closes a pending application (recorded as rejected, with support as actor and the reason). */
export const cancelApplicationUpdate = defineUpdate<ApplicationState, [SupportActionInput]>('cancelApplication');
