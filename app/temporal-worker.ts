// How a hub worker is built: the workflow bundle (with its interceptors) and the activities over their
// dependencies. Lives in the composition root because it is the one place that joins workflows/,
// activities/ and infra/.
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { activityInterceptors } from '../infra/temporal-interceptors.js';
import { TASK_QUEUES } from '../workflows/definitions.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Workflow-side interceptors (request id into workflow logs): bundled with the workflow code. */
export const workflowInterceptorsPath = fileURLToPath(new URL('../workflows/interceptors.ts', import.meta.url));

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
