// Names shared by the workflows and their callers (API, CLI, tests): task queues, updates, queries.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
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
} as const;
