import { describe, expect, it } from 'vitest';
import { journalSourceConformance } from '../../../test/conformance/journal-source.conformance.js';
import { isJournalSourceError, type JournalSourceError } from '../errors.js';
import type { RosterRecord } from '../port.js';
import { RosterModel } from '../testing/roster-model.js';
import { OneRosterRestSource, type OneRosterRestConfig } from './adapter.js';
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

const CLIENT = { clientId: 'hub', clientSecret: 's3cret' };
const source = (url: string, extra: Partial<OneRosterRestConfig> = {}) =>
  new OneRosterRestSource({
    kind: 'oneroster-rest',
    baseUrl: `${url}${ONEROSTER_BASE}`,
    tokenUrl: `${url}/oauth/token`,
    ...CLIENT,
    pageSize: 25,
    http: { retries: 0, baseDelayMs: 10, maxDelayMs: 10, timeoutMs: 5_000 },
    ...extra,
  });
const read = async (s: OneRosterRestSource, school: string, since?: string): Promise<RosterRecord[]> => {
  const out: RosterRecord[] = [];
  for await (const page of s.readRoster(school, { since })) out.push(...page.records);
  return out;
};
const guardianships = (rs: RosterRecord[]) => new Set(rs.filter((r) => r.kind === 'guardianship').map((r) => `${r.parentId}:${r.childId}`));
/** Ids a `sourcedId='a' OR sourcedId='b' …` filter asks for. */
const askedIds = (filter: string | null) => [...(filter ?? '').matchAll(/sourcedId='([^']*)'/g)].map((m) => m[1]!);

/**
 * A region of four schools; in school B a parent has children in two classes, and a parent of
 * school A also has a child in school B.
 */
function region() {
  const model = RosterModel.generate({ seed: 11, schools: 4, grades: 2, studentsPerClass: 10 });
  const [a, b] = [...model.schools.keys()] as [string, string];
  const [b1, b2] = model.classesOf(b);
  const older = model.enrollmentsOf(b, { classId: b1!.id })[0]!.studentId;
  const younger = model.enrollmentsOf(b, { classId: b2!.id })[0]!.studentId;
  const sibling = model.guardiansOf(older)[0]!.parentId;
  model.linkGuardian(sibling, younger);
  const childInA = model.enrollmentsOf(a)[0]!.studentId;
  const twoSchools = model.guardiansOf(childInA)[0]!.parentId;
  const childInB = model.enrollmentsOf(b)[3]!.studentId;
  model.linkGuardian(twoSchools, childInB);
  return { model, a, b, sibling, twoSchools, childInA, childInB, older, younger };
}

/** What the region-wide read (`role='parent'`, kept when the parent's org is the school) gave. */
function regionWideGuardianships(model: RosterModel, school: string): Set<string> {
  const out = new Set<string>();
  for (const p of model.parentsOf(school)) for (const g of model.childrenOf(p.id)) out.add(`${p.id}:${g.childId}`);
  return out;
}

describe('oneroster-rest: a school\'s parents are read through its students', () => {
  it('R-C2, R-C1..R-C4: one school\'s read asks only for its own parents, each once, and its guardianships are what the region-wide read gave', async () => {
    const w = region();
    const sim = await startOneRosterSimulator(w.model, { ...CLIENT, logServedUsers: true });
    try {
      const records = await read(source(sim.url), w.b);
      const ownParents = new Set(w.model.parentsOf(w.b).map((p) => p.id));
      const regionParents = new Set([...w.model.guardianships.values()].map((g) => g.parentId));
      expect(regionParents.size).toBeGreaterThan(3 * ownParents.size);

      // Every user row the provider sent from /users: a parent of this school, or an administrator
      // or aide (those listings are region-wide: a handful of rows per school).
      const staffRows = new Set([...w.model.staff.values()].filter((s) => s.role !== 'teacher').map((s) => s.personId));
      const otherParents = sim.served.filter((s) => s.path.endsWith('/users')).flatMap((s) => s.sourcedIds).filter((id) => !ownParents.has(id) && !staffRows.has(id));
      expect(otherParents).toEqual([]);
      const adminsAndAides = sim.served.filter((s) => /roles\.role='/.test(s.filter ?? '')).flatMap((s) => s.sourcedIds).length;
      expect(sim.rowsTo(`${ONEROSTER_BASE}/users`)).toBe(ownParents.size + 1 + adminsAndAides);
      const byId = sim.served.filter((s) => s.path.endsWith('/users') && s.filter?.includes('sourcedId='));
      // A batch whose reply is longer than a page is asked again at the next offset, same filter.
      const batches = [...new Set(byId.map((s) => s.filter))];
      const asked = batches.flatMap((f) => askedIds(f));
      // Each parent of the school asked for once (the sibling's parent too), nobody else.
      expect(asked.length).toBe(new Set(asked).size);
      expect(new Set(asked)).toEqual(ownParents);
      expect(asked.filter((id) => id === w.sibling)).toHaveLength(1);
      // Parent rows served: one per parent and school it has a child in (the simulator lists a
      // parent once per school), never the region's parents.
      expect(byId.flatMap((s) => s.sourcedIds).length).toBe(ownParents.size + 1);
      expect(batches.length).toBe(Math.ceil(ownParents.size / 25));

      expect(guardianships(records)).toEqual(regionWideGuardianships(w.model, w.b));
      expect(guardianships(records)).toContain(`${w.sibling}:${w.older}`);
      expect(guardianships(records)).toContain(`${w.sibling}:${w.younger}`);
      for (const r of w.model.expected(w.b).required) expect(records).toContainEqual(expect.objectContaining(r.kind === 'person' ? { kind: 'person', externalId: r.externalId } : r));
    } finally {
      await sim.close();
    }
  });

  it('R-C2: a parent with children in two schools is in both schools\' reads', async () => {
    const w = region();
    const sim = await startOneRosterSimulator(w.model, CLIENT);
    try {
      const s = source(sim.url);
      for (const school of [w.a, w.b]) {
        const records = await read(s, school);
        expect(records).toContainEqual(expect.objectContaining({ kind: 'person', externalId: w.twoSchools }));
        expect(guardianships(records)).toEqual(regionWideGuardianships(w.model, school));
        expect(guardianships(records)).toContain(`${w.twoSchools}:${w.childInA}`);
        expect(guardianships(records)).toContain(`${w.twoSchools}:${w.childInB}`);
      }
    } finally {
      await sim.close();
    }
  });

  it('R-C5: a delta shows a parent who changed while their children\'s rows did not, and no unchanged parent', async () => {
    const w = region();
    const sim = await startOneRosterSimulator(w.model, CLIENT);
    try {
      // The model's stamps are milliseconds: step off the ones region() just made.
      await new Promise((r) => setTimeout(r, 5));
      const since = Date.now();
      await new Promise((r) => setTimeout(r, 5));
      const students = w.model.enrollmentsOf(w.b).map((e) => e.studentId);
      const adopted = students[7]!;
      const stepParent = w.model.guardiansOf(students[8]!)[0]!.parentId;
      w.model.linkGuardian(stepParent, adopted);
      const newcomer = w.model.addGuardian(students[9]!);
      const delta = await read(source(sim.url), w.b, new Date(since).toISOString());
      expect(delta).toContainEqual({ kind: 'guardianship', parentId: stepParent, childId: adopted });
      expect(delta).toContainEqual({ kind: 'guardianship', parentId: newcomer, childId: students[9]! });
      expect(delta).toContainEqual(expect.objectContaining({ kind: 'person', externalId: newcomer }));
      const parentsInDelta = new Set(delta.flatMap((r) => (r.kind === 'guardianship' ? [r.parentId] : [])));
      expect(parentsInDelta).toEqual(new Set([stepParent, newcomer]));
      // The students' rows did not change: none of them is in the delta.
      expect(delta.filter((r) => r.kind === 'person' && students.includes(r.externalId))).toEqual([]);
    } finally {
      await sim.close();
    }
  });

  it('R-C1..R-C4: a provider that refuses long filters (400) is asked two ids at a time (one without OR) and the roster is still exact', async () => {
    const model = RosterModel.generate({ seed: 7, schools: 2 });
    const school = [...model.schools.keys()][0]!;
    const sim = await startOneRosterSimulator(model, { ...CLIENT, maxFilterPredicates: 2, logServedUsers: true });
    try {
      const s = source(sim.url);
      const records = await read(s, school);
      expect(guardianships(records)).toEqual(regionWideGuardianships(model, school));
      const parents = model.parentsOf(school).length;
      const byId = sim.served.filter((x) => x.filter?.includes('sourcedId='));
      expect(byId.every((x) => askedIds(x.filter).length <= 2)).toBe(true);
      expect(byId.length).toBe(Math.ceil(parents / 2));
      // The source remembers: a second read asks two at a time from the start (no refused request).
      const before = sim.requestsTo(`${ONEROSTER_BASE}/users`);
      await read(s, school);
      // ...plus one listing per staff role without a school-scoped listing (STAFF_LISTINGS: 5).
      expect(sim.requestsTo(`${ONEROSTER_BASE}/users`) - before).toBe(Math.ceil(parents / 2) + 5);
    } finally {
      await sim.close();
    }
    // A provider without OR at all: one id per request.
    const strict = await startOneRosterSimulator(model, { ...CLIENT, maxFilterPredicates: 1, logServedUsers: true });
    try {
      const records = await read(source(strict.url), school);
      expect(guardianships(records)).toEqual(regionWideGuardianships(model, school));
      const byId = strict.served.filter((x) => x.filter?.includes('sourcedId='));
      expect(byId.every((x) => askedIds(x.filter).length === 1)).toBe(true);
      expect(byId.length).toBe(model.parentsOf(school).length);
    } finally {
      await strict.close();
    }
  });
});

describe('oneroster-rest simulator', () => {
  it('filters with OR and AND (AND binds tighter) and rebuilds its view only when the model changed', async () => {
    const model = RosterModel.generate({ seed: 7, schools: 2 });
    const sim = await startOneRosterSimulator(model, CLIENT);
    try {
      const token = ((await (await fetch(`${sim.url}/oauth/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('hub:s3cret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      })).json()) as { access_token: string }).access_token;
      const users = async (filter: string) => {
        const res = await fetch(`${sim.url}${ONEROSTER_BASE}/users?${new URLSearchParams({ filter, limit: '1000' })}`, { headers: { authorization: `Bearer ${token}` } });
        return ((await res.json()) as { users: Array<{ sourcedId: string; role: string }> }).users;
      };
      const status = async (filter: string) => (await fetch(`${sim.url}${ONEROSTER_BASE}/users?${new URLSearchParams({ filter })}`, { headers: { authorization: `Bearer ${token}` } })).status;
      // Strict as 1.2 is: users have `roles`, no `role`; 1.1's `administrator` is no 1.2 role.
      expect(await status(`role='teacher'`)).toBe(400);
      expect(await status(`roles.role='administrator'`)).toBe(400);
      expect(await status(`roles.role='siteAdministrator'`)).toBe(200);
      const [p, q] = [...model.guardianships.values()].map((g) => g.parentId);
      const admin = [...model.staff.values()].find((s) => s.role === 'admin')!.personId;
      expect((await users(`sourcedId='${p}' OR sourcedId='${q}'`)).map((u) => u.sourcedId).sort()).toEqual([p, q].sort());
      expect((await users(`sourcedId='${p}' AND roles.role='teacher' OR sourcedId='${admin}'`)).map((u) => u.sourcedId)).toEqual([admin]);
      const all = (await users(`roles.role='parent'`)).length;
      model.addGuardian(model.enrollmentsOf([...model.schools.keys()][0]!)[0]!.studentId);
      expect((await users(`roles.role='parent'`)).length).toBe(all + 1);
    } finally {
      await sim.close();
    }
  });
});

/** Every fact the journal holds for the school is in the read (persons by id), and nothing twice. */
async function expectExact(s: OneRosterRestSource, model: RosterModel, school: string): Promise<RosterRecord[]> {
  const records = await read(s, school);
  const key = (r: RosterRecord) => (r.kind === 'person' ? `person:${r.externalId}` : JSON.stringify(Object.entries(r).sort()));
  const got = new Set(records.map(key));
  const missing = model.expected(school).required.map(key).filter((k) => !got.has(k));
  expect(missing).toEqual([]);
  return records;
}

describe('oneroster-rest: paging, order and roles as OneRoster 1.2 defines them (issue 16 item 4)', () => {
  const model = RosterModel.generate({ seed: 5, schools: 2, grades: 2, studentsPerClass: 30 });
  const school = [...model.schools.keys()][0]!;

  it('issue 16 item 4: a provider that caps `limit` below what was asked loses no row, with X-Total-Count and without it', async () => {
    for (const omitTotalCount of [false, true]) {
      const sim = await startOneRosterSimulator(model, { ...CLIENT, maxLimit: 7, omitTotalCount });
      try {
        const records = await expectExact(source(sim.url), model, school);
        // 60 students asked 25 at a time, sent 7 at a time: every one of them, each once.
        const students = model.enrollmentsOf(school).map((e) => e.studentId);
        expect(records.filter((r) => r.kind === 'enrollment').length).toBe(students.length);
        expect(sim.rowsTo(`${ONEROSTER_BASE}/schools/${school}/students`)).toBe(new Set(students).size);
      } finally {
        await sim.close();
      }
    }
  });

  it('issue 16 item 4: X-Total-Count ends a listing without asking for an empty page; without it, an empty page ends it', async () => {
    const withTotal = await startOneRosterSimulator(model, CLIENT);
    const without = await startOneRosterSimulator(model, { ...CLIENT, omitTotalCount: true });
    try {
      await read(source(withTotal.url), school);
      await read(source(without.url), school);
      const path = `${ONEROSTER_BASE}/schools/${school}/enrollments`;
      const rows = withTotal.rowsTo(path);
      // Pages of 25; without a total, a short page may be a capped one, so one empty page more.
      expect(withTotal.requestsTo(path)).toBe(Math.ceil(rows / 25));
      expect(without.requestsTo(path)).toBe(Math.ceil(rows / 25) + 1);
    } finally {
      await withTotal.close();
      await without.close();
    }
  });

  it('issue 16 item 4: every listing asks `sort=sourcedId`, so a provider whose set has no order of its own still pages exactly', async () => {
    const sim = await startOneRosterSimulator(model, { ...CLIENT, unordered: true, logServedUsers: true });
    try {
      await expectExact(source(sim.url, { pageSize: 10 }), model, school);
    } finally {
      await sim.close();
    }
  });

  it('issue 16 item 4: administrators and aides are asked for by 1.2 roles (`roles.role`), which a strict 1.2 provider takes, and their staff records come through', async () => {
    const sim = await startOneRosterSimulator(model, { ...CLIENT, logServedUsers: true });
    try {
      const records = await expectExact(source(sim.url), model, school);
      const byRole = sim.served.filter((x) => x.filter?.includes('role')).map((x) => x.filter);
      expect(byRole.every((f) => /^roles\.role='(siteAdministrator|principal|aide|counselor|proctor)'$/.test(f ?? ''))).toBe(true);
      const admins = [...model.staff.values()].filter((s) => s.schoolId === school && s.role === 'admin' && s.status === 'employed');
      expect(admins.length).toBeGreaterThan(0);
      for (const a of admins) expect(records).toContainEqual({ kind: 'staff', personId: a.personId, role: 'admin', status: 'employed' });
    } finally {
      await sim.close();
    }
  });

  it('issue 16 item 4: a OneRoster 1.1 service root is refused naming the version (1.1 signs with OAuth 1.0a), before any request', async () => {
    const sim = await startOneRosterSimulator(model, CLIENT);
    try {
      const old = new OneRosterRestSource({ kind: 'oneroster-rest', baseUrl: `${sim.url}/ims/oneroster/v1p1`, tokenUrl: `${sim.url}/oauth/token`, ...CLIENT });
      const error = await old.listSchools().then(() => undefined, (e: unknown) => e);
      expect(isJournalSourceError(error, 'not-configured')).toBe(true);
      expect((error as JournalSourceError).retryable).toBe(false);
      expect((error as JournalSourceError).text('en')).toMatch(/OneRoster 1\.1.*OAuth 1\.0a/);
      expect((error as JournalSourceError).text('ru')).toMatch(/версии протокола.*OneRoster 1\.1/);
      expect(sim.requestsTo('/oauth/token')).toBe(0);
    } finally {
      await sim.close();
    }
  });
});
