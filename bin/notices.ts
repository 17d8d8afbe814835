// Notice dispatcher process (issue 14, docs/notices.md): drains `notifications` through e-mail, SMS
// and the messenger bot. Any number may run; they share the table through row locks and leases.
import { loadConfig } from '../infra/config.js';
import { openDatabase } from '../infra/database.js';
import { createLogger } from '../infra/logger.js';
import { runUntilSignal } from '../infra/lifecycle.js';
import { noticeDispatcherFromConfig } from '../notices/from-config.js';

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL, 'notices');
runUntilSignal(logger, async () => {
  const pool = await openDatabase(config);
  const running = noticeDispatcherFromConfig(config, pool, logger).start();
  return [{ stop: () => pool.end() }, running];
});
