// Messenger call counters per unit of work. One adapter instance serves every activity of a worker at
// once, so its own counters mix runs; an activity that wants its run's figures (calls, retries, 429s…)
// runs its work inside `countMessengerCalls`, and the adapter adds to that scope's counters as well.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { MessengerCallStats } from './port.js';

const scope = new AsyncLocalStorage<MessengerCallStats>();

/** Runs `work`; `stats` receives the messenger calls it made, failed ones included, even if `work` throws. */
export function countMessengerCalls<T>(stats: MessengerCallStats, work: () => Promise<T>): Promise<T> {
  return scope.run(stats, work);
}

/** Applies `change` to the adapter's own counters and to the current unit of work's, if any. */
export function recordMessengerCall(own: MessengerCallStats, change: (s: MessengerCallStats) => void): void {
  change(own);
  const current = scope.getStore();
  if (current) change(current);
}

