// Runs on demand over HTTP: an authority operator starts a dry run and reads its report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../api/auth.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { startRosterWorld, type RosterWorld } from '../helpers/roster.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
let w: RosterWorld;
beforeAll(async () => {
  w = await startRosterWorld(db.pool);
});
afterAll(async () => {
  await w?.close();
});
const t = useTemporalWorker(() => ({ pool: db.pool, messenger: w.messenger, journals: w.journals }));
const api = useTestApi(db, t);
const operator: Principal = { sub: 'op-16', role: 'authority', schools: [], classes: [], region: '16' };

describe('sync runs over HTTP', () => {
  it('R-C6: a dry run on demand reports every journal person as pending and applies nothing', async () => {
    const started = await api.call('POST', `/v1/connections/${w.connection.id}/sync`, { as: operator, body: { dryRun: true } });
    expect(started.status).toBe(202);
    const { workflowId } = started.body as { workflowId: string };
    await t.client.workflow.getHandle(workflowId).result();
    const { rows } = await db.pool.query(`SELECT id FROM sync_runs WHERE workflow_id = $1`, [workflowId]);
    const report = await api.call('GET', `/v1/sync-runs/${(rows[0] as { id: string }).id}`, { as: operator });
    expect(report.status).toBe(200);
    const body = report.body as { status: string; report: { pending: number; adds: number }; chats: Array<{ title: string }> };
    expect(body.status).toBe('planned');
    expect(body.report.pending).toBeGreaterThan(0);
    expect(body.chats.map((c) => c.title)).toContain('1А - Русский язык');
    expect(w.messengerSim.counters().writeCalls).toBe(0);
    const confirm = await api.call('POST', `/v1/sync-runs/${(rows[0] as { id: string }).id}/confirm`, {
      as: operator,
      body: { reason: 'проверка' },
    });
    expect(confirm.status).toBe(409);
  });

  it('only authority operators of the region may start runs', async () => {
    const other = await api.call('POST', `/v1/connections/${w.connection.id}/sync`, { as: { ...operator, region: '77' }, body: {} });
    expect(other.status).toBe(404);
    const admin = await api.call('POST', `/v1/connections/${w.connection.id}/sync`, { as: { sub: 'a', role: 'school_admin', schools: [], classes: [] }, body: {} });
    expect(admin.status).toBe(403);
  });
});
