import { describe, expect, it } from 'vitest';
import { isJournalSourceError } from '../errors.js';
import type { RosterRecord } from '../port.js';
import { journalSourceConformance, readAll } from '../../../test/conformance/journal-source.conformance.js';
import { RosterModel } from '../testing/roster-model.js';
import { EljurSource, type EljurConfig } from './adapter.js';
import { startEljurSimulator, type EljurSimOptions } from './simulator.js';

const creds = { devkey: 'dev-key-for-tests', vendor: 'school', login: 'hub-sync', password: 'pa55' };
const quick = { retries: 0, baseDelayMs: 10, maxDelayMs: 10, timeoutMs: 5_000 };

journalSourceConformance('eljur', async () => {
  const model = RosterModel.generate({ seed: 3, schools: 2 });
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
        http: { retries: opts.retries ?? 5, baseDelayMs: 10, maxDelayMs: 100, timeoutMs: 5_000 },
      }),
    close: () => sim.close(),
  };
});

async function withEljur(
  sim: Partial<EljurSimOptions>,
  body: (ctx: { model: RosterModel; school: string; run: Awaited<ReturnType<typeof startEljurSimulator>>; source: (c?: Partial<EljurConfig>) => EljurSource }) => Promise<void>,
  model = RosterModel.generate({ seed: 5, schools: 1, grades: 2, studentsPerClass: 3 }),
) {
  const run = await startEljurSimulator(model, { ...creds, ...sim });
  const school = [...model.schools.keys()][0]!;
  try {
    await body({ model, school, run, source: (c = {}) => new EljurSource({ kind: 'eljur', baseUrl: `${run.url}/apiv3`, ...creds, http: quick, ...c } as EljurConfig) });
  } finally {
    await run.close();
  }
}

describe('eljur: parents without a request per parent (issue 16 item 3)', () => {
  it('R-C2: a parent of children in two classes is linked to both from the classes\' parent lists; `getrules` is never called by the read', async () => {
    const model = RosterModel.generate({ seed: 5, schools: 1, grades: 2, studentsPerClass: 3 });
    const school = [...model.schools.keys()][0]!;
    const [a, b] = model.classesOf(school);
    const older = model.enrollmentsOf(school, { classId: a!.id })[0]!.studentId;
    const younger = model.enrollmentsOf(school, { classId: b!.id })[0]!.studentId;
    const parent = model.guardiansOf(older)[0]!.parentId;
    model.linkGuardian(parent, younger);
    await withEljur({}, async ({ run, source }) => {
      const records: RosterRecord[] = (await readAll(source(), school)).flatMap((p) => p.records);
      expect(run.requestsTo('/apiv3/getrules')).toBe(0);
      const children = records.filter((r) => r.kind === 'guardianship' && r.parentId === parent).map((r) => (r as { childId: string }).childId);
      expect(new Set(children)).toEqual(new Set([older, younger]));
      // Requests grow with classes, not with parents: auth, classes, subjects, staff pages, 3 per class.
      const classes = model.classesOf(school).length;
      const staffPages = Math.ceil(model.staffOf(school, { includeDismissed: true }).length / 50);
      expect(run.requests).toBe(1 + 1 + 1 + staffPages + 3 * classes);
    }, model);
  });

  it('an installation whose integration lists no parents (`classParents: null`) reads no parent and makes no call for them', async () => {
    await withEljur({ methods: { classParents: null } }, async ({ model, school, run, source }) => {
      const records = (await readAll(source({ methods: { classParents: null } }), school)).flatMap((p) => p.records);
      expect(records.some((r) => r.kind === 'guardianship')).toBe(false);
      const parents = new Set(model.guardianshipsOf(school).map((g) => g.parentId));
      expect(records.some((r) => r.kind === 'person' && parents.has(r.externalId))).toBe(false);
      expect(run.requestsTo('/apiv3/getclassparents')).toBe(0);
      expect(records.filter((r) => r.kind === 'enrollment').length).toBe(model.enrollmentsOf(school, { includeExpelled: true }).length);
    });
  });

  it('method names without a public basis are the installation\'s settings: a vendor that calls them differently is read the same', async () => {
    const methods = { classes: 'getclasslist', classParents: 'getparentsbyclass' };
    await withEljur({ methods }, async ({ model, school, run, source }) => {
      const records = (await readAll(source({ methods }), school)).flatMap((p) => p.records);
      expect(records.filter((r) => r.kind === 'guardianship').length).toBe(model.guardianshipsOf(school).length);
      expect(run.requestsTo('/apiv3/getparentsbyclass')).toBe(model.classesOf(school).length);
      expect(run.requestsTo('/apiv3/getclassparents')).toBe(0);
    });
  });
});

describe('eljur: Госуслуги-only installations (issue 16 item 3)', () => {
  it('R-L1: without an issued token the connection is refused at once, saying why (ru and en), with no request sent', async () => {
    await withEljur({ gosuslugiOnly: true }, async ({ run, source }) => {
      const err = await source({ signIn: 'gosuslugi-only', login: undefined, password: undefined }).listSchools().catch((e: unknown) => e);
      expect(isJournalSourceError(err, 'auth')).toBe(true);
      expect(isJournalSourceError(err) && err.retryable).toBe(false);
      expect((err as Error).message).toMatch(/только через Госуслуги/);
      expect(isJournalSourceError(err) && err.text('en')).toMatch(/only through Gosuslugi/);
      expect(run.requests).toBe(0);
    });
  });

  it('R-L1: a password connection to a host that went Госуслуги-only gets the same clear refusal from `auth`', async () => {
    await withEljur({ gosuslugiOnly: true }, async ({ source }) => {
      const err = await source().listSchools().catch((e: unknown) => e);
      expect(isJournalSourceError(err, 'auth') && err.detail.code === 'auth' && err.detail.because).toBe('eljur-gosuslugi-only');
    });
  });

  it('a vendor-issued integration token reads the roster without `auth`; a refused one is an authorisation failure', async () => {
    await withEljur({ gosuslugiOnly: true, issuedTokens: ['issued-token'] }, async ({ model, school, run, source }) => {
      const config = { signIn: 'gosuslugi-only' as const, login: undefined, password: undefined };
      const records = (await readAll(source({ ...config, authToken: 'issued-token' }), school)).flatMap((p) => p.records);
      expect(records.filter((r) => r.kind === 'guardianship').length).toBe(model.guardianshipsOf(school).length);
      expect(run.requestsTo('/apiv3/auth')).toBe(0);
      const err = await source({ ...config, authToken: 'revoked' }).listSchools().catch((e: unknown) => e);
      expect(isJournalSourceError(err, 'auth')).toBe(true);
    });
  });

  it('a password connection needs both login and password unless a token is given (config check)', () => {
    expect(() => new EljurSource({ kind: 'eljur', baseUrl: 'https://school.eljur.ru/apiv3', vendor: 'school', devkey: 'k', login: 'x' })).toThrow(/password/);
    expect(() => new EljurSource({ kind: 'eljur', baseUrl: 'https://school.eljur.ru/apiv3', vendor: 'school', devkey: 'k', authToken: 't' })).not.toThrow();
  });
});
