// Issue 17 item 5: a connection reaches only allowed places. An authenticated operator must not be able
// to make the hub call its own network (SSRF through POST /connections/:id/test) or read another
// region's export folder, and an operator token without a region sees nothing.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../api/auth.js';
import { isPrivateAddress, placePolicyFromConfig, refusedPlace } from '../../sync/connection-places.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool }));
// Production-like places: public hosts of one vendor, exports only under /srv/exports.
const api = useTestApi(db, temporal, { JOURNAL_ALLOWED_HOSTS: '*.eljur.ru,api.dnevnik.ru', JOURNAL_EXPORTS_ROOT: '/srv/exports', HUB_SECRETS_KEY: randomBytes(32).toString('base64') });
const operator: Principal = { sub: 'op-16', role: 'authority', schools: [], classes: [], region: '16' };

const create = (settings: Record<string, string>, kind = 'eljur', as: Principal = operator) =>
  api.call('POST', '/v1/connections', { as, body: { name: 'Журнал', kind, settings } });

describe('connection places', () => {
  it('a host off the allow-list, a loopback or private address, a metadata address: refused 422, nothing saved', async () => {
    for (const baseUrl of ['https://evil.example/apiv3', 'http://127.0.0.1:5432/', 'http://10.0.0.5/apiv3', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:8080/', 'file:///etc/passwd']) {
      const res = await create({ baseUrl, vendor: 'school', devkey: 'k' });
      expect(res.status, baseUrl).toBe(422);
      expect(res.body.type).toBe('/problems/connection-place-not-allowed');
      expect(res.body.detail).toMatch(/baseUrl/);
    }
    const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM journal_connections`);
    expect(rows[0].n).toBe(0);
  });

  it('a server-side export path outside the exports root (or climbing out of it) is refused', async () => {
    for (const path of ['/etc', '/srv/exports/../other-region', '/srv/exports-evil/x']) {
      const res = await create({ path }, 'oneroster-csv');
      expect(res.status, path).toBe(422);
      expect(res.body.detail).toMatch(/path/);
    }
  });

  it('an allowed public host and a path under the root are accepted', async () => {
    const ok = await create({ path: '/srv/exports/region-16' }, 'oneroster-csv');
    expect(ok.status).toBe(201);
  });

  it('a host allowed by pattern that resolves to a private address is refused; one listed by name is not', async () => {
    const policy = placePolicyFromConfig({ JOURNAL_ALLOWED_HOSTS: '*,sim.local:8091', JOURNAL_EXPORTS_ROOT: undefined });
    const resolveTo = (ip: string) => async () => [ip];
    expect(await refusedPlace({ baseUrl: 'https://journal.example/' }, policy, resolveTo('192.168.1.10'))).toMatchObject({ code: 'private-address' });
    expect(await refusedPlace({ baseUrl: 'https://journal.example/' }, policy, resolveTo('93.184.216.34'))).toBeUndefined();
    expect(await refusedPlace({ baseUrl: 'http://sim.local:8091/apiv3' }, policy, resolveTo('127.0.0.1'))).toBeUndefined();
    expect(await refusedPlace({ path: '/srv/x' }, policy)).toMatchObject({ code: 'path-not-allowed' });
    expect(['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.0.1', '169.254.1.1', '::1', 'fd00::1', '::ffff:10.0.0.1'].every(isPrivateAddress)).toBe(true);
    expect(['8.8.8.8', '93.184.216.34', '172.32.0.1', '2a00:1450::1'].some(isPrivateAddress)).toBe(false);
  });

  it('an authority token without a region is refused 403 on every connection route', async () => {
    const regionless: Principal = { sub: 'op-x', role: 'authority', schools: [], classes: [] };
    const list = await api.call('GET', '/v1/connections', { as: regionless });
    expect(list.status).toBe(403);
    expect(list.body.type).toBe('/problems/authority-region-required');
    expect((await create({ path: '/srv/exports/a' }, 'oneroster-csv', regionless)).status).toBe(403);
  });
});
