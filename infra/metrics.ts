// Prometheus metrics (prom-client). One registry per process: the API serves it at /metrics; the
// worker's counters (sync changes, messenger errors) land in the same registry when they share a
// process (dev stack) and are served by the worker's own metrics port otherwise (bin/worker wiring).
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
