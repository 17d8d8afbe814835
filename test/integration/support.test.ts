// Support surfaces: stuck registrations from Temporal visibility, a readable timeline, actions that
// fit the stage (each with a reason, audited), masked personal data and an audited reveal.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../api/auth.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { seedPerson, seedSchool, type SchoolWithClasses } from '../helpers/seed.js';
import { latestCode, newPhone, outboxCount, signupSteps, workflowIdOf } from '../helpers/signup.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool }));
// A three-second resend countdown (room for a slow machine) and two codes an hour, so the signup case sees both limits quickly.
const api = useTestApi(db, temporal, { SIGNUP_RESEND_AFTER_SECONDS: '3', SIGNUP_MAX_CODES_PER_WINDOW: '2' });
const signup = signupSteps(api, db);

const agent: Principal = { sub: 'agent-olga', role: 'support', schools: [], classes: [] };
let s: SchoolWithClasses;
beforeAll(async () => {
  s = await seedSchool(db.pool, { name: 'Лицей № 3', settlement: 'Владивосток', timezone: 'Asia/Vladivostok' });
});

const enc = encodeURIComponent;
const stuck = (query: string) => api.call('GET', `/v1/support/registrations/stuck?${query}`, { as: agent });

async function createInvite(): Promise<{ id: string; token: string; workflowId: string }> {
  const res = await api.call('POST', `/v1/schools/${s.school.id}/invites`, { as: s.admin, body: { role: 'student', classId: s.classes['1А']!.id } });
  expect(res.status).toBe(201);
  // Visibility is eventually consistent: wait until the list shows it.
  let workflowId = '';
  await expect
    .poll(async () => {
      const list = await stuck(`school=${s.school.id}&journey=invite`);
      const ids: string[] = list.body.items.map((i: { workflowId: string }) => i.workflowId);
      const found = [];
      for (const id of ids) {
        const d = await api.call('GET', `/v1/support/registrations/${enc(id)}`, { as: agent });
        if (d.body.subject.inviteId === res.body.id) found.push(id);
      }
      workflowId = found[0] ?? '';
      return workflowId;
    }, { timeout: 15_000, interval: 300 })
    .not.toBe('');
  return { id: res.body.id, token: res.body.token, workflowId };
}

describe('stuck registrations', () => {
  it('lists running journeys by journey, school, waiting-on and age, oldest first', async () => {
    const a = await createInvite();
    const list = await stuck(`school=${s.school.id}&journey=invite&waitingOn=invitee`);
    expect(list.status).toBe(200);
    const item = list.body.items.find((i: { workflowId: string }) => i.workflowId === a.workflowId);
    expect(item).toMatchObject({ journey: 'invite', stage: 'active', waitingOn: 'invitee', school: { name: 'Лицей № 3', timezone: 'Asia/Vladivostok' } });
    expect(item.stuckSinceLocal).toMatch(/GMT\+10|UTC\+10/);
    // Issue 6: the list carries labels, never the raw codes, in the request's language.
    expect(item).toMatchObject({ journeyTitle: 'Приглашение по ссылке', stageTitle: 'ссылка действует', waitingOnTitle: 'приглашённый' });
    const english = await api.call('GET', `/v1/support/registrations/stuck?school=${s.school.id}&journey=invite`, { as: agent, headers: { 'accept-language': 'en' } });
    expect(english.body.items.find((i: { workflowId: string }) => i.workflowId === a.workflowId)).toMatchObject({
      journeyTitle: 'Invite link',
      stageTitle: 'link is valid',
      waitingOnTitle: 'the invitee',
    });
    const ages: number[] = list.body.items.map((i: { ageMinutes: number }) => i.ageMinutes);
    expect([...ages].sort((x, y) => y - x)).toEqual(ages);
    const old = await stuck(`school=${s.school.id}&minAgeMinutes=60`);
    expect(old.body.items.map((i: { workflowId: string }) => i.workflowId)).not.toContain(a.workflowId);
    const otherStage = await stuck(`school=${s.school.id}&stage=pending`);
    expect(otherStage.body.items.map((i: { workflowId: string }) => i.workflowId)).not.toContain(a.workflowId);
    const bad = await stuck(`journey=bogus`);
    expect(bad.status).toBe(400);
  });
});

describe('one registration', () => {
  it('R-J3: shows a Russian timeline, who it waits on and the actions of its stage; extends an invite within the maximum', async () => {
    const a = await createInvite();
    const path = `/v1/support/registrations/${enc(a.workflowId)}`;
    const d = await api.call('GET', path, { as: agent });
    expect(d.status).toBe(200);
    expect(d.body.waitingOnText).toMatch(/приглашённого/);
    expect(d.body.stageTitle).toBe('ссылка действует');
    const en = await api.call('GET', path, { as: agent, headers: { 'accept-language': 'en' } });
    expect(en.body).toMatchObject({ stageTitle: 'link is valid', journeyTitle: 'Invite link' });
    expect(en.body.waitingOnText).toMatch(/^Waiting on the invitee/);
    expect(d.body.timeline.map((t: { text: string }) => t.text)).toEqual(expect.arrayContaining(['Процесс начат', 'Приглашение создано']));
    expect(d.body.actions.map((x: { action: string }) => x.action)).toEqual(['extend-invite', 'cancel']);
    const before = Date.parse(d.body.subject.expiresAt);

    const noReason = await api.call('POST', `${path}/actions`, { as: agent, body: { action: 'extend-invite', days: 10 } });
    expect(noReason.status).toBe(400);
    const tooLong = await api.call('POST', `${path}/actions`, { as: agent, body: { action: 'extend-invite', days: 31, reason: 'просьба школы' } });
    expect(tooLong.status).toBe(409);
    expect(tooLong.body.type).toBe('/problems/invite-extension-invalid');
    expect(tooLong.body.detail).toContain('30');

    const extended = await api.call('POST', `${path}/actions`, { as: agent, body: { action: 'extend-invite', days: 20, reason: 'просьба школы' } });
    expect(extended.status).toBe(200);
    expect(Date.parse(extended.body.subject.expiresAt)).toBeGreaterThan(before + 12 * 86400_000);
    const preview = await api.call('GET', `/v1/invites/${a.token}`);
    expect(Date.parse(preview.body.expiresAt)).toBe(Date.parse(extended.body.subject.expiresAt));
    expect(extended.body.timeline.map((t: { text: string }) => t.text)).toEqual(
      expect.arrayContaining(['Срок приглашения продлён', 'Поддержка: продление приглашения']),
    );
    const audit = await db.pool.query(`SELECT actor, actor_role, reason FROM audit_log WHERE action = 'support.extend-invite' AND subject_id = $1`, [a.workflowId]);
    expect(audit.rows).toEqual([{ actor: 'agent-olga', actor_role: 'support', reason: 'просьба школы' }]);
  });

  it('issue 12: a journey id with slashes travels as typed or encoded; actions under it are routed too', async () => {
    const a = await createInvite();
    const plain = await api.call('GET', `/v1/support/registrations/${a.workflowId}`, { as: agent });
    expect(plain.status).toBe(200);
    expect(plain.body.workflowId).toBe(a.workflowId);
    const encoded = await api.call('GET', `/v1/support/registrations/${enc(a.workflowId)}`, { as: agent });
    expect(encoded.body.workflowId).toBe(a.workflowId);
    const acted = await api.call('POST', `/v1/support/registrations/${a.workflowId}/actions`, { as: agent, body: { action: 'extend-invite', days: 9, reason: 'просьба школы' } });
    expect(acted.status).toBe(200);
    const notAJourney = await api.call('GET', '/v1/support/registrations/people/42', { as: agent });
    expect(notAJourney.status).toBe(400);
    expect(notAJourney.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it('R-J3: cancelling an invite revokes the link, and then no action fits any more', async () => {
    const a = await createInvite();
    const path = `/v1/support/registrations/${enc(a.workflowId)}`;
    const res = await api.call('POST', `${path}/actions`, { as: agent, body: { action: 'cancel', reason: 'ссылка попала в общий чат' } });
    expect(res.status).toBe(200);
    const preview = await api.call('GET', `/v1/invites/${a.token}`);
    expect(preview.status).toBe(410);
    expect(preview.body.type).toBe('/problems/invite-revoked');
    await expect.poll(async () => (await api.call('GET', path, { as: agent })).body.status, { timeout: 10_000 }).toBe('COMPLETED');
    const again = await api.call('POST', `${path}/actions`, { as: agent, body: { action: 'extend-invite', days: 5, reason: 'ещё раз' } });
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('/problems/support-action-not-available');
  });

  it('R-J4: an application waiting on approvers: masked data, audited reveal, remind approvers, cancel', async () => {
    const { person, as } = await seedPerson(db.pool, { firstName: 'Мария', lastName: 'Соколова', phone: '+79161231234', email: 'ivanova@mail.ru' });
    const applied = await api.call('POST', '/v1/applications', { as, body: { schoolId: s.school.id, role: 'student', classId: s.classes['5Б']!.id } });
    expect(applied.status).toBe(201);
    const workflowId = `application/${person.id}/${s.school.id}`;
    const path = `/v1/support/registrations/${enc(workflowId)}`;
    await expect.poll(async () => (await stuck(`school=${s.school.id}&journey=application`)).body.items.map((i: { workflowId: string }) => i.workflowId), { timeout: 15_000 }).toContain(workflowId);

    const d = await api.call('GET', path, { as: agent });
    expect(d.body.subject.person).toEqual({ id: person.id, name: 'Мария С.', phone: '+7 *** ***-12-34', email: 'i***@mail.ru', masked: true });
    expect(JSON.stringify(d.body)).not.toContain('1231234');
    expect(d.body.actions.map((x: { action: string }) => x.action)).toEqual(['remind-approvers', 'cancel']);

    const noReason = await api.call('POST', `${path}/reveal`, { as: agent, body: {} });
    expect(noReason.status).toBe(400);
    const revealed = await api.call('POST', `${path}/reveal`, { as: agent, body: { reason: 'звонок родителя, сверка номера' } });
    expect(revealed.body.person).toMatchObject({ phone: '+79161231234', email: 'ivanova@mail.ru', name: 'Соколова Мария', masked: false });
    const reveals = await db.pool.query(`SELECT actor, reason FROM audit_log WHERE action = 'support.reveal' AND subject_id = $1`, [workflowId]);
    expect(reveals.rows).toEqual([{ actor: 'agent-olga', reason: 'звонок родителя, сверка номера' }]);

    const remind = await api.call('POST', `${path}/actions`, { as: agent, body: { action: 'remind-approvers', reason: 'школа не видит заявку' } });
    expect(remind.status).toBe(200);
    const notes = await db.pool.query(`SELECT kind, recipient_id FROM notifications WHERE dedupe_key LIKE $1`, [`application.reminder/${applied.body.id}/support-%`]);
    expect(notes.rows).toEqual([{ kind: 'application.reminder', recipient_id: s.school.id }]);

    const cancel = await api.call('POST', `${path}/actions`, { as: agent, body: { action: 'cancel', reason: 'дубликат заявки' } });
    expect(cancel.status).toBe(200);
    const mine = await api.call('GET', `/v1/applications/${applied.body.id}`, { as });
    expect(mine.body.status).toBe('rejected');
    const audit = await db.pool.query(`SELECT actor, reason FROM audit_log WHERE action = 'application.rejected' AND subject_id = $1`, [applied.body.id]);
    expect(audit.rows).toEqual([{ actor: 'agent-olga', reason: 'дубликат заявки' }]);
  });

  it('R-A4: a signup waiting for its code: support resends it with a reason (audited); the countdown and the hourly cap bind support too', async () => {
    const phone = newPhone();
    const started = await signup.start({ phone });
    expect(started.status).toBe(200);
    const workflowId = workflowIdOf(started.body.signupId);
    const path = `/v1/support/registrations/${enc(workflowId)}`;
    const resend = (reason?: string, headers?: Record<string, string>) =>
      api.call('POST', `${path}/actions`, { as: agent, body: { action: 'resend-code', ...(reason ? { reason } : {}) }, ...(headers ? { headers } : {}) });
    const audited = async () =>
      (await db.pool.query(`SELECT actor, actor_role, reason FROM audit_log WHERE action = 'support.resend-code' AND subject_id = $1 ORDER BY id`, [workflowId])).rows;

    const d = await api.call('GET', path, { as: agent });
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ journey: 'signup', stage: 'code', stageTitle: 'ввод кода' });
    expect(d.body.actions).toEqual([{ action: 'resend-code', title: 'Отправить код повторно' }]);
    expect(d.body.subject.channel).toBe('sms');
    expect(JSON.stringify(d.body)).not.toContain(phone.slice(2));
    expect(JSON.stringify(d.body)).not.toContain(await latestCode(db.pool, phone));

    expect((await resend()).status).toBe(400);
    // Within the countdown: refused with when it will be possible; nothing sent, nothing audited.
    const early = await resend('человек не получил СМС');
    expect(early.status).toBe(429);
    expect(early.headers.get('content-type')).toContain('application/problem+json');
    expect(early.body.type).toBe('/problems/resend-too-early');
    expect(early.body.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(early.body.retryAfterSeconds).toBeLessThanOrEqual(3);
    expect(early.body.detail).toMatch(/Новый код можно запросить через/);
    expect(await outboxCount(db.pool, phone)).toBe(1);
    expect(await audited()).toEqual([]);

    await new Promise((r) => setTimeout(r, early.body.retryAfterSeconds * 1000 + 100));
    const sent = await resend('человек не получил СМС');
    expect(sent.status).toBe(200);
    expect(await outboxCount(db.pool, phone)).toBe(2);
    expect(await audited()).toEqual([{ actor: 'agent-olga', actor_role: 'support', reason: 'человек не получил СМС' }]);
    expect(sent.body.timeline.map((t: { text: string }) => t.text)).toEqual(
      expect.arrayContaining(['Код отправлен повторно по просьбе поддержки', 'Поддержка: код отправлен повторно']),
    );

    // Two codes this hour already: the cap holds for support as for the person.
    await new Promise((r) => setTimeout(r, 3_100));
    const capped = await resend('ещё раз', { 'accept-language': 'en' });
    expect(capped.status).toBe(429);
    expect(capped.body.type).toBe('/problems/too-many-codes');
    expect(capped.body.detail).toMatch(/^Too many codes requested/);
    expect(Number(capped.headers.get('retry-after'))).toBeGreaterThan(3000);
    expect(await outboxCount(db.pool, phone)).toBe(2);
    expect(await audited()).toHaveLength(1);

    // The code support sent works; past the code step the action is no longer offered.
    const entered = await signup.code(started.body.signupId, await latestCode(db.pool, phone));
    expect(entered.status).toBe(200);
    const after = await api.call('GET', path, { as: agent });
    expect(after.body.stage).toBe('profile');
    expect(after.body.actions).toEqual([]);
    const late = await resend('слишком поздно');
    expect(late.status).toBe(409);
    expect(late.body.type).toBe('/problems/support-action-not-available');
  });

  it('an unknown workflow is 404; a school admin cannot read support views at all', async () => {
    const missing = await api.call('GET', `/v1/support/registrations/${enc('invite/deadbeef')}`, { as: agent });
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBe('/problems/registration-not-found');
    const admin = await api.call('GET', `/v1/support/registrations/stuck`, { as: s.admin });
    expect(admin.status).toBe(403);
  });
});
