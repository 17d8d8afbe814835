import { describe, expect, it } from 'vitest';
import { isJournalSourceError } from '../errors.js';
import type { RosterRecord } from '../port.js';
import { journalSourceConformance, readAll } from '../../../test/conformance/journal-source.conformance.js';
import { RosterModel } from '../testing/roster-model.js';
import { DnevnikSource } from './adapter.js';
import { startDnevnikSimulator, type DnevnikSimOptions } from './simulator.js';

journalSourceConformance('dnevnik', async () => {
  const model = RosterModel.generate({ seed: 11, schools: 2 });
  const sim = await startDnevnikSimulator(model, { token: 'dnevnik-token' });
  return {
    model,
    schoolId: [...model.schools.keys()][1]!,
    faults: sim.faults,
    // Person lists carry no birthday or contacts (model/user/Person.java); only teachers do.
    personFields: ['middleName'],
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

async function withDnevnik(extra: Partial<DnevnikSimOptions>, body: (ctx: { model: RosterModel; school: string; sim: Awaited<ReturnType<typeof startDnevnikSimulator>>; source: (retries?: number) => DnevnikSource }) => Promise<void>) {
  const model = RosterModel.generate({ seed: 12, schools: 1, grades: 1, studentsPerClass: 4 });
  const school = [...model.schools.keys()][0]!;
  const sim = await startDnevnikSimulator(model, { token: 'dnevnik-token', ...extra });
  const source = (retries = 3) =>
    new DnevnikSource({ kind: 'dnevnik', baseUrl: sim.url, accessToken: 'dnevnik-token', http: { retries, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 5_000, maxRetryAfterMs: 5_000 } });
  try {
    await body({ model, school, sim, source });
  } finally {
    await sim.close();
  }
}

describe('dnevnik: subgroups (issue 16 item 2, R-C4)', () => {
  it('R-C4: a subgroup is not a class: no class, enrollment or parents of its own; its teacher joins the class\'s subject chat', async () => {
    const model = RosterModel.generate({ seed: 12, schools: 1, grades: 1, studentsPerClass: 4 });
    const school = [...model.schools.keys()][0]!;
    const [cls] = model.classesOf(school);
    const english = model.subjectsOf(school).find((s) => s.name === 'Английский язык')!;
    const second = model.hire(school, 'teacher');
    const half = model.enrollmentsOf(school, { classId: cls!.id }).slice(0, 2).map((e) => e.studentId);
    const sim = await startDnevnikSimulator(model, {
      token: 'dnevnik-token',
      subgroups: [{ id: '990001', classId: cls!.id, name: `${cls!.name} англ. гр. 2`, subjectId: english.id, teacherId: second, studentIds: half }],
    });
    try {
      const source = new DnevnikSource({ kind: 'dnevnik', baseUrl: sim.url, accessToken: 'dnevnik-token', http: { retries: 0, timeoutMs: 5_000 } });
      const records: RosterRecord[] = (await readAll(source, school)).flatMap((p) => p.records);
      expect(records.filter((r) => r.kind === 'class').map((r) => (r as { externalId: string }).externalId).sort()).toEqual(model.classesOf(school).map((c) => c.id).sort());
      expect(records.some((r) => JSON.stringify(r).includes('990001'))).toBe(false);
      expect(records).toContainEqual({ kind: 'teaching', teacherId: second, subjectId: english.id, classId: cls!.id });
      // The class's own English teacher still teaches it: one subject chat, both teachers.
      const own = model.teachingOf(school, cls!.id).find((t) => t.subjectId === english.id)!;
      expect(records).toContainEqual({ kind: 'teaching', teacherId: own.teacherId, subjectId: english.id, classId: cls!.id });
      // The subgroup's students are enrolled in the class once, not in the subgroup.
      for (const s of half) expect(records.filter((r) => r.kind === 'enrollment' && r.studentId === s)).toEqual([{ kind: 'enrollment', studentId: s, classId: cls!.id, status: 'active' }]);
    } finally {
      await sim.close();
    }
  });
});

describe('dnevnik: errors as Dnevnik sends them (issue 16 item 2)', () => {
  it('`invalidToken` is an authorisation failure even under HTTP 400, and is not retried', async () => {
    await withDnevnik({}, async ({ school, sim, source }) => {
      sim.vendorFaults.inject({ kind: 'error', status: 400, type: 'invalidToken', description: 'Token is invalid' }, { path: /edu-groups$/ });
      const before = sim.requests;
      const err = await readAll(source(), school).catch((e: unknown) => e);
      expect(isJournalSourceError(err, 'auth')).toBe(true);
      expect(isJournalSourceError(err) && err.retryable).toBe(false);
      expect(sim.requests - before).toBe(1);
    });
  });

  it('`apiRequestLimit` is a rate limit whatever the status: waited out, and the read completes', async () => {
    await withDnevnik({}, async ({ model, school, sim, source }) => {
      sim.vendorFaults.inject({ kind: 'error', status: 400, type: 'apiRequestLimit', description: 'Request limit exceeded', retryAfterSeconds: 1 }, { path: /students$/ });
      const started = Date.now();
      const records = (await readAll(source(), school)).flatMap((p) => p.records);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(records.filter((r) => r.kind === 'enrollment').length).toBe(model.enrollmentsOf(school).length);
    });
  });

  it('`apiRequestLimit` that outlasts the wait allowed ends the read as rate-limited (retryable), not bad data', async () => {
    await withDnevnik({}, async ({ school, sim, source }) => {
      sim.vendorFaults.inject({ kind: 'error', status: 200, type: 'apiRequestLimit', retryAfterSeconds: 3600 }, { times: 10 });
      const err = await readAll(source(), school).catch((e: unknown) => e);
      expect(isJournalSourceError(err, 'rate-limited')).toBe(true);
      expect(isJournalSourceError(err) && err.retryable).toBe(true);
    });
  });

  it('an HTML error page is an upstream failure named as such: retried, then `unavailable` with the page\'s own words', async () => {
    await withDnevnik({}, async ({ school, sim, source }) => {
      sim.vendorFaults.inject({ kind: 'html', status: 200, description: 'Ведутся технические работы' });
      expect((await readAll(source(), school)).at(-1)?.done).toBe(true);
      sim.vendorFaults.inject({ kind: 'html', status: 502, description: 'Ведутся технические работы' }, { times: 10 });
      const err = await readAll(source(2), school).catch((e: unknown) => e);
      expect(isJournalSourceError(err, 'unavailable')).toBe(true);
      expect(isJournalSourceError(err, 'unavailable') && err.detail.code === 'unavailable' && err.detail.reason).toBe('HTML page instead of JSON: Ведутся технические работы');
    });
  });
});
