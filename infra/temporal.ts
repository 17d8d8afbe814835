import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { TASK_QUEUES } from '../workflows/definitions.js';
import { activityInterceptors, requestIdClientInterceptor, workflowInterceptorsPath } from './temporal-interceptors.js';

export const workflowsPath = new URL('../workflows/index.ts', import.meta.url).pathname;

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

/** Bundles the workflow code once (webpack); reuse the bundle for every worker of a process. */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: [workflowInterceptorsPath], logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m) => console.error(m) } });
}

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue?: string;
  deps: ActivityDeps;
  bundle?: WorkflowBundleWithSourceMap;
  /** Issue 14: the payload codec (infra/payload-codec.ts); must match the clients'. */
  dataConverter?: DataConverter;
}

export async function createHubWorker(o: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue ?? TASK_QUEUES.registration,
    activities: createActivities(o.deps),
    interceptors: { activity: [activityInterceptors], ...(o.bundle ? {} : { workflowModules: [workflowInterceptorsPath] }) },
    ...(o.bundle ? { workflowBundle: o.bundle } : { workflowsPath }),
    ...(o.dataConverter ? { dataConverter: o.dataConverter } : {}),
  });
}

export { NativeConnection };
