// Global setup: one real Temporal dev server for the whole test run, with the hub's search attributes.
import type { TestProject } from 'vitest/node';
import { startLocalDevServer } from '../helpers/local-temporal.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const env = await startLocalDevServer();
  project.provide('temporalAddress', env.address);
  return async () => {
    await env.teardown();
  };
}
