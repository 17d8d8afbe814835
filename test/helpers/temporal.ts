// A worker on its own task queue against the run's shared dev server, with the real activities.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, inject } from 'vitest';
import type { ActivityDeps } from '../../activities/index.js';
import { outboxOtpSender } from '../../adapters/otp/outbox.js';
import { codeMacFromConfig } from '../../infra/code-mac.js';
import { createLogger } from '../../infra/logger.js';
import { temporalLogger } from '../../infra/temporal-logger.js';
import { encryptingDataConverter, parsePayloadKeys } from '../../infra/payload-codec.js';
import { bundleWorkflows, createHubWorker } from '../../app/temporal-worker.js';
import { requestIdClientInterceptor } from '../../infra/temporal-interceptors.js';
import { unwiredJournals, unwiredMessenger } from '../../sync/unwired.js';
import { hubSearchAttributes } from '../../workflows/search-attributes.js';
import { TEST_JWT_SECRET } from './api.js';

/**
 * The whole suite talks to Temporal encrypted, as production does (issue 14): HUB_PAYLOAD_KEYS of the
 * tests, a rotated-out key listed second. Spawned workers get the same string in their env.
 */
export const TEST_PAYLOAD_KEYS = `t2:${'ab'.repeat(32)},t1:${'cd'.repeat(32)}`;
export const testDataConverter = encryptingDataConverter(parsePayloadKeys(TEST_PAYLOAD_KEYS));
/** The one-time code MAC the test API derives from its config (HUB_JWT_SECRET); the worker must agree. */
export const testCodeMac = codeMacFromConfig({ HUB_JWT_SECRET: TEST_JWT_SECRET });

let runtimeInstalled = false;
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  // As in the processes: the SDK's lines go through the redacting logger (issue 17 item 7).
  Runtime.install({
    logger: temporalLogger(createLogger(process.env.LOG_LEVEL ?? 'warn', 'temporal'), 'WARN'),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  });
}

export interface TestTemporal {
  client: Client;
  taskQueue: string;
  worker: Worker;
}

type TestDeps = Omit<ActivityDeps, 'logger' | 'otp' | 'messenger' | 'journals'> &
  Partial<Pick<ActivityDeps, 'logger' | 'otp' | 'messenger' | 'journals'>>;

/**
 * Starts one worker for the file; `deps` is read when the worker starts (after other beforeAll hooks).
 * Unless given, the logger is silent, one-time codes go to the otp_outbox table (codes kept), and
 * files that reconcile nothing get a messenger and journals that refuse.
 */
export function useTemporalWorker(deps: () => TestDeps, opts: { address?: () => string } = {}): TestTemporal {
  const t = { taskQueue: `test-${randomBytes(4).toString('hex')}` } as TestTemporal;
  let connection: Connection;
  let native: NativeConnection;
  let running: Promise<void>;
  beforeAll(async () => {
    quietRuntime();
    // Drills that restart Temporal bring their own server; everyone else shares the run's.
    const address = opts.address?.() ?? inject('temporalAddress');
    connection = await Connection.connect({ address });
    native = await NativeConnection.connect({ address });
    t.client = new Client({ connection, interceptors: { workflow: [requestIdClientInterceptor] }, dataConverter: testDataConverter });
    t.worker = await createHubWorker({
      connection: native,
      namespace: 'default',
      taskQueue: t.taskQueue,
      deps: withDefaults(deps()),
      bundle: await bundleWorkflows(),
      dataConverter: testDataConverter,
    });
    running = t.worker.run();
  });
  afterAll(async () => {
    t.worker?.shutdown();
    await running;
    await native?.close();
    await connection?.close();
  });
  return t;
}

/** The time-skipping server starts with no custom search attributes; register the hub's. */
export async function registerHubSearchAttributes(connection: Connection): Promise<void> {
  const searchAttributes = Object.fromEntries(
    hubSearchAttributes.map((k) => [k.name, encodeSearchAttributeIndexedValueType(k.type)!]),
  );
  await connection.operatorService.addSearchAttributes({ namespace: 'default', searchAttributes });
}

function withDefaults(d: TestDeps): ActivityDeps {
  const logger = d.logger ?? createLogger('silent');
  return {
    messenger: unwiredMessenger,
    journals: unwiredJournals,
    ...d,
    logger,
    codeMac: d.codeMac ?? testCodeMac,
    otp: d.otp ?? outboxOtpSender({ db: d.pool, logger, keepCodes: true }),
  };
}
