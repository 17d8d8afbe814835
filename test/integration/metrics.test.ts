// Issue 6 "metrics": the worker's own Prometheus counters are real (sync changes applied, messenger
// errors, journeys by kind) and the worker serves them over HTTP on its metrics port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journeyGauges } from '../../infra/metrics.js';
import { startMetricsServer, type MetricsServer } from '../../infra/metrics-server.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { linkDirectly, runSync, startRosterWorld, syncContext, type RosterWorld } from '../helpers/roster.js';
import { newPhone, signupSteps } from '../helpers/signup.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
let w: RosterWorld;
let metrics: MetricsServer;
beforeAll(async () => {
  w = await startRosterWorld(db.pool);
  metrics = await startMetricsServer(0, '127.0.0.1');
});
const t = useTemporalWorker(() => ({ pool: db.pool, messenger: w.messenger, journals: w.journals }));
const api = useTestApi(db, t);
const signup = signupSteps(api, db);
afterAll(async () => {
  await metrics?.stop();
  await w?.close();
});

/** The worker's /metrics, over HTTP, as `name{labels}` → value. */
async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${metrics.port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const values = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m) values.set(m[1]!, Number(m[2]));
  }
  return values;
}
const delta = (before: Map<string, number>, after: Map<string, number>, key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);

describe('worker metrics', () => {
  it('a sync grows hub_sync_changes_applied_total by the changes it applied; a 503 counts as a retried messenger error', async () => {
    await linkDirectly(db.pool, w, w.model.persons.keys());
    const before = await scrape();
    w.messengerSim.script({ kind: '503' });

    const { run } = await runSync(syncContext(db.pool, t.client, t.taskQueue), { connectionId: w.connection.id, dryRun: false });

    const after = await scrape();
    expect(run.status).toBe('applied');
    expect(run.totals.appliedAdds).toBeGreaterThan(0);
    expect(delta(before, after, 'hub_sync_changes_applied_total{op="add"}')).toBe(run.totals.appliedAdds);
    expect(delta(before, after, 'hub_sync_changes_applied_total{op="create_chat"}')).toBe(w.messengerSim.store.chats.size);
    expect(delta(before, after, 'hub_messenger_errors_total{code="unavailable",outcome="retried"}')).toBe(1);
  });

  it('removals count as op="remove" (an expelled student leaves their chats)', async () => {
    const leaving = w.model.enrollmentsOf(w.school)[0]!.studentId;
    w.model.expel(leaving);
    const before = await scrape();

    const { run } = await runSync(syncContext(db.pool, t.client, t.taskQueue, {}, 1), { connectionId: w.connection.id, dryRun: false });

    const after = await scrape();
    expect(run.status).toBe('applied');
    expect(run.totals.appliedRemoves).toBeGreaterThan(0);
    expect(delta(before, after, 'hub_sync_changes_applied_total{op="remove"}')).toBe(run.totals.appliedRemoves);
    expect(delta(before, after, 'hub_sync_changes_applied_total{op="add"}')).toBe(0);
  });

  it('journeys started / stuck by kind follow Temporal: a new signup waiting for its code is counted in both', async () => {
    journeyGauges(t.client, 0);
    const before = await scrape();
    const started = await signup.start({ phone: newPhone() });
    expect(started.status).toBe(200);
    let after = before;
    for (let i = 0; i < 50; i++) {
      after = await scrape();
      if (delta(before, after, 'hub_journeys_started{kind="signup"}') > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(delta(before, after, 'hub_journeys_started{kind="signup"}')).toBeGreaterThanOrEqual(1);
    // Other files share the Temporal server and may finish signups meanwhile: "stuck" is checked as a level.
    expect(after.get('hub_journeys_stuck{kind="signup"}')).toBeGreaterThanOrEqual(1);
    expect(after.has('hub_journeys_started{kind="journal-link"}')).toBe(true);
  });

  it('the metrics listener answers 404 off /metrics', async () => {
    expect((await fetch(`http://127.0.0.1:${metrics.port}/`)).status).toBe(404);
  });
});
