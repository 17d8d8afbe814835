import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { requestIdClientInterceptor } from './temporal-interceptors.js';

/**
 * gRPC retries for callers a person is waiting on (the API): the SDK's default (10 attempts, about 20 s)
 * would hold a request that long while Temporal is away; 6 attempts give up after about 3 s, and the
 * API answers 503 with Retry-After (api/outage.ts).
 */
export const personFacingGrpcRetry = (): ConnectionOptions['interceptors'] => [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 6 }))];

export async function connectClient(
  address: string,
  namespace: string,
  options: Pick<ConnectionOptions, 'interceptors'> = {},
  // Issue 14: the payload codec (infra/payload-codec.ts); every client and worker must use the same.
  dataConverter?: DataConverter,
): Promise<Client> {
  const connection = await Connection.connect({ address, ...options });
  return new Client({ connection, namespace, interceptors: { workflow: [requestIdClientInterceptor] }, ...(dataConverter ? { dataConverter } : {}) });
}
