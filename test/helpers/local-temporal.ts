// A Temporal dev server of our own (the pinned CLI from .tools, the hub's search attributes, quiet),
// for the test run's global setup and the benchmarks.
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalCli } from '../../infra/temporal-binaries.js';
import { hubSearchAttributes } from '../../workflows/search-attributes.js';

export function startLocalDevServer(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: temporalCli(),
      searchAttributes: hubSearchAttributes,
      ip: '127.0.0.1',
      log: { format: 'pretty', level: 'error' },
    },
  });
}
