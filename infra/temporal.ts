import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { TASK_QUEUES } from '../workflows/definitions.js';
import { activityInterceptors, requestIdClientInterceptor, workflowInterceptorsPath } from './temporal-interceptors.js';

export const workflowsPath = new URL('../workflows/index.ts', import.meta.url).pathname;

export async function connectClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace, interceptors: { workflow: [requestIdClientInterceptor] } });
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
}

export async function createHubWorker(o: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue ?? TASK_QUEUES.registration,
    activities: createActivities(o.deps),
    interceptors: { activity: [activityInterceptors], ...(o.bundle ? {} : { workflowModules: [workflowInterceptorsPath] }) },
    ...(o.bundle ? { workflowBundle: o.bundle } : { workflowsPath }),
  });
}

export { NativeConnection };
