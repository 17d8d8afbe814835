import { journalSourceConformance } from '../../../test/conformance/journal-source.conformance.js';
import { RosterModel } from '../testing/roster-model.js';
import { DnevnikSource } from './adapter.js';
import { startDnevnikSimulator } from './simulator.js';

journalSourceConformance('dnevnik', async () => {
  const model = RosterModel.generate({ seed: 11, schools: 2 });
  const sim = await startDnevnikSimulator(model, { token: 'dnevnik-token' });
  return {
    model,
    schoolId: [...model.schools.keys()][1]!,
    faults: sim.faults,
    personFields: ['middleName', 'birthDate'],
    hasCredentials: true,
    source: (opts = {}) =>
      new DnevnikSource({
        kind: 'dnevnik',
        baseUrl: sim.url,
        accessToken: opts.badCredentials ? 'stolen' : 'dnevnik-token',
        relativesBatch: 3,
        http: { retries: opts.retries ?? 5, baseDelayMs: 10, maxDelayMs: 100, timeoutMs: 5_000 },
      }),
    close: () => sim.close(),
  };
});
