import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertIdentityAccount } from '../../db/repositories/identity-accounts.js';
import { verifyPassword } from '../../infra/passwords.js';
import { submitProfileUpdate } from '../../workflows/signup-definitions.js';
import { HubJourney, HubStage, HubStuckSince, HubWaitingOn } from '../../workflows/search-attributes.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { seedSchool, type SchoolWithClasses } from '../helpers/seed.js';
import { aProfile, latestCode, newPhone, outboxCount, peopleWith, signupSteps, workflowIdOf } from '../helpers/signup.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool }));
/** Production bounds: 5 min codes, 5 tries, 2:00 countdown, 5 codes an hour. */
const api = useTestApi(db, temporal);
/** Short bounds so lifetimes and caps can be watched run out. */
const fast = useTestApi(db, temporal, {
  SIGNUP_CODE_TTL_SECONDS: '2',
  SIGNUP_RESEND_AFTER_SECONDS: '1',
  SIGNUP_MAX_CODES_PER_WINDOW: '3',
  SIGNUP_PASSWORD_MAX_ATTEMPTS: '2',
});
const idle = useTestApi(db, temporal, { SIGNUP_IDLE_TIMEOUT_SECONDS: '2' });

const steps = signupSteps(api, db);
const fastSteps = signupSteps(fast, db);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sessionOf = (signupId: string) => createHash('sha256').update(signupId.split('.')[1]!).digest('hex');

let s: SchoolWithClasses;
beforeAll(async () => {
  s = await seedSchool(db.pool, { classes: ['1А', '4В', '5Б'] });
});

describe('R-A1: one phone, one profile', () => {
  it('R-A1: concurrent signups for one phone share one workflow, one code and end in one profile', async () => {
    const phone = newPhone();
    const started = await Promise.all(Array.from({ length: 6 }, () => steps.start({ phone: phone.replace('+7', '8 ') })));
    for (const r of started) {
      expect(r.status).toBe(200);
      expect(r.body.stage).toBe('code');
    }
    const ids: string[] = started.map((r) => r.body.signupId);
    expect(new Set(ids.map(workflowIdOf)).size).toBe(1);
    expect(new Set(ids).size).toBe(6); // each caller its own session
    expect(await outboxCount(db.pool, phone)).toBe(1);
    const runs = [];
    for await (const wf of temporal.client.workflow.list({ query: `WorkflowId = '${workflowIdOf(ids[0]!)}'` })) runs.push(wf);
    expect(runs).toHaveLength(1);

    const verified = await steps.code(ids[0]!, await latestCode(db.pool, phone));
    expect(verified.body.stage).toBe('profile');
    const created = await Promise.all([steps.profile(ids[0]!, aProfile), steps.profile(ids[0]!, aProfile)]);
    for (const r of created) {
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ stage: 'done', outcome: 'created' });
    }
    expect(created[0]!.body.personId).toBe(created[1]!.body.personId);
    expect(await peopleWith(db.pool, 'phone', phone)).toBe(1);
  });

  it('R-A1: a profile submitted again after the journey ended gets the same answer; another session of the phone does not', async () => {
    const phone = newPhone();
    const [mine, other] = await Promise.all([steps.start({ phone }), steps.start({ phone })]);
    const id = (mine.body as { signupId: string }).signupId;
    const otherId = (other.body as { signupId: string }).signupId;
    expect((await steps.code(id, await latestCode(db.pool, phone))).body.stage).toBe('profile');
    const done = await steps.profile(id, aProfile);
    expect(done.body).toMatchObject({ stage: 'done', outcome: 'created' });
    await temporal.client.workflow.getHandle(workflowIdOf(id)).result(); // the journey has ended

    const again = await steps.profile(id, aProfile);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ stage: 'done', outcome: 'created', personId: done.body.personId });
    expect(typeof (again.body as { token?: unknown }).token).toBe('string');
    const stranger = await steps.profile(otherId, aProfile);
    expect(stranger.status).toBe(410);
    expect(stranger.body).not.toHaveProperty('personId');
    expect(await peopleWith(db.pool, 'phone', phone)).toBe(1);
  });

  it('issue 12: a second session of a signup that ended sees it ended (stage done), with no outcome, person or token', async () => {
    const phone = newPhone();
    const [mine, other] = await Promise.all([steps.start({ phone }), steps.start({ phone })]);
    const id = (mine.body as { signupId: string }).signupId;
    const otherId = (other.body as { signupId: string }).signupId;
    expect((await steps.get(otherId)).body.stage).toBe('code');
    await steps.code(id, await latestCode(db.pool, phone));
    expect((await steps.profile(id, aProfile)).body).toMatchObject({ stage: 'done', outcome: 'created' });
    await temporal.client.workflow.getHandle(workflowIdOf(id)).result();

    const seen = await steps.get(otherId);
    expect(seen.status).toBe(200);
    expect(seen.body.stage).toBe('done');
    expect(seen.body.personId ?? null).toBeNull();
    expect(seen.body).not.toHaveProperty('token');
    expect(seen.body.outcome ?? null).toBeNull();
  });

  it('R-A1: signing up again with a phone that has a profile signs in to it and makes no second one', async () => {
    const phone = newPhone();
    const first = await steps.verified(phone);
    const done = await steps.profile(first.id, aProfile);
    expect(done.body.outcome).toBe('created');

    const again = await steps.verified(phone);
    expect(again.res.body).toMatchObject({ stage: 'done', outcome: 'existing', personId: done.body.personId });
    const principal = await api.tokens.verify(again.res.body.token);
    expect(principal).toMatchObject({ sub: done.body.personId, role: 'person' });
    expect(await peopleWith(db.pool, 'phone', phone)).toBe(1);
  });

  it('R-A1: the database refuses a second profile for a phone whatever the code path', async () => {
    const phone = newPhone();
    await db.pool.query(`INSERT INTO people (phone, first_name, last_name) VALUES ($1, 'А', 'Б')`, [phone]);
    await expect(db.pool.query(`INSERT INTO people (phone, first_name, last_name) VALUES ($1, 'В', 'Г')`, [phone])).rejects.toThrow(
      /people_phone_key/,
    );
  });
});

describe('R-A2: a student signs up with their own phone', () => {
  it("R-A2: a parent's phone leads to the parent's profile, never to a new student profile on it", async () => {
    const parentPhone = newPhone();
    const parent = await db.pool.query(
      `INSERT INTO people (phone, first_name, last_name, gender, birth_date) VALUES ($1, 'Ольга', 'Иванова', 'female', '1985-03-01') RETURNING id`,
      [parentPhone],
    );
    const child = await steps.verified(parentPhone);
    expect(child.res.body).toMatchObject({ stage: 'done', outcome: 'existing', personId: parent.rows[0].id });
    const profile = await steps.profile(child.id, aProfile);
    expect(profile.status).toBe(410);
    expect(profile.body.type).toBe('/problems/signup-closed');
    expect(await peopleWith(db.pool, 'phone', parentPhone)).toBe(1);
  });
});

describe('R-A3: e-mail only for grades 1-4 through an invite', () => {
  const invite = async (body: Record<string, unknown>) => {
    const res = await api.call('POST', `/v1/schools/${s.school.id}/invites`, { as: s.admin, body });
    expect(res.status).toBe(201);
    return res.body as { id: string; token: string };
  };

  it('R-A3: a grade 1-4 student invite lets a child sign up with e-mail, the code going by e-mail', async () => {
    const { token } = await invite({ role: 'student', classId: s.classes['4В']!.id });
    const email = `kid.${Date.now()}@example.ru`;
    const started = await steps.start({ email: email.toUpperCase(), inviteToken: token });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ stage: 'code', channel: 'email', recipient: 'k***@example.ru' });
    const verified = await steps.code(started.body.signupId, await latestCode(db.pool, email));
    expect(verified.body.stage).toBe('profile');
    const done = await steps.profile(verified.body.signupId ?? started.body.signupId, { ...aProfile, birthDate: '2016-09-01' });
    expect(done.body.outcome).toBe('created');
    expect(await peopleWith(db.pool, 'email', email)).toBe(1);
  });

  it('R-A3: e-mail is refused without an invite, for grade 5, for a teacher invite and for a revoked invite', async () => {
    const email = `x.${Date.now()}@example.ru`;
    const noInvite = await steps.start({ email });
    expect(noInvite.status).toBe(403);
    expect(noInvite.body).toMatchObject({ type: '/problems/email-not-allowed', reason: 'invite-required' });
    expect(noInvite.body.detail).toMatch(/1–4 классов/);

    const grade5 = await invite({ role: 'student', classId: s.classes['5Б']!.id });
    expect((await steps.start({ email, inviteToken: grade5.token })).body.reason).toBe('not-primary-school');
    const teacher = await invite({ role: 'teacher' });
    expect((await steps.start({ email, inviteToken: teacher.token })).body.reason).toBe('not-primary-school');
    const revoked = await invite({ role: 'student', classId: s.classes['1А']!.id });
    await api.call('POST', `/v1/schools/${s.school.id}/invites/${revoked.id}/revoke`, { as: s.admin, body: {} });
    expect((await steps.start({ email, inviteToken: revoked.token })).body.reason).toBe('invite-not-active');
    expect((await steps.start({ email, inviteToken: 'A'.repeat(43) })).body.reason).toBe('invite-not-found');
    expect(await outboxCount(db.pool, email)).toBe(0);
  });

  it('R-A3: a phone cannot get its code by e-mail, nor an e-mail by SMS; a bad phone is invalid-phone', async () => {
    const res = await steps.start({ phone: newPhone(), channel: 'email' });
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('/problems/channel-not-allowed');
    const bad = await steps.start({ phone: '+7 123' });
    expect(bad.body.type).toBe('/problems/invalid-phone');
    const both = await steps.start({ phone: newPhone(), email: 'a@b.ru' });
    expect(both.body.type).toBe('/problems/validation-failed');
  });
});

describe('R-A4: codes are bounded and registration is not revealed', () => {
  it('R-A4: the request-code answer is the same for a registered and a new phone', async () => {
    const registered = newPhone();
    await insertIdentityAccount(db.pool, { phone: registered, password: 'старый-пароль-1' });
    await db.pool.query(`INSERT INTO people (phone, first_name, last_name) VALUES ($1, 'Пётр', 'Петров')`, [registered]);
    const fresh = newPhone();
    const [a, b] = await Promise.all([steps.start({ phone: registered }), steps.start({ phone: fresh })]);
    const shape = (r: typeof a) => ({ status: r.status, keys: Object.keys(r.body).sort(), ...r.body, signupId: 0, recipient: 0 });
    expect(shape(a)).toEqual(shape(b));
    expect(a.body).toMatchObject({ stage: 'code', resendAfterSeconds: 120, codeExpiresInSeconds: 300, codeAttemptsLeft: 5 });
    // Only a verified code tells the two apart.
    expect((await steps.code(a.body.signupId, await latestCode(db.pool, registered))).body.stage).toBe('password');
    expect((await steps.code(b.body.signupId, await latestCode(db.pool, fresh))).body.stage).toBe('profile');
  });

  it("R-A4: another caller on the same phone sees only the code step, not the first caller's progress", async () => {
    const phone = newPhone();
    await insertIdentityAccount(db.pool, { phone, password: 'пароль-длинный' });
    const first = await steps.verified(phone);
    expect(first.res.body.stage).toBe('password');
    const other = await steps.start({ phone });
    expect(other.body.stage).toBe('code');
    expect((await steps.get(other.body.signupId)).body.stage).toBe('code');
    const pw = await steps.password(other.body.signupId, 'пароль-длинный');
    expect(pw.status).toBe(409);
    expect((await steps.get(first.id)).body.stage).toBe('password');
  });

  it('R-A4: the resend countdown is exact and an early resend is refused with the time left', async () => {
    const phone = newPhone();
    const started = await steps.start({ phone });
    expect(started.body.resendAfterSeconds).toBe(120);
    const early = await steps.resend(started.body.signupId);
    expect(early.status).toBe(429);
    expect(early.body.type).toBe('/problems/resend-too-early');
    expect(early.body.retryAfterSeconds).toBeGreaterThanOrEqual(118);
    expect(early.body.retryAfterSeconds).toBeLessThanOrEqual(120);
    expect(early.headers.get('retry-after')).toBe(String(early.body.retryAfterSeconds));
    expect(early.body.detail).toMatch(/через [12]:\d\d/);
    const repeat = await steps.start({ phone });
    expect(repeat.body.resendAfterSeconds).toBeLessThanOrEqual(120);
    expect(await outboxCount(db.pool, phone)).toBe(1);
    const status = await steps.get(started.body.signupId);
    expect(status.body).toMatchObject({ stage: 'code', channel: 'sms' });
    expect(status.body.resendAfterSeconds).toBeGreaterThan(100);
  });

  it('R-A4: five wrong tries lock the code; then even the right code is refused', async () => {
    const phone = newPhone();
    const started = await steps.start({ phone });
    const right = await latestCode(db.pool, phone);
    const wrong = right === '000000' ? '111111' : '000000';
    for (let left = 4; left >= 0; left--) {
      const r = await steps.code(started.body.signupId, wrong);
      expect(r.status).toBe(422);
      expect(r.body).toMatchObject({ type: '/problems/wrong-code', attemptsLeft: left });
    }
    const locked = await steps.code(started.body.signupId, right);
    expect(locked.status).toBe(429);
    expect(locked.body.type).toBe('/problems/code-locked');
    expect(locked.body.retryAfterSeconds).toBeGreaterThan(100);
  });

  it('R-A4: a code dies after its lifetime; a resend then gives a new working one', async () => {
    const phone = newPhone();
    const started = await fastSteps.start({ phone });
    const old = await latestCode(db.pool, phone);
    await sleep(2300);
    const expired = await fastSteps.code(started.body.signupId, old);
    expect(expired.status).toBe(422);
    expect(expired.body.type).toBe('/problems/code-expired');
    const resent = await fastSteps.resend(started.body.signupId, { channel: 'voice-call' });
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ channel: 'voice-call', codeExpiresInSeconds: 2 });
    const ok = await fastSteps.code(started.body.signupId, await latestCode(db.pool, phone));
    expect(ok.body.stage).toBe('profile');
  });

  it('R-A4: at most N codes per phone per window; the refusal says when to come back', async () => {
    const phone = newPhone();
    const started = await fastSteps.start({ phone });
    for (let i = 0; i < 2; i++) {
      await sleep(1100);
      expect((await fastSteps.resend(started.body.signupId)).status).toBe(200);
    }
    await sleep(1100);
    const capped = await fastSteps.resend(started.body.signupId);
    expect(capped.status).toBe(429);
    expect(capped.body.type).toBe('/problems/too-many-codes');
    expect(capped.body.retryAfterSeconds).toBeGreaterThan(3500);
    const restart = await fastSteps.start({ phone });
    expect(restart.status).toBe(429);
    expect(await outboxCount(db.pool, phone)).toBe(3);
  });

  // What history holds of codes, phones and e-mails: test/integration/history-secrets.test.ts (issue 14).

  it('R-A4: English text for the same refusal type', async () => {
    const started = await steps.start({ phone: newPhone() });
    const early = await api.call('POST', `/v1/signups/${started.body.signupId}/resend`, {
      body: {},
      headers: { 'accept-language': 'en' },
    });
    expect(early.body.type).toBe('/problems/resend-too-early');
    expect(early.body.detail).toMatch(/ask for a new code in [12]:\d\d/);
  });
});

describe('R-A5: a phone with an identity account asks for its password', () => {
  it('R-A5: the password step counts wrong passwords, then the account gets its educational profile', async () => {
    const phone = newPhone();
    const account = await insertIdentityAccount(db.pool, { phone, password: 'верный-пароль' });
    const { id, res } = await steps.verified(phone);
    expect(res.body).toMatchObject({ stage: 'password', passwordAttemptsLeft: 5, actions: ['forgot-password', 'not-me'] });
    const wrong = await steps.password(id, 'не тот');
    expect(wrong.status).toBe(422);
    expect(wrong.body).toMatchObject({ type: '/problems/wrong-password', attemptsLeft: 4 });
    const right = await steps.password(id, 'верный-пароль');
    expect(right.body.stage).toBe('profile');
    const done = await steps.profile(id, aProfile);
    expect(done.body.outcome).toBe('created');
    const row = await db.pool.query(`SELECT identity_account_id FROM people WHERE phone = $1`, [phone]);
    expect(row.rows[0].identity_account_id).toBe(account.id);
  });

  it('R-A5: too many wrong passwords leave only "forgot password", which resets it by a code', async () => {
    const phone = newPhone();
    const account = await insertIdentityAccount(db.pool, { phone, password: 'забытый-пароль' });
    const { id } = await (async () => {
      const started = await fastSteps.start({ phone });
      await fastSteps.code(started.body.signupId, await latestCode(db.pool, phone));
      return { id: started.body.signupId as string };
    })();
    await fastSteps.password(id, 'раз');
    await fastSteps.password(id, 'два');
    const locked = await fastSteps.password(id, 'забытый-пароль');
    expect(locked.status).toBe(429);
    expect(locked.body.type).toBe('/problems/password-locked');

    const forgot = await fastSteps.forgot(id);
    expect(forgot.body.stage).toBe('reset-code');
    const purpose = await db.pool.query(`SELECT purpose FROM otp_outbox WHERE recipient = $1 ORDER BY id DESC LIMIT 1`, [phone]);
    expect(purpose.rows[0].purpose).toBe('password-reset');
    const reset = await fastSteps.code(id, await latestCode(db.pool, phone));
    expect(reset.body.stage).toBe('new-password');
    const weak = await fastSteps.password(id, 'short');
    expect(weak.body.type).toBe('/problems/weak-password');
    const set = await fastSteps.password(id, 'новый-надёжный-пароль');
    expect(set.body.stage).toBe('profile');
    const stored = await db.pool.query(`SELECT password_hash FROM identity_accounts WHERE id = $1`, [account.id]);
    expect(await verifyPassword('новый-надёжный-пароль', stored.rows[0].password_hash)).toBe(true);
    expect(stored.rows[0].password_hash).not.toContain('новый');
  });

  it('R-A5: "this is not me" frees a recycled number from the old account and profile, and signup goes on', async () => {
    const phone = newPhone();
    const old = await insertIdentityAccount(db.pool, { phone, password: 'чужой-пароль' });
    const oldPerson = await db.pool.query(
      `INSERT INTO people (phone, first_name, last_name, identity_account_id) VALUES ($1, 'Прежний', 'Владелец', $2) RETURNING id`,
      [phone, old.id],
    );
    const { id } = await steps.verified(phone);
    const notMe = await steps.notMe(id);
    expect(notMe.body.stage).toBe('profile');
    const done = await steps.profile(id, aProfile);
    expect(done.body.outcome).toBe('created');
    expect(done.body.personId).not.toBe(oldPerson.rows[0].id);
    const account = await db.pool.query(`SELECT phone, released_phone FROM identity_accounts WHERE id = $1`, [old.id]);
    expect(account.rows[0]).toEqual({ phone: null, released_phone: phone });
    const audit = await db.pool.query(`SELECT reason FROM audit_log WHERE action = 'phone.released' AND subject_id = $1`, [
      oldPerson.rows[0].id,
    ]);
    expect(audit.rows).toEqual([{ reason: 'not-me' }]);
  });

  it('R-A5: identity account and profile both there: the password signs in to the existing profile', async () => {
    const phone = newPhone();
    const acc = await insertIdentityAccount(db.pool, { phone, password: 'мой-пароль-123' });
    const person = await db.pool.query(
      `INSERT INTO people (phone, first_name, last_name, identity_account_id) VALUES ($1, 'Анна', 'Смирнова', $2) RETURNING id`,
      [phone, acc.id],
    );
    const { id } = await steps.verified(phone);
    const done = await steps.password(id, 'мой-пароль-123');
    expect(done.body).toMatchObject({ stage: 'done', outcome: 'existing', personId: person.rows[0].id });
    expect((await api.tokens.verify(done.body.token)).sub).toBe(person.rows[0].id);
  });
});

describe('R-A6: the profile', () => {
  it('R-A6: first name, surname, gender and birth date are required; all problems come at once', async () => {
    const phone = newPhone();
    const { id } = await steps.verified(phone);
    const res = await steps.profile(id, { firstName: 'Маша', patronymic: '' });
    expect(res.status).toBe(422);
    expect(res.body.type).toBe('/problems/profile-invalid');
    expect(res.body.errors).toEqual([
      { field: 'lastName', reason: 'required' },
      { field: 'gender', reason: 'required' },
      { field: 'birthDate', reason: 'required' },
    ]);
    const wrong = await steps.profile(id, { ...aProfile, firstName: 'M4sha', birthDate: '2013-02-30' });
    expect(wrong.body.errors).toEqual([
      { field: 'firstName', reason: 'invalid-characters' },
      { field: 'birthDate', reason: 'invalid-date' },
    ]);
    const future = new Date(Date.now() + 3 * 86400_000).toISOString().slice(0, 10);
    expect((await steps.profile(id, { ...aProfile, birthDate: future })).body.errors).toEqual([
      { field: 'birthDate', reason: 'in-future' },
    ]);
    expect(await peopleWith(db.pool, 'phone', phone)).toBe(0);

    const { patronymic: _none, ...withoutPatronymic } = aProfile;
    const done = await steps.profile(id, { ...withoutPatronymic, firstName: '  Анна-Мария ' });
    expect(done.status).toBe(200);
    const row = await db.pool.query(
      `SELECT first_name, patronymic, gender, to_char(birth_date, 'YYYY-MM-DD') AS birth FROM people WHERE phone = $1`,
      [phone],
    );
    expect(row.rows[0]).toEqual({ first_name: 'Анна-Мария', patronymic: null, gender: 'female', birth: '2012-05-17' });
  });

  it('R-A6: a refused profile (or any call at the wrong step) writes nothing, not even to workflow history', async () => {
    const phone = newPhone();
    const { id } = await steps.verified(phone);
    const wf = temporal.client.workflow.getHandle(workflowIdOf(id));
    const before = (await wf.fetchHistory()).events?.length;
    await expect(
      wf.executeUpdate(submitProfileUpdate, {
        args: [{ session: sessionOf(id), profile: { ...aProfile, birthDate: '' } as never }],
      }),
    ).rejects.toThrow();
    await expect(
      wf.executeUpdate(submitProfileUpdate, { args: [{ session: 'not-a-verified-session', profile: aProfile as never }] }),
    ).rejects.toThrow();
    expect((await steps.resend(id)).status).toBe(409);
    expect((await steps.code(id, '123456')).status).toBe(409);
    expect((await steps.profile(id, { ...aProfile, lastName: '' })).status).toBe(422);
    expect((await wf.fetchHistory()).events?.length).toBe(before);
    expect(await peopleWith(db.pool, 'phone', phone)).toBe(0);
    expect(await outboxCount(db.pool, phone)).toBe(1);
    const audit = await db.pool.query(`SELECT count(*)::int AS n FROM audit_log WHERE details->>'signup' LIKE $1`, [
      `${workflowIdOf(id)}%`,
    ]);
    expect(audit.rows[0].n).toBe(0);
  });
});

describe('R-A7 and the journey around the rules', () => {
  it('R-A7: a new account carries the restricted flag the guardian journey sets, off at first', async () => {
    const phone = newPhone();
    const { id } = await steps.verified(phone);
    await steps.profile(id, aProfile);
    const row = await db.pool.query(`SELECT restricted, restricted_at FROM people WHERE phone = $1`, [phone]);
    expect(row.rows[0]).toEqual({ restricted: false, restricted_at: null });
  });

  it('search attributes say journey, stage and who it waits on', async () => {
    const phone = newPhone();
    const { id } = await steps.verified(phone);
    const d = await temporal.client.workflow.getHandle(workflowIdOf(id)).describe();
    expect(d.typedSearchAttributes.get(HubJourney)).toBe('signup');
    expect(d.typedSearchAttributes.get(HubStage)).toBe('profile');
    expect(d.typedSearchAttributes.get(HubWaitingOn)).toBe('person');
    expect(d.typedSearchAttributes.get(HubStuckSince)).toBeInstanceOf(Date);
    expect(d.workflowId).not.toContain(phone.slice(2));
  });

  it('an idle signup is abandoned; its id then says so and a new signup starts afresh', async () => {
    const phone = newPhone();
    const started = await idle.call('POST', '/v1/signups', { body: { phone } });
    await sleep(3000);
    const status = await idle.call('GET', `/v1/signups/${started.body.signupId}`);
    expect(status.body.stage).toBe('abandoned');
    const late = await idle.call('POST', `/v1/signups/${started.body.signupId}/code`, { body: { code: '123456' } });
    expect(late.status).toBe(410);
    expect(late.body.type).toBe('/problems/signup-closed');
    const d = await temporal.client.workflow.getHandle(workflowIdOf(started.body.signupId)).describe();
    expect(d.typedSearchAttributes.get(HubStage)).toBe('abandoned');
    const again = await idle.call('POST', '/v1/signups', { body: { phone } });
    expect(again.body).toMatchObject({ stage: 'code', resendAfterSeconds: 120 });
  });

  it('an unknown or malformed signup id is 404 signup-not-found', async () => {
    for (const id of ['nope', `${'a'.repeat(32)}.${'b'.repeat(22)}`]) {
      const res = await steps.get(id);
      expect(res.status).toBe(404);
      expect(res.body.type).toBe('/problems/signup-not-found');
    }
  });
});
