// Carries the API's X-Request-Id into Temporal headers (client side) and out of them again around
// each activity, so the activity's log lines carry the id of the request that caused them.
import { Context } from '@temporalio/activity';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { currentRequestId, REQUEST_ID_HEADER, requestContext } from './request-context.js';

function withRequestId(headers: Headers): Headers {
  const id = currentRequestId();
  return id ? { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(id) } : headers;
}

/** Client side: every start, update, signal and query made while serving a request names it. */
export const requestIdClientInterceptor: WorkflowClientInterceptor = {
  start: (input, next) => next({ ...input, headers: withRequestId(input.headers) }),
  startUpdate: (input, next) => next({ ...input, headers: withRequestId(input.headers) }),
  startWithDetails: (input, next) => next({ ...input, headers: withRequestId(input.headers) }),
  signal: (input, next) => next({ ...input, headers: withRequestId(input.headers) }),
  query: (input, next) => next({ ...input, headers: withRequestId(input.headers) }),
};

export function requestIdFrom(headers: Headers): string | undefined {
  const p = headers[REQUEST_ID_HEADER];
  if (!p) return undefined;
  const v = defaultPayloadConverter.fromPayload(p);
  return typeof v === 'string' ? v : undefined;
}

/** Worker side: the activity runs inside the request's context (pino's mixin picks the id up). */
export class RequestIdActivityInterceptor implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const requestId = requestIdFrom(input.headers);
    if (!requestId) return next(input);
    return requestContext.run({ requestId }, () => next(input));
  }
}

export const activityInterceptors = (_ctx: Context) => ({ inbound: new RequestIdActivityInterceptor() });

