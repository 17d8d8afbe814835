import { journalSourceConformance } from '../../../test/conformance/journal-source.conformance.js';
import { RosterModel } from '../testing/roster-model.js';
import { OneRosterRestSource } from './adapter.js';
import { ONEROSTER_BASE, startOneRosterSimulator } from './simulator.js';

journalSourceConformance('oneroster-rest', async () => {
  const model = RosterModel.generate({ seed: 7, schools: 2 });
  const sim = await startOneRosterSimulator(model, { clientId: 'hub', clientSecret: 's3cret' });
  return {
    model,
    schoolId: [...model.schools.keys()][0]!,
    faults: sim.faults,
    personFields: ['middleName', 'phone', 'email'],
    hasCredentials: true,
    source: (opts = {}) =>
      new OneRosterRestSource({
        kind: 'oneroster-rest',
        baseUrl: `${sim.url}${ONEROSTER_BASE}`,
        tokenUrl: `${sim.url}/oauth/token`,
        clientId: 'hub',
        clientSecret: opts.badCredentials ? 'wrong' : 's3cret',
        pageSize: 25,
        http: { retries: opts.retries ?? 5, baseDelayMs: 10, maxDelayMs: 100, timeoutMs: 5_000 },
      }),
    close: () => sim.close(),
  };
});
