// Journey counts for /metrics, read from Temporal visibility so they are right whichever replica is
// scraped; cached so that a scrape does not run a visibility query per gauge.
import type { Client } from '@temporalio/client';
import { Gauge } from 'prom-client';
import { registry } from '../infra/metrics.js';
import { HUB_JOURNEYS } from '../workflows/search-attributes.js';

/** Every HubJourney value a workflow sets, reconciliation runs excepted (they have their own reports). */
export const JOURNEY_KINDS = HUB_JOURNEYS.filter((k) => k !== 'reconcile');

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
