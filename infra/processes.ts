// The hub's processes as functions, so that bin/worker, bin/api, bin/scheduler and bin/dev (all in
// one) are each a few lines over the same code.
import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { ActivityDeps } from '../activities/deps.js';
import { outboxOtpSender } from '../adapters/otp/outbox.js';
import { createApp } from '../api/app.js';
import { tokenService } from '../api/auth.js';
import { messengerConfigured, messengerFromConfig } from '../adapters/messenger/from-config.js';
import { journalFactory } from '../roster/journal-factory.js';
import { unwiredMessenger } from '../roster/unwired.js';
import { TASK_QUEUES } from '../workflows/definitions.js';
import { startMetricsServer } from './metrics-server.js';
import { secretBoxFromConfig } from './secrets.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Pool } from './postgres.js';
import { bundleWorkflows, connectClient, createHubWorker, NativeConnection, personFacingGrpcRetry } from './temporal.js';

export interface Stoppable {
  stop(): Promise<void>;
}

export function requireJwtSecret(config: Config): string {
  if (!config.HUB_JWT_SECRET) throw new Error('HUB_JWT_SECRET is required (at least 32 characters).');
  return config.HUB_JWT_SECRET;
}

export async function runWorkers(config: Config, pool: Pool, logger: Logger): Promise<Stoppable> {
  // Our own signal handling stops things in order; the SDK logs only warnings and worse.
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const bundle = await bundleWorkflows();
  const activityLogger = logger.child({ component: 'activities' });
  const deps: ActivityDeps = {
    pool,
    logger: activityLogger,
    otp: outboxOtpSender({ db: pool, logger: activityLogger, keepCodes: config.HUB_DEV_OUTBOX }),
    ...rosterDeps(config, pool, logger),
  };
  const workers = await Promise.all(
    Object.values(TASK_QUEUES).map((taskQueue) =>
      createHubWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue, deps, bundle }),
    ),
  );
  const metrics = config.WORKER_METRICS_PORT > 0 ? await startMetricsServer(config.WORKER_METRICS_PORT) : undefined;
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
  return { messenger, journals: journalFactory(pool, box) };
}

export async function runApi(
  config: Config,
  pool: Pool,
  logger: Logger,
  temporal?: Client,
): Promise<Stoppable & { server: Server; temporal: Client }> {
  const client = temporal ?? (await connectClient(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE, { interceptors: personFacingGrpcRetry() }));
  const app = createApp({
    config,
    pool,
    temporal: client,
    tokens: tokenService(requireJwtSecret(config)),
    logger: logger.child({ component: 'api' }),
    taskQueues: TASK_QUEUES,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, () => resolve(s));
    s.on('error', reject);
  });
  logger.info({ port: config.PORT }, 'api listening');
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

/** Runs `main` and stops what it started on SIGINT/SIGTERM, exiting non-zero on a start failure. */
export function runUntilSignal(logger: Logger, main: () => Promise<Stoppable[]>): void {
  let stopping = false;
  main().then(
    (started) => {
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'stopping');
        for (const s of [...started].reverse()) await s.stop().catch((err: unknown) => logger.error({ err }, 'stop failed'));
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
    },
    (err: unknown) => {
      logger.fatal({ err }, 'failed to start');
      process.exit(1);
    },
  );
}
