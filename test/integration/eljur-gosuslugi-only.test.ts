// Issue 16 item 3: an Eljur installation that signs people in only through Госуслуги has no passwords.
// Its connection is refused at connection test with a message that says so (and what to do), without
// a request to the journal; with a token the vendor issued for the integration it reads.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../api/auth.js';
import { startEljurSimulator } from '../../adapters/journals/eljur/simulator.js';
import type { RunningSim } from '../../adapters/journals/testing/sim-server.js';
import { RosterModel } from '../../adapters/journals/testing/roster-model.js';
import { InMemoryMessenger } from '../../adapters/messenger/in-memory.js';
import { secretBox } from '../../infra/secrets.js';
import { journalFactory } from '../../sync/journal-factory.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const key = randomBytes(32);
const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool, journals: journalFactory(db.pool, secretBox(key)), messenger: new InMemoryMessenger() }));
const api = useTestApi(db, temporal, { HUB_SECRETS_KEY: key.toString('base64') });
const operator: Principal = { sub: 'op-nn', role: 'authority', schools: [], classes: [], region: '52' };

const model = RosterModel.generate({ seed: 52, schools: 2, grades: 1, studentsPerClass: 2 });
let sim: RunningSim;
beforeAll(async () => {
  sim = await startEljurSimulator(model, { devkey: 'dk', vendor: 'edu', login: 'unused', password: 'unused', gosuslugiOnly: true, issuedTokens: ['vendor-issued'] });
});
afterAll(async () => {
  await sim.close();
});

async function register(credentials: Record<string, string>): Promise<string> {
  const res = await api.call('POST', '/v1/connections', {
    as: operator,
    body: { name: 'ЭлЖур (Госуслуги)', kind: 'eljur', settings: { baseUrl: `${sim.url}/apiv3`, vendor: 'edu', signIn: 'gosuslugi-only' }, credentials },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

describe('Eljur installations that sign in only through Госуслуги (issue 16 item 3)', () => {
  it('R-L1: without an integration token the connection test answers with the reason and the remedy, and asks the journal nothing', async () => {
    const id = await register({ devkey: 'dk' });
    const before = sim.requests;
    const res = await api.call('POST', `/v1/connections/${id}/test`, { as: operator, body: {} });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, error: 'auth' });
    expect(res.body.message).toMatch(/только через Госуслуги/);
    expect(res.body.message).toMatch(/authToken/);
    expect(sim.requests).toBe(before);
  });

  it('R-L1: with the token the vendor issued, the same installation is reached and its schools counted', async () => {
    const id = await register({ devkey: 'dk', authToken: 'vendor-issued' });
    const res = await api.call('POST', `/v1/connections/${id}/test`, { as: operator, body: {} });
    expect(res.body).toMatchObject({ ok: true, schools: 2 });
  });
});
