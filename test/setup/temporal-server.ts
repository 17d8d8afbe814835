// Global setup: one real Temporal dev server for the whole test run, with the hub's search attributes.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { TestProject } from 'vitest/node';
import { temporalCli } from '../../infra/temporal-binaries.js';
import { hubSearchAttributes } from '../../workflows/search-attributes.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: temporalCli(),
      searchAttributes: hubSearchAttributes,
      ip: '127.0.0.1',
      log: { format: 'pretty', level: 'error' },
    },
  });
  project.provide('temporalAddress', env.address);
  return async () => {
    await env.teardown();
  };
}
