// node-cron scheduler for nightly reconciliation; safe to run as several replicas.
import { loadConfig } from '../infra/config.js';
import { openDatabase } from '../infra/database.js';
import { createLogger } from '../infra/logger.js';
import { runUntilSignal } from '../infra/lifecycle.js';
import { dataConverterFromConfig } from '../infra/payload-codec.js';
import { connectClient } from '../infra/temporal.js';
import { runScheduler } from '../app/processes.js';

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL, 'scheduler');
runUntilSignal(logger, async () => {
  const pool = await openDatabase(config);
  const temporal = await connectClient(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE, {}, dataConverterFromConfig(config));
  const scheduler = await runScheduler(config, pool, temporal, logger);
  return [{ stop: () => pool.end() }, { stop: () => temporal.connection.close() }, scheduler];
});
