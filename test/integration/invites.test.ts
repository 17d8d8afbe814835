import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { seedSchool, type SchoolWithClasses } from '../helpers/seed.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool }));
const api = useTestApi(db, temporal);

let s: SchoolWithClasses;
let other: SchoolWithClasses;
beforeAll(async () => {
  s = await seedSchool(db.pool, { name: 'Лицей № 7', settlement: 'Владивосток', timezone: 'Asia/Vladivostok' });
  other = await seedSchool(db.pool, { name: 'Гимназия № 2' });
});

const invitesPath = () => `/v1/schools/${s.school.id}/invites`;
const createStudentInvite = (body: Record<string, unknown> = {}) =>
  api.call('POST', invitesPath(), { as: s.admin, body: { role: 'student', classId: s.classes['1А']!.id, ...body } });
const countRows = async (table: string) => Number((await db.pool.query(`SELECT count(*) FROM ${table}`)).rows[0].count);

describe('invite links', () => {
  it('R-J3: an admin creates a link with a random token of at least 128 bits, valid 7 days by default', async () => {
    const before = Date.now();
    const res = await createStudentInvite();
    expect(res.status).toBe(201);
    expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes = 256 bits
    expect(res.body.url).toBe(`http://localhost:8080/?invite=${res.body.token}`);
    const validMs = Date.parse(res.body.expiresAt) - before;
    expect(validMs).toBeGreaterThan(7 * 86400_000 - 60_000);
    expect(validMs).toBeLessThanOrEqual(7 * 86400_000 + 60_000);
    const second = await createStudentInvite();
    expect(second.body.token).not.toBe(res.body.token);
  });

  it('R-J3: the database keeps only a hash of the token, never the token itself', async () => {
    const res = await createStudentInvite();
    const dump = await db.pool.query(`SELECT row_to_json(i)::text AS j FROM invites i`);
    for (const row of dump.rows) expect(row.j).not.toContain(res.body.token);
    const audit = await db.pool.query(`SELECT details::text AS d FROM audit_log`);
    for (const row of audit.rows) expect(row.d).not.toContain(res.body.token);
  });

  it('R-J2: following the link previews organisation, role and class, with the time in the school zone', async () => {
    const created = await createStudentInvite({ validDays: 3 });
    const res = await api.call('GET', `/v1/invites/${created.body.token}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'active',
      role: 'student',
      school: { name: 'Лицей № 7', settlement: 'Владивосток' },
      class: { name: '1А' },
      actions: ['accept', 'decline'],
    });
    // Vladivostok is UTC+10: the local time differs from the UTC instant and names its zone.
    const expires = new Date(created.body.expiresAt);
    const localHour = (expires.getUTCHours() + 10) % 24;
    expect(res.body.expiresAtLocal).toContain(`${String(localHour).padStart(2, '0')}:`);
    expect(res.body.expiresAtLocal).toMatch(/GMT\+10|UTC\+10/);
  });

  it('R-J2: the invitee can decline, and the link then says so', async () => {
    const created = await createStudentInvite();
    const declined = await api.call('POST', `/v1/invites/${created.body.token}/decline`);
    expect(declined.status).toBe(200);
    expect(declined.body.status).toBe('declined');
    const preview = await api.call('GET', `/v1/invites/${created.body.token}`);
    expect(preview.status).toBe(410);
    expect(preview.headers.get('content-type')).toContain('application/problem+json');
    expect(preview.body.type).toBe('/problems/invite-declined');
    const again = await api.call('POST', `/v1/invites/${created.body.token}/decline`);
    expect(again.status).toBe(410);
  });

  it('R-J3: an admin revokes a link early; the link then explains it and the revoke is audited', async () => {
    const created = await createStudentInvite();
    const revoked = await api.call('POST', `${invitesPath()}/${created.body.id}/revoke`, {
      as: s.admin,
      body: { reason: 'ошибка в классе' },
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    const preview = await api.call('GET', `/v1/invites/${created.body.token}`);
    expect(preview.status).toBe(410);
    expect(preview.body.type).toBe('/problems/invite-revoked');
    expect(preview.body.detail).toMatch(/отозвано/);
    const audit = await db.pool.query(`SELECT actor, reason FROM audit_log WHERE subject_id = $1 AND action = 'invite.revoked'`, [
      created.body.id,
    ]);
    expect(audit.rows).toEqual([{ actor: s.admin.sub, reason: 'ошибка в классе' }]);
    const declineAfter = await api.call('POST', `/v1/invites/${created.body.token}/decline`);
    expect(declineAfter.status).toBe(410);
  });

  it('R-J3: English is available for the same refusal, with the same stable type', async () => {
    const created = await createStudentInvite();
    await api.call('POST', `${invitesPath()}/${created.body.id}/revoke`, { as: s.admin, body: {} });
    const preview = await api.call('GET', `/v1/invites/${created.body.token}`, { headers: { 'accept-language': 'en-US' } });
    expect(preview.body.type).toBe('/problems/invite-revoked');
    expect(preview.body.detail).toMatch(/revoked/);
  });

  it('a class teacher invites to their own class only; other schools are out of reach', async () => {
    const teacher = s.teacherOf('1А');
    const own = await api.call('POST', invitesPath(), { as: teacher, body: { role: 'student', classId: s.classes['1А']!.id } });
    expect(own.status).toBe(201);
    const otherClass = await api.call('POST', invitesPath(), {
      as: teacher,
      body: { role: 'student', classId: s.classes['5Б']!.id },
    });
    expect(otherClass.status).toBe(403);
    const otherSchool = await api.call('POST', invitesPath(), {
      as: other.admin,
      body: { role: 'student', classId: s.classes['1А']!.id },
    });
    expect(otherSchool.status).toBe(403);
    expect(otherSchool.body.type).toBe('/problems/forbidden');
    const anonymous = await api.call('POST', invitesPath(), { body: { role: 'student', classId: s.classes['1А']!.id } });
    expect(anonymous.status).toBe(401);
  });
});

describe('bad input to the invite endpoints is refused and nothing is written', () => {
  it('R-J3: a validity over 30 days is refused with a stable type', async () => {
    const [invites, audit] = [await countRows('invites'), await countRows('audit_log')];
    const res = await createStudentInvite({ validDays: 31 });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.type).toBe('/problems/invite-validity-too-long');
    expect(res.body.detail).toContain('30');
    expect(await countRows('invites')).toBe(invites);
    expect(await countRows('audit_log')).toBe(audit);
  });

  it('an unknown token is 404 invite-not-found, also for a token of the wrong shape', async () => {
    for (const token of ['A'.repeat(43), 'nope', '%00%27']) {
      const res = await api.call('GET', `/v1/invites/${token}`);
      expect(res.status).toBe(404);
      expect(res.body.type).toBe('/problems/invite-not-found');
    }
  });

  it('malformed JSON, unknown fields, wrong types and wrong content types are 4xx problems', async () => {
    const invites = await countRows('invites');
    const broken = await api.call('POST', invitesPath(), { as: s.admin, body: '{"role": "student",' });
    expect(broken.status).toBe(400);
    expect(broken.body.type).toBe('/problems/malformed-json');
    const unknown = await createStudentInvite({ admin: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body.type).toBe('/problems/validation-failed');
    const wrongType = await createStudentInvite({ validDays: 'seven' });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors[0].path).toBe('validDays');
    const noClass = await api.call('POST', invitesPath(), { as: s.admin, body: { role: 'student' } });
    expect(noClass.body.type).toBe('/problems/class-required');
    const foreignClass = await createStudentInvite({ classId: other.classes['1А']!.id });
    expect(foreignClass.status).toBe(404);
    const text = await api.call('POST', invitesPath(), {
      as: s.admin,
      body: 'role=student',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(415);
    const huge = await createStudentInvite({ pad: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);
    expect(await countRows('invites')).toBe(invites);
  });
});
