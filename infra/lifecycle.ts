// Starting and stopping a process's parts in order, on SIGINT/SIGTERM.
import type { Logger } from './logger.js';

export interface Stoppable {
  stop(): Promise<void>;
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
