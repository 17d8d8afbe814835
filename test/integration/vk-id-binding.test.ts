// The person's messenger account (issue 13 item 4; R-M1, R-A5): "Sign in with VK ID" over HTTP, the
// way a person's browser goes: the hub's start → the VK ID simulator's authorize (PKCE S256, state) →
// the hub's callback, which exchanges the code and reads the VK user over HTTP. Real PostgreSQL, real
// Temporal, the journal and messenger simulators for "chats follow" on re-binding and unbinding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAt } from '../../adapters/vk-id/simulator.js';
import type { Principal } from '../../api/auth.js';
import { auditFor } from '../../db/repositories/audit.js';
import { useTestApi, type ApiResponse } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { signInProof } from '../helpers/journal-proofs.js';
import { linkDirectly, membersOf, pendingChatTitles, type RosterWorld, runSync, startRosterWorld, syncContext } from '../helpers/roster.js';
import { seedPerson, uniquePhone } from '../helpers/seed.js';
import { aProfile, latestCode, newPhone, signupSteps } from '../helpers/signup.js';
import { useTemporalWorker } from '../helpers/temporal.js';
import { bindOverApi, postBack, vkAccount, vkIdEnv } from '../helpers/vk-id.js';

const db = useTestDb();
let w: RosterWorld;
let lateStudent: string;
beforeAll(async () => {
  w = await startRosterWorld(db.pool, { seed: 43 });
  const classId = w.model.classesOf(w.school).find((c) => c.name === '1А')!.id;
  lateStudent = w.model.enrollmentsOf(w.school, { classId })[1]!.studentId;
  await linkDirectly(db.pool, w, [...w.model.persons.keys()].filter((p) => p !== lateStudent));
});
const t = useTemporalWorker(() => ({ pool: db.pool, messenger: w.messenger, journals: w.journals }));
const api = useTestApi(db, t, () => vkIdEnv(w.vkIdSim));
/** A replica whose started bindings expire after a second. */
const brief = useTestApi(db, t, () => ({ ...vkIdEnv(w.vkIdSim), VK_ID_STATE_TTL: '1s' }));
/** A replica with no VK ID app configured. */
const unconfigured = useTestApi(db, t);
afterAll(async () => {
  await w?.close();
});

const EN = { 'accept-language': 'en' };
const cyrillic = /[а-яё]/i;

function expectProblem(res: ApiResponse, status: number, type: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body.type).toBe(`/problems/${type}`);
}

const accountOf = async (personId: string) =>
  (await db.pool.query(`SELECT messenger_user_id AS u FROM people WHERE id = $1`, [personId])).rows[0] as { u: string | null };
const start = (as: Principal, on = api) =>
  on.call('POST', '/v1/me/messenger-account/vk-id/start', { as, body: {} });
/** The browser back from VK ID: the front end's return page posts VK ID's query with the person's token. */
const callback = (as: Principal, back: URL, headers: Record<string, string> = {}, on = api) => postBack(on, as, back, headers);

describe('Sign in with VK ID binds the messenger account', () => {
  it('R-M1: start gives VK ID\'s authorize URL (code flow, PKCE S256, state); the callback binds the VK user id; GET shows it; audited messenger.bound; the state is not stored in clear', async () => {
    const me = await seedPerson(db.pool, { phone: null, email: 'vk-first@test.example' });
    const vk = vkAccount(w.vkIdSim);
    expect((await api.call('GET', '/v1/me/messenger-account', { as: me.as })).body).toMatchObject({ bound: false, messengerUserId: null });

    const started = await start(me.as);
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const url = new URL(started.body.authorizeUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${w.vkIdSim.url}/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: w.vkIdSim.clientId,
      redirect_uri: 'http://hub.test/vk-id/return',
      code_challenge_method: 'S256',
      scope: 'phone',
    });
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const state = url.searchParams.get('state')!;
    expect(state.length).toBeGreaterThanOrEqual(43);
    expect(url.searchParams.has('code_verifier')).toBe(false);
    const stored = await db.pool.query(`SELECT * FROM vk_id_binding_requests WHERE person_id = $1`, [me.person.id]);
    expect(stored.rows).toHaveLength(1);
    expect(JSON.stringify(stored.rows)).not.toContain(state);

    const back = await signInAt(started.body.authorizeUrl, vk.userId);
    const bound = await callback(me.as, back);
    expect(bound.status, JSON.stringify(bound.body)).toBe(200);
    expect(bound.body).toMatchObject({ status: 'bound', messengerUserId: vk.userId, previousMessengerUserId: null });
    expect(bound.body.message).toMatch(cyrillic);
    expect((await accountOf(me.person.id)).u).toBe(vk.userId);
    const shown = await api.call('GET', '/v1/me/messenger-account', { as: me.as });
    expect(shown.body).toMatchObject({ bound: true, provider: 'vk-id', messengerUserId: vk.userId });
    expect(new Date(shown.body.boundAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const audit = await auditFor(db.pool, 'person', me.person.id);
    expect(audit.map((a) => a.action)).toEqual(['messenger.bound']);
    expect(audit[0]!.details).toMatchObject({ provider: 'vk-id', messengerUserId: vk.userId, via: 'profile' });
    expect(w.vkIdSim.counters().codesRedeemed).toBeGreaterThan(0);

    // The same callback again (a reload, or someone replaying it): the state was good once.
    expectProblem(await callback(me.as, back), 400, 'vk-id-state-invalid');
    // Signing in again with the same account changes nothing and writes no second audit row.
    expect((await bindOverApi(api, w.vkIdSim, me.as, vk.userId)).body.status).toBe('unchanged');
    expect(await auditFor(db.pool, 'person', me.person.id)).toHaveLength(1);
  });

  it('R-M1: a VK account bound to another person is refused (409 vk-id-account-bound-elsewhere, Russian or English detail); nothing changes', async () => {
    const holder = await seedPerson(db.pool, { phone: null, email: 'vk-holder@test.example' });
    const other = await seedPerson(db.pool, { phone: null, email: 'vk-other@test.example' });
    const vk = vkAccount(w.vkIdSim);
    expect((await bindOverApi(api, w.vkIdSim, holder.as, vk.userId)).status).toBe(200);

    const refused = await bindOverApi(api, w.vkIdSim, other.as, vk.userId);
    expectProblem(refused, 409, 'vk-id-account-bound-elsewhere');
    expect(refused.body.detail).toMatch(cyrillic);
    const started = await start(other.as);
    const en = await callback(other.as, await signInAt(started.body.authorizeUrl, vk.userId), EN);
    expectProblem(en, 409, 'vk-id-account-bound-elsewhere');
    expect(en.body.detail).toMatch(/^This VK ID account is already bound/);
    expect((await accountOf(other.person.id)).u).toBeNull();
    expect((await accountOf(holder.person.id)).u).toBe(vk.userId);
    expect(await auditFor(db.pool, 'person', other.person.id)).toEqual([]);
  });

  it('R-M1: a sign-in started by one person and completed in another person\'s session is refused (vk-id-state-invalid) and spent: a passed-on link cannot bind someone else\'s VK account', async () => {
    const attacker = await seedPerson(db.pool, { phone: null, email: 'vk-attacker@test.example' });
    const victim = await seedPerson(db.pool, { phone: null, email: 'vk-victim@test.example' });
    const victimVk = vkAccount(w.vkIdSim);
    const started = await start(attacker.as);
    // The victim opens the attacker's link and signs in to VK ID with their own account.
    const back = await signInAt(started.body.authorizeUrl, victimVk.userId);
    expectProblem(await callback(victim.as, back), 400, 'vk-id-state-invalid');
    expectProblem(await callback(attacker.as, back), 400, 'vk-id-state-invalid');
    expect((await accountOf(attacker.person.id)).u).toBeNull();
    expect((await accountOf(victim.person.id)).u).toBeNull();
  });

  it('R-A5: a VK ID whose verified phone is not the profile\'s is refused (vk-id-phone-mismatch); the profile\'s own number binds', async () => {
    const phone = uniquePhone();
    const me = await seedPerson(db.pool, { phone });
    const stranger = vkAccount(w.vkIdSim, { phone: '79991234567' });
    expectProblem(await bindOverApi(api, w.vkIdSim, me.as, stranger.userId), 409, 'vk-id-phone-mismatch');
    expect((await accountOf(me.person.id)).u).toBeNull();

    const mine = vkAccount(w.vkIdSim, { phone: phone.slice(1) });
    const bound = await bindOverApi(api, w.vkIdSim, me.as, mine.userId);
    expect(bound.status, JSON.stringify(bound.body)).toBe(200);
    expect((await accountOf(me.person.id)).u).toBe(mine.userId);
  });

  it('R-M1: declining at VK ID, a forged state, an expired start, and a replica without VK ID are each refused with their own problem; nothing is bound', async () => {
    const me = await seedPerson(db.pool, { phone: null, email: 'vk-refusals@test.example' });
    const vk = vkAccount(w.vkIdSim);

    const declined = await callback(me.as, await signInAt((await start(me.as)).body.authorizeUrl, 'deny'));
    expectProblem(declined, 403, 'vk-id-denied');
    expect(declined.body.detail).toMatch(cyrillic);

    const back = await signInAt((await start(me.as)).body.authorizeUrl, vk.userId);
    back.searchParams.set('state', 'A'.repeat(43));
    expectProblem(await callback(me.as, back), 400, 'vk-id-state-invalid');

    const slow = await start(me.as, brief);
    const late = await signInAt(slow.body.authorizeUrl, vk.userId);
    await new Promise((r) => setTimeout(r, 1_200));
    expectProblem(await callback(me.as, late, {}, brief), 410, 'vk-id-state-expired');

    expectProblem(await start(me.as, unconfigured), 503, 'vk-id-not-configured');
    expect((await accountOf(me.person.id)).u).toBeNull();
    expect(await auditFor(db.pool, 'person', me.person.id)).toEqual([]);
  });

  it('R-M1: VK ID failing at the code exchange (5xx, or an answer lost after the code was spent) is 503 vk-id-unavailable with Retry-After; the person starts again and binds', async () => {
    const me = await seedPerson(db.pool, { phone: null, email: 'vk-outage@test.example' });
    const vk = vkAccount(w.vkIdSim);
    w.vkIdSim.script('token', { kind: '503' });
    const down = await callback(me.as, await signInAt((await start(me.as)).body.authorizeUrl, vk.userId));
    expectProblem(down, 503, 'vk-id-unavailable');
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);

    w.vkIdSim.script('token', { kind: 'lost' });
    const lostBack = await signInAt((await start(me.as)).body.authorizeUrl, vk.userId);
    expectProblem(await callback(me.as, lostBack), 503, 'vk-id-unavailable');
    // The hub does not send a spent code twice: the same callback is refused, a new start works.
    expectProblem(await callback(me.as, lostBack), 400, 'vk-id-state-invalid');
    w.vkIdSim.script('user_info', { kind: '429', retryAfterSeconds: 0 }, { kind: '500' });
    const bound = await bindOverApi(api, w.vkIdSim, me.as, vk.userId);
    expect(bound.status, JSON.stringify(bound.body)).toBe(200);
    expect((await accountOf(me.person.id)).u).toBe(vk.userId);
  });

  it('R-A5: the signup\'s last answer offers Sign in with VK ID; binding from there is audited as via signup, and the signup then shows the account bound', async () => {
    const steps = signupSteps(api, db);
    const phone = newPhone();
    const started = await steps.start({ phone });
    const id = started.body.signupId as string;
    await steps.code(id, await latestCode(db.pool, phone));
    const done = await steps.profile(id, aProfile);
    expect(done.body).toMatchObject({ stage: 'done', outcome: 'created' });
    expect(done.body.messengerAccount).toEqual({
      bound: false,
      provider: 'vk-id',
      next: { method: 'POST', path: '/v1/me/messenger-account/vk-id/start', body: { via: 'signup' } },
    });
    const as = { sub: done.body.personId as string, role: 'person' as const, schools: [], classes: [] };
    const vk = vkAccount(w.vkIdSim, { phone: phone.slice(1) });
    const bound = await bindOverApi(api, w.vkIdSim, as, vk.userId, 'signup');
    expect(bound.status, JSON.stringify(bound.body)).toBe(200);
    const audit = await auditFor(db.pool, 'person', as.sub);
    expect(audit.find((a) => a.action === 'messenger.bound')?.details).toMatchObject({ via: 'signup', messengerUserId: vk.userId });
    expect((await steps.get(id)).body.stage).toBe('done');
  });
});

describe('re-binding and unbinding: the chats follow', () => {
  let student: Awaited<ReturnType<typeof seedPerson>>;
  let titles: string[];
  const sync = async () => {
    const { run } = await runSync(syncContext(db.pool, t.client, t.taskQueue), { connectionId: w.connection.id, dryRun: false });
    expect(run.status).toBe('applied');
  };
  const pendingTitles = () => pendingChatTitles(db.pool, w, lateStudent);
  // R-L5: each attempt carries a fresh proof from the student's own journal sign-in.
  const link = async () =>
    api.call('POST', '/v1/me/journal-links', {
      as: student.as,
      body: { connectionId: w.connection.id, externalPersonId: lateStudent, proofId: await signInProof(db.pool, w, student.person.id, lateStudent) },
    });

  it('R-L1, R-M1: without a messenger account the journal link is refused; after Sign in with VK ID it links and joins the chats', async () => {
    await sync();
    titles = await pendingTitles();
    expect(titles.length).toBeGreaterThan(0);
    const model = w.model.persons.get(lateStudent)!;
    student = await seedPerson(db.pool, { phone: null, email: 'vk-student@test.example', birthDate: model.birthDate!, firstName: model.firstName });
    expectProblem(await link(), 409, 'no-messenger-account');

    const first = vkAccount(w.vkIdSim);
    expect((await bindOverApi(api, w.vkIdSim, student.as, first.userId)).status).toBe(200);
    const linked = await link();
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    expect(linked.body.joinedChats).toBe(titles.length);
    for (const title of titles) expect(membersOf(w.messengerSim, title)).toContain(first.userId);
  });

  it('R-M1, R-L4: re-binding a different VK account is audited (messenger.rebound) and the next sync moves the chats from the old account to the new one', async () => {
    const old = (await accountOf(student.person.id)).u!;
    const next = vkAccount(w.vkIdSim);
    const rebound = await bindOverApi(api, w.vkIdSim, student.as, next.userId);
    expect(rebound.status, JSON.stringify(rebound.body)).toBe(200);
    expect(rebound.body).toMatchObject({ status: 'rebound', messengerUserId: next.userId, previousMessengerUserId: old });
    expect(rebound.body.message).toMatch(/сверке/);
    const audit = await auditFor(db.pool, 'person', student.person.id);
    expect(audit.at(-1)).toMatchObject({ action: 'messenger.rebound', details: { messengerUserId: next.userId, previousMessengerUserId: old } });

    await sync();
    for (const title of titles) {
      expect(membersOf(w.messengerSim, title)).toContain(next.userId);
      expect(membersOf(w.messengerSim, title)).not.toContain(old);
    }
    expect(await pendingTitles()).toEqual([]);
    // The old account is free again: someone else may bind it.
    const other = await seedPerson(db.pool, { phone: null, email: 'vk-old-taker@test.example' });
    expect((await bindOverApi(api, w.vkIdSim, other.as, old)).status).toBe(200);
  });

  it('R-M1, R-C6: unbinding is audited; the next sync takes the account out of the chats and lists the person as pending; the journal link stays; binding again brings them back', async () => {
    const current = (await accountOf(student.person.id)).u!;
    const unbound = await api.call('DELETE', '/v1/me/messenger-account', { as: student.as });
    expect(unbound.status, JSON.stringify(unbound.body)).toBe(200);
    expect(unbound.body).toMatchObject({ status: 'unbound', previousMessengerUserId: current });
    expect((await api.call('GET', '/v1/me/messenger-account', { as: student.as })).body.bound).toBe(false);
    expect((await auditFor(db.pool, 'person', student.person.id)).at(-1)).toMatchObject({ action: 'messenger.unbound', details: { previousMessengerUserId: current } });
    expectProblem(await api.call('DELETE', '/v1/me/messenger-account', { as: student.as }), 404, 'messenger-account-not-bound');

    await sync();
    for (const title of titles) expect(membersOf(w.messengerSim, title)).not.toContain(current);
    expect(await pendingTitles()).toEqual(titles);
    const links = await api.call('GET', '/v1/me/journal-links', { as: student.as });
    expect(links.body.items.map((l: { externalPersonId: string }) => l.externalPersonId)).toEqual([lateStudent]);
    // Linking the same identity again without an account: still refused, nothing joined.
    expectProblem(await link(), 409, 'no-messenger-account');

    const again = vkAccount(w.vkIdSim);
    expect((await bindOverApi(api, w.vkIdSim, student.as, again.userId)).status).toBe(200);
    await sync();
    for (const title of titles) expect(membersOf(w.messengerSim, title)).toContain(again.userId);
    expect(await pendingTitles()).toEqual([]);
  });

  it('R-M1: the API reference publishes the messenger-account routes and their refusals', async () => {
    const doc = (await api.call('GET', '/openapi.json')).body;
    expect(doc.paths['/v1/me/messenger-account/vk-id/start'].post['x-hub-access']).toEqual(['person']);
    const cb = doc.paths['/v1/me/messenger-account/vk-id/callback'].post;
    expect(cb['x-hub-access']).toEqual(['person']);
    expect(Object.keys(cb.requestBody.content['application/json'].schema.properties)).toEqual(expect.arrayContaining(['state', 'code', 'device_id']));
    expect(cb.responses['409'].description).toContain('/problems/vk-id-account-bound-elsewhere');
    expect(cb.responses['409'].description).toContain('/problems/vk-id-phone-mismatch');
    expect(cb.responses['410'].description).toContain('/problems/vk-id-state-expired');
    expect(doc.paths['/v1/me/messenger-account'].delete.responses['404'].description).toContain('/problems/messenger-account-not-bound');
  });
});
