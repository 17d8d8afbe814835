// Issue 16 item 1 (Dnevnik.ru): our simulator answers, and our adapter asks, in the shapes public
// clients of the Dnevnik /v2 API declare (test/fixtures/dnevnik/public-shapes.ts, transcribed from
// alllexey123/dnevnik-partners-api and kesha1225/DnevnikRuAPI; SOURCE.md there). So the adapter and the
// simulator cannot agree on a shape the real service does not have: every request the adapter sends
// must be a declared route with declared query parameters, and every answer the simulator gives (data
// or error) must parse with the declared model, strictly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnevnikOAuthSignIn } from '../../adapters/identity-proof/dnevnik-oauth.js';
import { DnevnikSource } from '../../adapters/journals/dnevnik/adapter.js';
import { startDnevnikSimulator, type DnevnikExchange, type DnevnikSim } from '../../adapters/journals/dnevnik/simulator.js';
import { isJournalSourceError } from '../../adapters/journals/errors.js';
import { RosterModel } from '../../adapters/journals/testing/roster-model.js';
import { readAll } from '../conformance/journal-source.conformance.js';
import { ErrorBody, ROUTES } from '../fixtures/dnevnik/public-shapes.js';

const exchanges: DnevnikExchange[] = [];
let sim: DnevnikSim;
let model: RosterModel;
const OAUTH = { clientId: 'hub-client', clientSecret: 'hub-secret' };

beforeAll(async () => {
  model = RosterModel.generate({ seed: 21, schools: 2, grades: 2, studentsPerClass: 3 });
  const school = [...model.schools.keys()][0]!;
  const [cls] = model.classesOf(school);
  const english = model.subjectsOf(school).find((s) => s.name === 'Английский язык')!;
  const second = model.hire(school, 'teacher');
  const half = model.enrollmentsOf(school, { classId: cls!.id }).slice(0, 2).map((e) => e.studentId);
  const people = new Map([...model.persons.keys()].map((id) => [id, { password: 'pw', personId: id }]));
  sim = await startDnevnikSimulator(model, {
    token: 'partner-token',
    oauth: { ...OAUTH, people },
    subgroups: [{ id: '990001', classId: cls!.id, name: `${cls!.name} англ. гр. 2`, subjectId: english.id, teacherId: second, studentIds: half }],
    onExchange: (x) => exchanges.push(x),
  });
});
afterAll(async () => {
  await sim.close();
});

const source = (token = 'partner-token') =>
  new DnevnikSource({ kind: 'dnevnik', baseUrl: sim.url, accessToken: token, http: { retries: 2, baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 5_000 } });

function routeOf(path: string): string | undefined {
  return Object.entries(ROUTES).find(([, r]) => r.path.test(path))?.[0];
}

function queryOf(q: URLSearchParams): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of q) (out[k] ??= []).push(v);
  return out;
}

/** A data answer against its route's declared reply; an error answer against the error body. */
function check(x: DnevnikExchange): string[] {
  const problems: string[] = [];
  const name = routeOf(x.path);
  if (!name) return [`${x.path}: not a route of the public client`];
  const route = ROUTES[name]!;
  const q = route.query.safeParse(queryOf(x.query));
  if (!q.success) problems.push(`${x.path}?${x.query.toString()}: query ${q.error.issues[0]?.message}`);
  const ok = x.status >= 200 && x.status < 300 && !(x.body && typeof x.body === 'object' && !Array.isArray(x.body) && 'description' in x.body);
  const parsed = (ok ? route.reply : ErrorBody).safeParse(x.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    problems.push(`${x.path} (${x.status}): ${issue?.path.join('.')} ${issue?.message}`);
  }
  return problems;
}

describe('Dnevnik.ru contract (issue 16 item 1)', () => {
  it('a full read of every school: each request is a declared route with declared parameters, each answer parses as the public model', async () => {
    const from = exchanges.length;
    const src = source();
    const schools = await src.listSchools();
    expect(schools.length).toBe(2);
    for (const s of schools) await readAll(src, s.externalId);
    const seen = exchanges.slice(from);
    expect(seen.flatMap(check)).toEqual([]);
    const used = new Set(seen.map((x) => routeOf(x.path)));
    for (const name of Object.keys(ROUTES).filter((n) => n !== 'users/me')) expect(used, `route ${name} exercised`).toContain(name);
    // The subgroup answered in its public shape and was asked for teachers and subjects, never students.
    expect(seen.some((x) => x.path === '/v2/edu-groups/990001/teachers')).toBe(true);
    expect(seen.some((x) => x.path === '/v2/edu-groups/990001/students')).toBe(false);
  });

  it('R-L5: the sign-in\'s `users/me` answer parses as the public User model', async () => {
    const from = exchanges.length;
    const signIn = new DnevnikOAuthSignIn({ apiBase: sim.url, authorizeUrl: `${sim.url}/oauth2`, ...OAUTH });
    const person = [...model.persons.keys()][0]!;
    const start = new URL(await signIn.authorizeUrl({ state: 's', nonce: 'n', redirectUri: 'https://hub.example/back' }));
    start.searchParams.set('login', person);
    start.searchParams.set('password', 'pw');
    const back = await fetch(start, { redirect: 'manual' });
    const code = new URL(back.headers.get('location')!).searchParams.get('code')!;
    const who = await signIn.complete({ code, nonce: 'n', redirectUri: 'https://hub.example/back' });
    expect(who.externalPersonId).toBe(person);
    const me = exchanges.slice(from).filter((x) => x.path === '/v2/users/me');
    expect(me.length).toBe(1);
    expect(me.flatMap(check)).toEqual([]);
  });

  it('errors come as {type, description}: a refused token, a missing school and a bad membership type', async () => {
    const from = exchanges.length;
    await expect(source('stolen').listSchools()).rejects.toSatisfy((e: unknown) => isJournalSourceError(e, 'auth'));
    await expect(readAll(source(), '999999')).rejects.toSatisfy((e: unknown) => isJournalSourceError(e, 'not-found'));
    await fetch(`${sim.url}/v2/schools/${[...model.schools.keys()][0]}/membership?schoolMembershipType=Everyone`, { headers: { 'Access-Token': 'partner-token' } });
    const errors = exchanges.slice(from).filter((x) => x.status >= 400);
    expect(errors.length).toBeGreaterThanOrEqual(3);
    for (const x of errors) expect(ErrorBody.safeParse(x.body).success, `${x.path} ${JSON.stringify(x.body)}`).toBe(true);
  });
});
