// The Temporal SDK's logger (runtime, worker, workflow `log` calls through the sinks) written through
// the hub's pino logger, so the same redaction by key and by value applies to every line.
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from './logger.js';

const ORDER: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };
const PINO: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

export function temporalLogger(logger: Logger, minimum: LogLevel = 'WARN'): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata): void => {
    if (ORDER[level] < ORDER[minimum]) return;
    logger[PINO[level]]({ ...(meta ?? {}) }, message);
  };
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
  };
}
