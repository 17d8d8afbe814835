// The hub for the signup benchmark in its own process: the real express API and a worker with the
// real activities (codes to the otp_outbox table, kept), so the load generator does not share its CPU.
// Env: DATABASE_URL, DB_SCHEMA, TEMPORAL_ADDRESS, TASK_QUEUE and the hub's config keys
// (HUB_JWT_SECRET, HUB_PAYLOAD_KEYS, RATE_LIMIT_*). Prints "hub ready <port>"; answers "rss?" with peak and current RSS (KiB)
// and the CPU time used so far (µs, all threads: API, workflow and activity work).
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createApp } from '../api/app.js';
import { tokenService } from '../api/auth.js';
import { outboxOtpSender } from '../adapters/otp/outbox.js';
import { codeMacFromConfig } from '../infra/code-mac.js';
import { loadConfig } from '../infra/config.js';
import { dataConverterFromConfig } from '../infra/payload-codec.js';
import { createLogger } from '../infra/logger.js';
import { createPool } from '../infra/postgres.js';
import { bundleWorkflows, createHubWorker } from '../app/temporal-worker.js';
import { requestIdClientInterceptor } from '../infra/temporal-interceptors.js';
import { unwiredJournals, unwiredMessenger } from '../sync/unwired.js';

const env = (k: string): string => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};
Runtime.install({ logger: new DefaultLogger('ERROR') });
const config = loadConfig(process.env);
const pool = createPool(env('DATABASE_URL'), env('DB_SCHEMA'));
const silent = createLogger('silent');
const taskQueue = env('TASK_QUEUE');
// As in production: payloads encrypted (HUB_PAYLOAD_KEYS required), codes checked by their keyed MAC.
const dataConverter = dataConverterFromConfig(config);
const native = await NativeConnection.connect({ address: env('TEMPORAL_ADDRESS') });
const worker = await createHubWorker({
  connection: native,
  namespace: 'default',
  taskQueue,
  bundle: await bundleWorkflows(),
  dataConverter,
  deps: { pool, logger: silent, codeMac: codeMacFromConfig(config), otp: outboxOtpSender({ db: pool, logger: silent, keepCodes: true }), messenger: unwiredMessenger, journals: unwiredJournals },
});
const running = worker.run();
const connection = await Connection.connect({ address: env('TEMPORAL_ADDRESS') });
const temporal = new Client({ connection, interceptors: { workflow: [requestIdClientInterceptor] }, dataConverter });
const app = createApp({ config, pool, temporal, tokens: tokenService(env('HUB_JWT_SECRET')), logger: silent, taskQueues: { registration: taskQueue, roster: taskQueue } });
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`hub ready ${(server.address() as AddressInfo).port}\n`));
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d: string) => {
  if (d.includes('rss?')) {
    const u = process.resourceUsage();
    process.stdout.write(`rss ${u.maxRSS} ${Math.round(process.memoryUsage().rss / 1024)} ${u.userCPUTime + u.systemCPUTime}\n`);
  }
});
process.on('SIGTERM', () => {
  server.close();
  worker.shutdown();
});
await running;
await pool.end();
process.exit(0);
