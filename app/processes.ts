// The hub's processes as functions, so that bin/worker, bin/api, bin/scheduler and bin/dev (all in
// one) are each a few lines over the same code.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { temporalLogger } from '../infra/temporal-logger.js';
import type { ActivityDeps } from '../activities/deps.js';
import { otpSenderFromConfig } from '../adapters/otp/from-config.js';
import { createApp } from '../api/app.js';
import type { JwksTiming } from '../api/staff-tokens.js';
import { signIn } from './staff-sign-in.js';
import { messengerConfigured, messengerFromConfig } from '../adapters/messenger/from-config.js';
import { placePolicyFromConfig } from '../sync/connection-places.js';
import { journalFactory } from '../sync/journal-factory.js';
import { unwiredMessenger } from '../sync/unwired.js';
import { TASK_QUEUES } from '../workflows/definitions.js';
import { startMetricsServer } from '../infra/metrics-server.js';
import { secretBoxFromConfig } from '../infra/secrets.js';
import { codeMacFromConfig } from '../infra/code-mac.js';
import { dataConverterFromConfig } from '../infra/payload-codec.js';
import type { Config } from '../infra/config.js';
import type { Logger } from '../infra/logger.js';
import type { Pool } from '../infra/postgres.js';
import type { Stoppable } from '../infra/lifecycle.js';
import { connectClient, personFacingGrpcRetry } from '../infra/temporal.js';
import { bundleWorkflows, createHubWorker, NativeConnection } from './temporal-worker.js';
import { reconcileJobLoader } from '../sync/schedule.js';
import { retentionJobLoader } from './retention-job.js';
import { runScheduler as runNightlyScheduler } from '../scheduler/run.js';

export function requireJwtSecret(config: Config): string {
  if (!config.HUB_JWT_SECRET) throw new Error('HUB_JWT_SECRET is required (at least 32 characters).');
  return config.HUB_JWT_SECRET;
}

export async function runWorkers(config: Config, pool: Pool, logger: Logger): Promise<Stoppable> {
  // Our own signal handling stops things in order; the SDK logs only warnings and worse.
  // The SDK's own lines (and workflow logs) go through our redacting logger; warnings and worse only.
  Runtime.install({
    logger: temporalLogger(logger.child({ component: 'temporal' }), 'WARN'),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
    shutdownSignals: [],
  });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const bundle = await bundleWorkflows();
  const activityLogger = logger.child({ component: 'activities' });
  const deps: ActivityDeps = {
    pool,
    logger: activityLogger,
    otp: otpSenderFromConfig(config, { db: pool, logger: activityLogger }),
    codeMac: codeMacFromConfig(config),
    ...rosterDeps(config, pool, logger),
  };
  const dataConverter = dataConverterFromConfig(config);
  const workers = await Promise.all(
    Object.values(TASK_QUEUES).map((taskQueue) =>
      createHubWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue, deps, bundle, dataConverter }),
    ),
  );
  const metrics = config.WORKER_METRICS_PORT > 0 ? await startMetricsServer(config.WORKER_METRICS_PORT, '0.0.0.0', config.METRICS_TOKEN) : undefined;
  const running = workers.map((w) => w.run());
  logger.info({ taskQueues: Object.values(TASK_QUEUES), metricsPort: metrics?.port ?? null }, 'worker running');
  return {
    async stop() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(running);
      await metrics?.stop();
      await connection.close();
    },
  };
}

/** The messenger and journal sources reconciliation needs; stand-ins that refuse when not configured. */
export function rosterDeps(config: Config, pool: Pool, logger: Logger): Pick<ActivityDeps, 'messenger' | 'journals'> {
  const messenger = messengerConfigured(config) ? messengerFromConfig(config) : unwiredMessenger;
  if (messenger === unwiredMessenger)
    logger.warn('no messenger configured (MESSENGER_API_BASE / MESSENGER_TOKEN, or MESSENGER_KIND=vk-api with VK_ACCESS_TOKEN): reconciliation cannot apply memberships');
  const box = config.HUB_SECRETS_KEY ? secretBoxFromConfig(config) : undefined;
  return { messenger, journals: journalFactory(pool, box, undefined, placePolicyFromConfig(config)) };
}

export async function runApi(
  config: Config,
  pool: Pool,
  logger: Logger,
  temporal?: Client,
  jwks?: JwksTiming,
): Promise<Stoppable & { server: Server; temporal: Client }> {
  const client =
    temporal ??
    (await connectClient(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE, { interceptors: personFacingGrpcRetry() }, dataConverterFromConfig(config)));
  const app = createApp({
    config,
    pool,
    temporal: client,
    ...signIn(config, requireJwtSecret(config), jwks),
    logger: logger.child({ component: 'api' }),
    taskQueues: TASK_QUEUES,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, () => resolve(s));
    s.on('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, staffSignIn: config.OIDC_ISSUER ?? null }, 'api listening');
  return {
    server,
    temporal: client,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      if (!temporal) await client.connection.close();
    },
  };
}

/** The scheduler with every nightly job the hub has: journal connections' reconciliation, the personal-data purge. */
export function runScheduler(config: Config, pool: Pool, temporal: Client, logger: Logger): Promise<Stoppable> {
  return runNightlyScheduler({ config, pool, temporal, logger, loaders: [reconcileJobLoader, retentionJobLoader(logger.child({ component: 'retention' }))] });
}
