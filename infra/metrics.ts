// Prometheus metrics (prom-client). One registry per process: the API serves it at /metrics; the
// worker's counters (sync changes, messenger errors) land in the same registry when they share a
// process (dev stack) and are served by the worker's own metrics port otherwise (bin/worker wiring).
import type { Client } from '@temporalio/client';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { HUB_JOURNEYS } from '../workflows/search-attributes.js';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'hub_process_' });

export const httpDuration = new Histogram({
  name: 'hub_http_request_duration_seconds',
  help: 'HTTP request latency by route (the route-table path, never the raw URL) and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const syncChangesApplied = new Counter({
  name: 'hub_sync_changes_applied_total',
  help: 'What reconciliation applied at the messenger, by op: memberships added or removed, chats created',
  labelNames: ['op'] as const,
  registers: [registry],
});

export const messengerChatsCreatedAgain = new Counter({
  name: 'hub_messenger_chats_created_again_total',
  help: 'Chats created again because an earlier createChat was never recorded (the messenger may hold a duplicate), by path: reconcile run or journal link',
  labelNames: ['via'] as const,
  registers: [registry],
});

export const messengerErrors = new Counter({
  name: 'hub_messenger_errors_total',
  help: 'Failed messenger requests, by error code and outcome (retried in place, or failed to the caller)',
  labelNames: ['code', 'outcome'] as const,
  registers: [registry],
});

/** Every HubJourney value a workflow sets, reconciliation runs excepted (they have their own reports). */
export const JOURNEY_KINDS = HUB_JOURNEYS.filter((k) => k !== 'reconcile');

/** Journey counts come from Temporal visibility, so they are right whichever replica is scraped. */
export function journeyGauges(temporal: Client, cacheMs = 15_000): void {
  let cached: { at: number; values: Map<string, number> } | undefined;
  const read = async (): Promise<Map<string, number>> => {
    if (cached && Date.now() - cached.at < cacheMs) return cached.values;
    const values = new Map<string, number>();
    await Promise.all(
      JOURNEY_KINDS.flatMap((kind) =>
        (
          [
            ['started', `HubJourney = '${kind}'`],
            ['completed', `HubJourney = '${kind}' AND ExecutionStatus = 'Completed'`],
            ['stuck', `HubJourney = '${kind}' AND ExecutionStatus = 'Running' AND HubStuckSince IS NOT NULL`],
          ] as const
        ).map(async ([state, query]) => {
          const { count } = await temporal.workflow.count(query).catch(() => ({ count: Number.NaN }));
          values.set(`${state}/${kind}`, count);
        }),
      ),
    );
    cached = { at: Date.now(), values };
    return values;
  };
  for (const state of ['started', 'completed', 'stuck'] as const) {
    const name = `hub_journeys_${state}`;
    if (registry.getSingleMetric(name)) registry.removeSingleMetric(name);
    new Gauge({
      name,
      help: `Registration journeys ${state} (from Temporal visibility), by kind`,
      labelNames: ['kind'] as const,
      registers: [registry],
      async collect() {
        const values = await read();
        for (const kind of JOURNEY_KINDS) this.set({ kind }, values.get(`${state}/${kind}`) ?? Number.NaN);
      },
    });
  }
}
