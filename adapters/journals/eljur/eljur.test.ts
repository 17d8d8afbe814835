import { describe, expect, it } from 'vitest';
import type { RosterRecord } from '../port.js';
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

describe('eljur: parents of children in several classes', () => {
  it('R-C2: a parent listed in two classes is asked for their relations once; both children are theirs', async () => {
    const model = RosterModel.generate({ seed: 5, schools: 1, grades: 2, studentsPerClass: 3 });
    const school = [...model.schools.keys()][0]!;
    const [a, b] = model.classesOf(school);
    const older = model.enrollmentsOf(school, { classId: a!.id })[0]!.studentId;
    const younger = model.enrollmentsOf(school, { classId: b!.id })[0]!.studentId;
    const parent = model.guardiansOf(older)[0]!.parentId;
    model.linkGuardian(parent, younger);
    const creds = { devkey: 'dev-key-for-tests', vendor: 'school', login: 'hub-sync', password: 'pa55' };
    const sim = await startEljurSimulator(model, creds);
    try {
      const source = new EljurSource({ kind: 'eljur', baseUrl: `${sim.url}/apiv3`, ...creds, rulesBatch: 2, http: { retries: 0, baseDelayMs: 10, maxDelayMs: 10, timeoutMs: 5_000 } });
      const records: RosterRecord[] = [];
      for await (const page of source.readRoster(school)) records.push(...page.records);
      const parents = new Set(model.guardianshipsOf(school).map((g) => g.parentId));
      expect(sim.requestsTo('/apiv3/getrules')).toBe(parents.size);
      const children = records.filter((r) => r.kind === 'guardianship' && r.parentId === parent).map((r) => (r as { childId: string }).childId);
      expect(new Set(children)).toEqual(new Set([older, younger]));
    } finally {
      await sim.close();
    }
  });
});
