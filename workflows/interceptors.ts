// Passes the request id header that started the workflow (or the update being handled) on to the
// activities and child workflows it schedules. Deterministic: headers only, no I/O.
import type { Headers } from '@temporalio/common';
import type {
  ActivityInput,
  LocalActivityInput,
  Next,
  StartChildWorkflowExecutionInput,
  UpdateInput,
  WorkflowExecuteInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptorsFactory,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

const HEADER = 'hub-request-id';

export const interceptors: WorkflowInterceptorsFactory = () => {
  let current: Headers[string] | undefined;
  const pass = (headers: Headers): Headers => (current && !headers[HEADER] ? { ...headers, [HEADER]: current } : headers);
  const inbound: WorkflowInboundCallsInterceptor = {
    execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>) {
      current = input.headers[HEADER] ?? current;
      return next(input);
    },
    handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>) {
      current = input.headers[HEADER] ?? current;
      return next(input);
    },
  };
  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>) =>
      next({ ...input, headers: pass(input.headers) }),
    scheduleLocalActivity: (input: LocalActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>) =>
      next({ ...input, headers: pass(input.headers) }),
    startChildWorkflowExecution: (
      input: StartChildWorkflowExecutionInput,
      next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
    ) => next({ ...input, headers: pass(input.headers) }),
  };
  return { inbound: [inbound], outbound: [outbound] };
};
