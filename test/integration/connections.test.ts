// Journal connections store credentials encrypted (AES-256-GCM) and run rows are idempotent per workflow id.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findConnection, insertConnection, listScheduledConnections, readCredentials, updateConnection } from '../../db/repositories/connections.js';
import { ensureSyncRun, refreshSyncRunTotals, setSyncRunStatus } from '../../db/repositories/sync-runs.js';
import { secretBox } from '../../infra/secrets.js';
import { useTestDb } from '../helpers/db.js';

const db = useTestDb();
const box = secretBox(randomBytes(32));

describe('journal connections', () => {
  it('keeps credentials encrypted at rest and readable with the key only', async () => {
    const c = await insertConnection(db.pool, box, {
      name: 'Eljur Татарстан',
      kind: 'eljur',
      settings: { baseUrl: 'https://eljur.example/apiv3' },
      credentials: { devkey: 'secret-devkey-123', password: 'p@ss' },
      schools: [{ schoolExternalId: 's1' }, { schoolExternalId: 's2', strictMode: true }],
    });
    expect(c.hasCredentials).toBe(true);
    expect(c.schools.map((s) => s.schoolExternalId)).toEqual(['s1', 's2']);
    const { rows } = await db.pool.query(`SELECT credentials_enc::text AS enc FROM journal_connections WHERE id = $1`, [c.id]);
    expect(rows[0].enc).toMatch(/^v1\./);
    expect(rows[0].enc).not.toContain('secret-devkey');
    expect(await readCredentials(db.pool, box, c.id)).toEqual({ devkey: 'secret-devkey-123', password: 'p@ss' });
    await expect(readCredentials(db.pool, secretBox(randomBytes(32)), c.id)).rejects.toThrow();
  });

  it('lists enabled, unpaused connections for the scheduler', async () => {
    const c = await insertConnection(db.pool, box, { name: 'paused one', kind: 'dnevnik' });
    expect((await listScheduledConnections(db.pool)).map((x) => x.id)).toContain(c.id);
    await updateConnection(db.pool, box, c.id, { paused: true, cron: '0 3 * * *' });
    expect((await listScheduledConnections(db.pool)).map((x) => x.id)).not.toContain(c.id);
    expect((await findConnection(db.pool, c.id))?.cron).toBe('0 3 * * *');
  });

  it('one run row per workflow id', async () => {
    const c = await insertConnection(db.pool, box, { name: 'runs', kind: 'oneroster-rest' });
    const a = await ensureSyncRun(db.pool, { connectionId: c.id, workflowId: `reconcile/${c.id}/2025-09-01`, kind: 'nightly', dryRun: false });
    const b = await ensureSyncRun(db.pool, { connectionId: c.id, workflowId: `reconcile/${c.id}/2025-09-01`, kind: 'nightly', dryRun: false });
    expect(b.id).toBe(a.id);
    await setSyncRunStatus(db.pool, a.id, 'applied', { finished: true });
    const r = await refreshSyncRunTotals(db.pool, a.id);
    expect(r.status).toBe('applied');
    expect(r.totals.chats).toBe(0);
    expect(r.finishedAt).not.toBeNull();
  });
});
