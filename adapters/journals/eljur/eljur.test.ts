import { journalSourceConformance } from '../../../test/conformance/journal-source.conformance.js';
import { RosterModel } from '../testing/roster-model.js';
import { EljurSource } from './adapter.js';
import { startEljurSimulator } from './simulator.js';

journalSourceConformance('eljur', async () => {
  const model = RosterModel.generate({ seed: 3, schools: 2 });
  const creds = { devkey: 'dev-key-for-tests', vendor: 'school', login: 'hub-sync', password: 'pa55' };
  const sim = await startEljurSimulator(model, creds);
  return {
    model,
    schoolId: [...model.schools.keys()][0]!,
    faults: sim.faults,
    personFields: ['middleName', 'birthDate', 'phone', 'email'],
    hasCredentials: true,
    source: (opts = {}) =>
      new EljurSource({
        kind: 'eljur',
        baseUrl: `${sim.url}/apiv3`,
        ...creds,
        password: opts.badCredentials ? 'guess' : creds.password,
        staffPageSize: 7,
        rulesBatch: 4,
        http: { retries: opts.retries ?? 5, baseDelayMs: 10, maxDelayMs: 100, timeoutMs: 5_000 },
      }),
    close: () => sim.close(),
  };
});
