// Turns a workflow's refusal (an ApplicationFailure from an Update validator or handler) into its
// stable type, so routes can answer with the matching problem.
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';

export function refusalOf(error: unknown): string | undefined {
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) return error.cause.type ?? undefined;
  return undefined;
}

/** The workflow has ended (or never existed): an Update can no longer reach it. */
export function isGone(error: unknown): boolean {
  return error instanceof WorkflowNotFoundError || (error as { name?: string }).name === 'WorkflowNotFoundError';
}
