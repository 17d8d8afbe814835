// Temporal worker: registers the hub's workflows and activities on the registration and roster queues.
import { loadConfig } from '../infra/config.js';
import { openDatabase } from '../infra/database.js';
import { createLogger } from '../infra/logger.js';
import { runWorkers } from '../app/processes.js';
import { runUntilSignal } from '../infra/lifecycle.js';
import { noticeDispatcherFromConfig } from '../notices/from-config.js';

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL, 'worker');
runUntilSignal(logger, async () => {
  const pool = await openDatabase(config);
  const workers = await runWorkers(config, pool, logger);
  // Notices go out from every worker (they share the table through row locks); bin/notices.ts runs more.
  const notices = noticeDispatcherFromConfig(config, pool, logger).start();
  return [{ stop: () => pool.end() }, workers, notices];
});
