// Authority operators: register a journal connection (credentials sealed, never returned), test it,
// pause and enable it, start a dry run and follow it to its report. Region-scoped.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../api/auth.js';
import { InMemoryMessenger } from '../../adapters/messenger/in-memory.js';
import { projectRoot } from '../../infra/paths.js';
import { secretBox } from '../../infra/secrets.js';
import { journalFactory } from '../../sync/journal-factory.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const key = randomBytes(32);
const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool, journals: journalFactory(db.pool, secretBox(key)), messenger: new InMemoryMessenger() }));
const api = useTestApi(db, temporal, { HUB_SECRETS_KEY: key.toString('base64') });

const operator: Principal = { sub: 'op-kazan', role: 'authority', schools: [], classes: [], region: '16' };
const elsewhere: Principal = { sub: 'op-perm', role: 'authority', schools: [], classes: [], region: '59' };
const fixture = join(projectRoot, 'test', 'fixtures', 'oneroster', 'catalyst-v1p2');

async function register(): Promise<{ id: string; body: Record<string, unknown> }> {
  const res = await api.call('POST', '/v1/connections', {
    as: operator,
    body: {
      name: 'Выгрузка OneRoster',
      kind: 'oneroster-csv',
      settings: { path: fixture },
      credentials: { token: 's3cret-token-value' },
      schools: [{ schoolExternalId: 'org-sch-222-456' }],
      nightlyAt: '03:15',
      timezone: 'Asia/Yekaterinburg',
    },
  });
  expect(res.status).toBe(201);
  return { id: res.body.id, body: res.body };
}

describe('journal connections (authority)', () => {
  it('registers a connection: credentials are encrypted at rest and never returned', async () => {
    const { id, body } = await register();
    expect(body).toMatchObject({ kind: 'oneroster-csv', hasCredentials: true, nightlyAt: '03:15', timezone: 'Asia/Yekaterinburg', status: 'enabled', region: '16' });
    expect(JSON.stringify(body)).not.toContain('s3cret');
    const got = await api.call('GET', `/v1/connections/${id}`, { as: operator });
    expect(JSON.stringify(got.body)).not.toContain('s3cret');
    const list = await api.call('GET', '/v1/connections', { as: operator });
    expect(JSON.stringify(list.body)).not.toContain('s3cret');
    const { rows } = await db.pool.query(`SELECT credentials_enc FROM journal_connections WHERE id = $1`, [id]);
    expect(rows[0].credentials_enc).not.toContain('s3cret');
  });

  it('tests a connection by reaching the source and counting its schools', async () => {
    const { id } = await register();
    const res = await api.call('POST', `/v1/connections/${id}/test`, { as: operator, body: {} });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(res.body.schools).toBeGreaterThan(0);
    const broken = await api.call('POST', '/v1/connections', { as: operator, body: { name: 'нет файла', kind: 'oneroster-csv', settings: { path: '/nonexistent/dir' } } });
    const failed = await api.call('POST', `/v1/connections/${broken.body.id}/test`, { as: operator, body: {} });
    expect(failed.body.ok).toBe(false);
  });

  it('pauses and enables; another region cannot see or touch it', async () => {
    const { id } = await register();
    expect((await api.call('POST', `/v1/connections/${id}/pause`, { as: operator, body: {} })).body.status).toBe('paused');
    expect((await api.call('POST', `/v1/connections/${id}/enable`, { as: operator, body: {} })).body.status).toBe('enabled');
    expect((await api.call('GET', `/v1/connections/${id}`, { as: elsewhere })).status).toBe(404);
    expect((await api.call('POST', `/v1/connections/${id}/pause`, { as: elsewhere, body: {} })).status).toBe(404);
    expect((await api.call('GET', '/v1/connections', { as: elsewhere })).body.items.map((c: { id: string }) => c.id)).not.toContain(id);
  });

  it('R-C5: a dry run on demand is followed to its report; confirming a run that is not held is refused', async () => {
    const { id } = await register();
    const started = await api.call('POST', `/v1/connections/${id}/sync`, { as: operator, body: { dryRun: true } });
    expect(started.status).toBe(202);
    expect(started.body.run).not.toBeNull();
    const runId = started.body.run.id;
    await expect.poll(async () => (await api.call('GET', `/v1/sync-runs/${runId}`, { as: operator })).body.status, { timeout: 30_000, interval: 300 }).not.toBe('running');
    const run = await api.call('GET', `/v1/sync-runs/${runId}`, { as: operator });
    expect(run.body.status).toBe('planned');
    // Nobody is linked yet: the dry run adds and removes nothing and lists everyone as pending (R-C6).
    expect(run.body.report).toMatchObject({ adds: 0, removes: 0, errors: 0 });
    expect(run.body.report.pending).toBeGreaterThan(0);
    expect(run.body.report.chats).toBeGreaterThan(0);
    const runs = await api.call('GET', `/v1/connections/${id}/runs`, { as: operator });
    expect(runs.body.items[0].id).toBe(runId);
    expect(runs.body.items[0].startedAtLocal).toMatch(/GMT\+5|UTC\+5/);
    const confirm = await api.call('POST', `/v1/sync-runs/${runId}/confirm`, { as: operator, body: { reason: 'проверено' } });
    expect(confirm.status).toBe(409);
  });
});
