// The request id of the HTTP request (or workflow step) being served, without threading it through
// every call: the logger's mixin reads it, and the Temporal client interceptor sends it along.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export const currentRequestId = (): string | undefined => requestContext.getStore()?.requestId;

/** Header name the request id travels under: API → workflow → activities (infra/temporal-interceptors.ts). */
export const REQUEST_ID_HEADER = 'hub-request-id';
