// Issue 16 item 1 (ЭлЖур): our simulator answers, and our adapters ask, in the shapes public clients
// of Eljur's apiv3 declare (test/fixtures/eljur/public-shapes.ts, transcribed from BetterJournal/EljurAPI
// and samplec0de/eljur-bot; SOURCE.md there). Every answer is the public envelope (success or failure);
// `auth` and `getrules` answers parse as their public models, strictly; `getrules` is asked with the
// authorised parameters only (no `id`: it answers for the token's owner), the password never travels
// in a URL, and the roster methods, which have no public basis, are only the ones the installation
// configured.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EljurSignIn } from '../../adapters/identity-proof/eljur-sign-in.js';
import { EljurSource, eljurMethodsSchema } from '../../adapters/journals/eljur/adapter.js';
import { startEljurSimulator, type EljurExchange } from '../../adapters/journals/eljur/simulator.js';
import type { RunningSim } from '../../adapters/journals/testing/sim-server.js';
import { RosterModel } from '../../adapters/journals/testing/roster-model.js';
import { readAll } from '../conformance/journal-source.conformance.js';
import { AuthorizedRequestParams, AuthResult, DefaultRequestParams, FailedResponse, PUBLIC_METHODS, SuccessResponse, UserRules } from '../fixtures/eljur/public-shapes.js';

const creds = { devkey: 'dev-key-for-tests', vendor: 'school', login: 'hub-sync', password: 'pa55' };
const exchanges: EljurExchange[] = [];
let sim: RunningSim;
let model: RosterModel;

beforeAll(async () => {
  model = RosterModel.generate({ seed: 31, schools: 1, grades: 2, studentsPerClass: 3 });
  const people = new Map([...model.persons.keys()].map((id) => [id, { password: 'pw', personId: id }]));
  sim = await startEljurSimulator(model, { ...creds, people, onExchange: (x) => exchanges.push(x) });
});
afterAll(async () => {
  await sim.close();
});

const query = (q: URLSearchParams) => Object.fromEntries(q);
const http = { retries: 0, baseDelayMs: 5, maxDelayMs: 5, timeoutMs: 5_000 };

function envelopeProblems(x: EljurExchange): string[] {
  // Roster methods have no public result model: only their envelope is held to the public one.
  const result = x.method === 'auth' ? AuthResult : x.method === 'getrules' ? UserRules : z.unknown();
  const parsed = (x.status === 200 ? SuccessResponse(result) : FailedResponse).safeParse(x.body);
  if (parsed.success) return [];
  const issue = parsed.error.issues[0];
  return [`${x.method} (${x.status}): ${issue?.path.join('.')} ${issue?.message}`];
}

describe('ЭлЖур contract (issue 16 item 1)', () => {
  it('the nightly read: public envelope on every answer, public `auth` answer, password only in a form body, no `getrules`, only configured roster methods', async () => {
    const from = exchanges.length;
    const src = new EljurSource({ kind: 'eljur', baseUrl: `${sim.url}/apiv3`, ...creds, http });
    const [school] = await src.listSchools();
    await readAll(src, school!.externalId);
    const seen = exchanges.slice(from);
    expect(seen.flatMap(envelopeProblems)).toEqual([]);
    for (const x of seen) {
      const params = x.method === 'auth' ? DefaultRequestParams : AuthorizedRequestParams;
      expect(params.safeParse(query(x.query)).success, `${x.method} ${x.query.toString()}`).toBe(true);
      expect(x.query.has('password') || x.query.has('login'), `${x.method}: credentials in the URL`).toBe(false);
    }
    const auth = seen.filter((x) => x.method === 'auth');
    expect(auth.length).toBe(1);
    expect(auth[0]!.httpMethod).toBe('POST');
    expect(new URLSearchParams(auth[0]!.requestBody).get('password')).toBe(creds.password);
    expect(seen.some((x) => x.method === 'getrules')).toBe(false);
    const configured = new Set(Object.values(eljurMethodsSchema.parse({})).filter(Boolean));
    const unpublished = seen.filter((x) => !(x.method in PUBLIC_METHODS)).map((x) => x.method);
    expect(unpublished.length).toBeGreaterThan(0);
    for (const m of unpublished) expect(configured, `${m} is a configured roster method`).toContain(m);
  });

  it('R-L5: a person\'s sign-in: `getrules` asked with the authorised parameters only (no `id`) answers as the public UserRules, children included', async () => {
    const from = exchanges.length;
    const signIn = new EljurSignIn({ baseUrl: `${sim.url}/apiv3`, vendor: creds.vendor, devkey: creds.devkey, http });
    const school = [...model.schools.keys()][0]!;
    const parent = model.guardianshipsOf(school)[0]!.parentId;
    const student = model.enrollmentsOf(school)[0]!.studentId;
    const asParent = await signIn.signIn({ login: parent, password: 'pw' });
    expect(new Set(asParent.children)).toEqual(new Set(model.childrenOf(parent).map((g) => g.childId)));
    await signIn.signIn({ login: student, password: 'pw' });
    const rules = exchanges.slice(from).filter((x) => x.method === 'getrules');
    expect(rules.length).toBe(2);
    for (const x of rules) {
      expect(Object.keys(query(x.query)).sort()).toEqual(['auth_token', 'devkey', 'out_format', 'vendor']);
      expect(envelopeProblems(x)).toEqual([]);
    }
  });

  it('failures are the public failed envelope: a wrong password, a missing token, an unknown method', async () => {
    const from = exchanges.length;
    const signIn = new EljurSignIn({ baseUrl: `${sim.url}/apiv3`, vendor: creds.vendor, devkey: creds.devkey, http });
    await expect(signIn.signIn({ login: 'nobody', password: 'x' })).rejects.toThrow();
    await fetch(`${sim.url}/apiv3/getrules?devkey=${creds.devkey}&vendor=${creds.vendor}&out_format=json&auth_token=stale`);
    await fetch(`${sim.url}/apiv3/getclassparents?devkey=${creds.devkey}&vendor=wrong&out_format=json`);
    const failed = exchanges.slice(from).filter((x) => x.status !== 200);
    expect(failed.length).toBe(3);
    expect(failed.flatMap(envelopeProblems)).toEqual([]);
  });
});
