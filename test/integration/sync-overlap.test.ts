// One run that writes per connection at a time (migration 500, sync/live-writer.ts): two runs of
// the same connection would plan against the same chats and apply each other's changes twice.
// Real Temporal, real PostgreSQL, the Eljur and messenger simulators over HTTP; the messenger is made
// slow so a run is still going when the second one is asked for.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../api/auth.js';
import { findSyncRun, findSyncRunByWorkflowId } from '../../db/repositories/sync-runs.js';
import { startNightlySync, startSync } from '../../sync/start-sync.js';
import { HubStage, HubWaitingOn } from '../../workflows/search-attributes.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import {
  actualMembership,
  expectedMembership,
  linkDirectly,
  startRosterWorld,
  syncContext,
  userOf,
  type RosterWorld,
} from '../helpers/roster.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
let w: RosterWorld;
beforeAll(async () => {
  w = await startRosterWorld(db.pool);
  await linkDirectly(db.pool, w, w.model.persons.keys());
});
afterAll(async () => {
  await w?.close();
});
afterEach(() => w.messengerSim.setFaults({ slowShare: 0 }));
const t = useTemporalWorker(() => ({ pool: db.pool, messenger: w.messenger, journals: w.journals }));
const api = useTestApi(db, t);
const operator: Principal = { sub: 'op-16', role: 'authority', schools: [], classes: [], region: '16' };
const syncPath = () => `/v1/connections/${w.connection.id}/sync`;
const ctx = () => syncContext(db.pool, t.client, t.taskQueue, { busyPollMs: 200 });
const slowMessenger = () => w.messengerSim.setFaults({ slowShare: 1, slowMs: 120 });

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('one run that writes per connection', () => {
  it('a second run is refused with 409 sync-already-running naming the run in the way; a dry run may overlap', async () => {
    slowMessenger();
    const first = await api.call('POST', syncPath(), { as: operator, body: {} });
    expect(first.status).toBe(202);
    const { workflowId, run } = first.body as { workflowId: string; run: { id: string } };

    const second = await api.call('POST', syncPath(), { as: operator, body: {} });
    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = second.body as { type: string; detail: string; run: { id: string; workflowId: string; status: string } };
    expect(problem.type).toBe('/problems/sync-already-running');
    expect(problem.run).toMatchObject({ id: run.id, workflowId, status: 'running' });
    expect(problem.detail).toMatch(/уже идёт.*запуск по запросу/);
    const english = await api.call('POST', syncPath(), { as: operator, body: {}, headers: { 'accept-language': 'en' } });
    expect((english.body as { detail: string }).detail).toMatch(/already running/);

    const dry = await api.call('POST', syncPath(), { as: operator, body: { dryRun: true } });
    expect(dry.status).toBe(202);

    await t.client.workflow.getHandle(workflowId).result();
    await t.client.workflow.getHandle((dry.body as { workflowId: string }).workflowId).result();
    expect(actualMembership(w.messengerSim)).toEqual(expectedMembership(w));
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM sync_runs WHERE connection_id = $1 AND NOT dry_run`, [w.connection.id]);
    expect((rows[0] as { n: number }).n).toBe(1); // the refused requests left no run behind

    const after = await api.call('POST', syncPath(), { as: operator, body: {} });
    expect(after.status).toBe(202);
    await t.client.workflow.getHandle((after.body as { workflowId: string }).workflowId).result();
  });

  it('R-C5: the nightly run waits for a run on demand, then runs: the change is applied once', async () => {
    const [firstClass] = w.model.classesOf(w.school);
    const student = w.model.enroll(firstClass!.id);
    await linkDirectly(db.pool, w, [student]);
    slowMessenger();
    const onDemand = await startSync(ctx(), { connectionId: w.connection.id, dryRun: false });
    await until('the run on demand to open', () => findSyncRunByWorkflowId(db.pool, onDemand.workflowId));
    const nightly = await startNightlySync(ctx(), w.connection.id, '2026-11-23');
    const nightlyHandle = t.client.workflow.getHandle(nightly.workflowId);
    await until('the nightly run to say it waits', async () => {
      const sa = (await nightlyHandle.describe()).typedSearchAttributes;
      return sa.get(HubStage) === 'waiting-for-run' && sa.get(HubWaitingOn) === 'other-run' ? true : undefined;
    });
    expect(await findSyncRunByWorkflowId(db.pool, nightly.workflowId)).toBeUndefined();

    await t.client.workflow.getHandle(onDemand.workflowId).result();
    const writesAfterFirst = w.messengerSim.counters().writeCalls;
    await nightlyHandle.result();
    const first = (await findSyncRunByWorkflowId(db.pool, onDemand.workflowId))!;
    const second = (await findSyncRunByWorkflowId(db.pool, nightly.workflowId))!;
    expect(first.status).toBe('applied');
    expect(first.totals.appliedAdds).toBeGreaterThan(0);
    expect(second.status).toBe('applied');
    expect(second.startedAt.getTime()).toBeGreaterThanOrEqual(first.finishedAt!.getTime());
    expect(second.totals).toMatchObject({ adds: 0, removes: 0 });
    expect(w.messengerSim.counters().writeCalls).toBe(writesAfterFirst);
    expect(actualMembership(w.messengerSim)).toEqual(expectedMembership(w));
    expect([...actualMembership(w.messengerSim).values()].some((m) => m.includes(userOf(student)))).toBe(true);
  });

  it('a run left "running" by a workflow that was terminated does not block the next one', async () => {
    slowMessenger();
    const started = await api.call('POST', syncPath(), { as: operator, body: {} });
    const { workflowId, run } = started.body as { workflowId: string; run: { id: string } };
    await t.client.workflow.getHandle(workflowId).terminate('test: a worker fleet gone wrong');
    expect((await findSyncRun(db.pool, run.id))!.status).toBe('running');

    const next = await api.call('POST', syncPath(), { as: operator, body: {} });
    expect(next.status).toBe(202);
    const abandoned = (await findSyncRun(db.pool, run.id))!;
    expect(abandoned.status).toBe('failed');
    expect(abandoned.error).toMatch(/TERMINATED/);
    await t.client.workflow.getHandle((next.body as { workflowId: string }).workflowId).result();
    expect(actualMembership(w.messengerSim)).toEqual(expectedMembership(w));
  });

  it('a new run discards a run held by the mass-change guard (its plan is stale) and plans afresh', async () => {
    w.model.truncate(w.school, 2);
    const held = await startSync(ctx(), { connectionId: w.connection.id, dryRun: false });
    const heldRun = await until('the guard to hold the run', async () => {
      const r = await findSyncRunByWorkflowId(db.pool, held.workflowId);
      return r?.status === 'awaiting-confirmation' ? r : undefined;
    });
    const writes = w.messengerSim.counters().writeCalls;

    const fresh = await api.call('POST', syncPath(), { as: operator, body: {} });
    expect(fresh.status).toBe(202);
    const freshWorkflowId = (fresh.body as { workflowId: string }).workflowId;
    const heldState = await t.client.workflow.getHandle(held.workflowId).result();
    expect(heldState.status).toBe('discarded');
    const closed = (await findSyncRun(db.pool, heldRun.id))!;
    expect(closed.status).toBe('discarded');
    expect(closed.decidedBy).toBe(`system:superseded-by:${freshWorkflowId}`);

    // The fresh run read the truncated journal again and is held in its turn; nothing was removed.
    const again = await until('the fresh run to be held', async () => {
      const r = await findSyncRunByWorkflowId(db.pool, freshWorkflowId);
      return r?.status === 'awaiting-confirmation' ? r : undefined;
    });
    expect(w.messengerSim.counters().writeCalls).toBe(writes);
    const discard = await api.call('POST', `/v1/sync-runs/${again.id}/discard`, { as: operator, body: { reason: 'тест' } });
    expect(discard.status).toBe(200);
  });
});
