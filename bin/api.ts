// HTTP API and support console.
import { loadConfig } from '../infra/config.js';
import { openDatabase } from '../infra/database.js';
import { createLogger } from '../infra/logger.js';
import { runApi } from '../app/processes.js';
import { runUntilSignal } from '../infra/lifecycle.js';

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL, 'api');
runUntilSignal(logger, async () => {
  const pool = await openDatabase(config);
  const api = await runApi(config, pool, logger);
  return [{ stop: () => pool.end() }, api];
});
