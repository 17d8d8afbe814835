// The hub worker in its own process for benchmarks, so its peak RSS is its own (not the simulators').
// Env: DATABASE_URL, DB_SCHEMA, TEMPORAL_ADDRESS, TASK_QUEUE, HUB_SECRETS_KEY, and the messenger:
// MESSENGER_KIND=vk-teams (default: MESSENGER_API_BASE, MESSENGER_TOKEN, MESSENGER_MAX_BATCH) or vk-api
// (VK_API_BASE, VK_ACCESS_TOKEN, VK_TOKEN_TYPE, VK_GROUP_ID, VK_REQUESTS_PER_SECOND), the adapters the
// product builds from the same keys. Prints "worker ready"; answers "rss?" on stdin with its peak and current RSS (KiB).
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { outboxOtpSender } from '../adapters/otp/outbox.js';
import type { Messenger } from '../adapters/messenger/port.js';
import { VkApiMessenger } from '../adapters/messenger/vk-api/messenger.js';
import { VkTeamsHttpMessenger } from '../adapters/messenger/vkteams-http.js';
import { createLogger } from '../infra/logger.js';
import { createPool } from '../infra/postgres.js';
import { parseSecretsKey, secretBox } from '../infra/secrets.js';
import { bundleWorkflows, createHubWorker } from '../app/temporal-worker.js';
import { journalFactory } from '../sync/journal-factory.js';

const env = (k: string): string => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};
function benchMessenger(): Messenger {
  if (process.env.MESSENGER_KIND === 'vk-api') {
    const tokenType = process.env.VK_TOKEN_TYPE === 'user' ? 'user' : 'group';
    return new VkApiMessenger({
      apiBase: env('VK_API_BASE'),
      token: env('VK_ACCESS_TOKEN'),
      tokenType,
      ...(tokenType === 'group' ? { groupId: Number(env('VK_GROUP_ID')) } : {}),
      ...(process.env.VK_REQUESTS_PER_SECOND ? { requestsPerSecond: Number(process.env.VK_REQUESTS_PER_SECOND) } : {}),
      requestTimeoutMs: 30_000,
    });
  }
  return new VkTeamsHttpMessenger({
    apiBase: env('MESSENGER_API_BASE'),
    token: env('MESSENGER_TOKEN'),
    maxBatchSize: Number(process.env.MESSENGER_MAX_BATCH ?? 100),
    requestTimeoutMs: 30_000,
  });
}

Runtime.install({ logger: new DefaultLogger('ERROR') });
const pool = createPool(env('DATABASE_URL'), env('DB_SCHEMA'));
const connection = await NativeConnection.connect({ address: env('TEMPORAL_ADDRESS') });
const silent = createLogger('silent');
const worker = await createHubWorker({
  connection,
  namespace: 'default',
  taskQueue: env('TASK_QUEUE'),
  bundle: await bundleWorkflows(),
  deps: {
    pool,
    logger: silent,
    otp: outboxOtpSender({ db: pool, logger: silent, keepCodes: false }),
    messenger: benchMessenger(),
    journals: journalFactory(pool, secretBox(parseSecretsKey(env('HUB_SECRETS_KEY')))),
  },
});
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d: string) => {
  // maxRSS is in KiB.
  if (d.includes('rss?')) {
    const u = process.resourceUsage();
    process.stdout.write(`rss ${u.maxRSS} ${Math.round(process.memoryUsage().rss / 1024)} ${u.userCPUTime + u.systemCPUTime}\n`);
  }
});
process.stdout.write('worker ready\n');
await worker.run();
await pool.end();
process.exit(0);
