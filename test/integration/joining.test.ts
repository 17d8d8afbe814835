import { beforeAll, describe, expect, it } from 'vitest';
import { HubJourney, HubWaitingOn } from '../../workflows/search-attributes.js';
import { applicationWorkflowId } from '../../workflows/definitions.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { birthDateForAge, seedPerson, seedSchool, type SchoolWithClasses } from '../helpers/seed.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool }));
const api = useTestApi(db, temporal);
// Same app, timers in seconds: remind after 1 s, escalate after 2 s, expire after 4 s.
const fast = useTestApi(db, temporal, { APPLICATION_REMIND_AFTER: '1s', APPLICATION_ESCALATE_AFTER: '2s', APPLICATION_EXPIRE_AFTER: '4s' });

let kazan: SchoolWithClasses;
let lyceum: SchoolWithClasses;
let ufa: SchoolWithClasses;
beforeAll(async () => {
  kazan = await seedSchool(db.pool, { name: 'МБОУ СОШ № 1', settlement: 'Казань', region: '16' });
  lyceum = await seedSchool(db.pool, { name: 'Лицей № 7 «Ёлочка»', settlement: 'Казань', region: '16', classes: ['1А', '7В'] });
  ufa = await seedSchool(db.pool, { name: 'Гимназия № 3', settlement: 'Уфа', region: '02' });
  for (let i = 10; i < 35; i++) await seedSchool(db.pool, { name: `Школа № ${i}`, settlement: 'Зеленодольск', region: '16', classes: [] });
});

const apply = (as: { sub: string } & object, s: SchoolWithClasses, className = '1А', client = api) =>
  client.call('POST', '/v1/applications', {
    as: as as never,
    body: { schoolId: s.school.id, role: 'student', classId: s.classes[className]!.id },
  });
const until = async <T>(probe: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
};

describe('school directory (R-J1 b)', () => {
  it('R-J1: settlements are found case-insensitively in Russian, with school counts', async () => {
    const res = await api.call('GET', `/v1/directory/settlements?q=${encodeURIComponent('КАЗ')}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([{ name: 'Казань', region: '16', schools: 2 }]);
  });

  it('R-J1: schools of a settlement are searched by name, ё read as е, and paginated', async () => {
    const found = await api.call('GET', `/v1/directory/schools?settlement=${encodeURIComponent('казань')}&q=${encodeURIComponent('елочка')}`);
    expect(found.body.items.map((s: { name: string }) => s.name)).toEqual(['Лицей № 7 «Ёлочка»']);
    const first = await api.call('GET', `/v1/directory/schools?settlement=${encodeURIComponent('Зеленодольск')}&limit=10`);
    expect(first.body.items).toHaveLength(10);
    expect(first.body.nextOffset).toBe(10);
    const last = await api.call('GET', `/v1/directory/schools?settlement=${encodeURIComponent('Зеленодольск')}&limit=10&offset=20`);
    expect(last.body.items).toHaveLength(5);
    expect(last.body.nextOffset).toBeNull();
    const ids = new Set([...first.body.items, ...last.body.items].map((s: { id: string }) => s.id));
    expect(ids.size).toBe(15);
    const wildcard = await api.call('GET', `/v1/directory/schools?settlement=${encodeURIComponent('Казань')}&q=%25`);
    expect(wildcard.body.items).toEqual([]);
  });

  it('R-J1: a school lists its classes for the last step; bad paging is a 400 problem', async () => {
    const res = await api.call('GET', `/v1/directory/schools/${lyceum.school.id}/classes`);
    expect(res.body.items.map((c: { name: string }) => c.name)).toEqual(['1А', '7В']);
    const bad = await api.call('GET', `/v1/directory/settlements?limit=1000`);
    expect(bad.status).toBe(400);
    expect(bad.body.type).toBe('/problems/validation-failed');
  });

  it('R-J1: "my organisation is not listed" files a request the authority of the region sees', async () => {
    const { as } = await seedPerson(db.pool);
    const sent = await api.call('POST', '/v1/school-requests', {
      as,
      body: { settlement: 'Казань', schoolName: 'Школа № 180', role: 'student', className: '5А' },
    });
    expect(sent.status).toBe(201);
    expect(sent.body.message).toMatch(/Запрос отправлен/);
    expect(sent.body.region).toBe('16'); // placed from the directory's settlement
    const authority = { sub: 'op-16', role: 'authority' as const, schools: [], classes: [], region: '16' };
    const list = await api.call('GET', '/v1/school-requests', { as: authority });
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: { schoolName: string }) => r.schoolName)).toContain('Школа № 180');
    const otherRegion = await api.call('GET', '/v1/school-requests', { as: { ...authority, region: '02' } });
    expect(otherRegion.body.items.map((r: { schoolName: string }) => r.schoolName)).not.toContain('Школа № 180');
    const notAuthority = await api.call('GET', '/v1/school-requests', { as });
    expect(notAuthority.status).toBe(403);
  });
});

describe('applications (R-J4, R-J5)', () => {
  it('R-J4: an application from the directory tells the applicant the administration will review it', async () => {
    const { as } = await seedPerson(db.pool, { birthDate: birthDateForAge(15) });
    const res = await apply(as, kazan);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'pending', role: 'student', via: 'directory', class: { name: '1А' } });
    expect(res.body.message).toBe('Заявка отправлена — администрация организации её рассмотрит.');
    const en = await api.call('GET', `/v1/applications/${res.body.id}`, { as, headers: { 'accept-language': 'en' } });
    expect(en.body.message).toMatch(/Application sent/);
    const again = await apply(as, kazan, '5Б');
    expect(again.status).toBe(409);
    expect(again.body.type).toBe('/problems/application-exists');
    expect(again.body.applicationId).toBe(res.body.id);
  });

  it('R-J4: only an admin of the school or the class teacher of that class may decide; others get 403', async () => {
    const { as } = await seedPerson(db.pool, { birthDate: birthDateForAge(15) });
    const created = await apply(as, kazan, '1А');
    const path = `/v1/applications/${created.body.id}/approve`;
    for (const who of [ufa.admin, kazan.teacherOf('5Б'), as, { sub: 'op', role: 'authority' as const, schools: [], classes: [], region: '16' }]) {
      const res = await api.call('POST', path, { as: who, body: {} });
      expect(res.status).toBe(403);
      expect(res.body.type).toBe('/problems/not-allowed-to-approve');
      expect(res.body.detail).toMatch(/классный руководитель/);
    }
    const roles = await db.pool.query(`SELECT 1 FROM school_roles WHERE school_id = $1 AND role = 'student'`, [kazan.school.id]);
    expect(roles.rowCount).toBe(0);
    const ok = await api.call('POST', path, { as: kazan.teacherOf('1А'), body: { reason: 'знаю ученика' } });
    expect(ok.status).toBe(200);
    expect(ok.body.status).toBe('approved');
  });

  it('R-J4: a person holding the admin role in school_roles approves; a second decision is application-closed', async () => {
    const { person: adminPerson, as: adminAs } = await seedPerson(db.pool);
    await db.pool.query(`INSERT INTO school_roles (person_id, school_id, role) VALUES ($1, $2, 'admin')`, [adminPerson.id, lyceum.school.id]);
    const { as } = await seedPerson(db.pool, { birthDate: birthDateForAge(16) });
    const created = await apply(as, lyceum, '7В');
    const queue = await api.call('GET', `/v1/schools/${lyceum.school.id}/applications?status=pending`, { as: adminAs });
    expect(queue.body.items.map((a: { id: string }) => a.id)).toContain(created.body.id);
    const rejected = await api.call('POST', `/v1/applications/${created.body.id}/reject`, { as: adminAs, body: { reason: 'не наш ученик' } });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('rejected');
    expect(rejected.body.message).toMatch(/отклонена/);
    const late = await api.call('POST', `/v1/applications/${created.body.id}/approve`, { as: lyceum.admin, body: {} });
    expect(late.status).toBe(409);
    expect(late.body.type).toBe('/problems/application-closed');
    const outsider = await api.call('POST', `/v1/applications/${created.body.id}/approve`, { as: ufa.admin, body: {} });
    expect(outsider.status).toBe(403);
  });

  it('R-J4: two approvers deciding at once: exactly one decision counts', async () => {
    const { as } = await seedPerson(db.pool, { birthDate: birthDateForAge(16) });
    const created = await apply(as, kazan, '5Б');
    const [a, b] = await Promise.all([
      api.call('POST', `/v1/applications/${created.body.id}/approve`, { as: kazan.admin, body: {} }),
      api.call('POST', `/v1/applications/${created.body.id}/reject`, { as: kazan.teacherOf('5Б'), body: {} }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const audit = await db.pool.query(`SELECT action FROM audit_log WHERE subject_id = $1 AND action IN ('application.approved', 'application.rejected')`, [created.body.id]);
    expect(audit.rowCount).toBe(1);
  });

  it('R-J5: on approval the student joins the school and class, with an audit entry', async () => {
    const { person, as } = await seedPerson(db.pool, { birthDate: birthDateForAge(16) });
    const created = await apply(as, lyceum, '1А');
    const approved = await api.call('POST', `/v1/applications/${created.body.id}/approve`, { as: lyceum.admin, body: {} });
    expect(approved.body).toMatchObject({ status: 'approved', parentConfirmation: { requirement: 'optional', confirmedParents: 0 } });
    const roles = await db.pool.query(`SELECT school_id, class_id, role FROM school_roles WHERE person_id = $1`, [person.id]);
    expect(roles.rows).toEqual([{ school_id: lyceum.school.id, class_id: lyceum.classes['1А']!.id, role: 'student' }]);
    const audit = await db.pool.query(`SELECT actor, action FROM audit_log WHERE subject_id = $1 AND action = 'school.joined'`, [person.id]);
    expect(audit.rows).toEqual([{ actor: lyceum.admin.sub, action: 'school.joined' }]);
    const mine = await api.call('GET', '/v1/me/applications', { as });
    expect(mine.body.items[0].status).toBe('approved');
    const reapply = await apply(as, lyceum, '1А');
    expect(reapply.status).toBe(409);
    expect(reapply.body.type).toBe('/problems/already-member');
  });

  it('R-J4, R-J1: accepting an invite as a signed-in person creates an application for its school, role and class', async () => {
    const invite = await api.call('POST', `/v1/schools/${ufa.school.id}/invites`, {
      as: ufa.admin,
      body: { role: 'student', classId: ufa.classes['5Б']!.id },
    });
    const { person, as } = await seedPerson(db.pool, { birthDate: birthDateForAge(15) });
    const anonymous = await api.call('POST', `/v1/invites/${invite.body.token}/accept`);
    expect(anonymous.status).toBe(401);
    const accepted = await api.call('POST', `/v1/invites/${invite.body.token}/accept`, { as });
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({ status: 'pending', via: 'invite', school: { name: 'Гимназия № 3' }, class: { name: '5Б' } });
    expect(accepted.body.message).toMatch(/Заявка отправлена/);
    const inviteRow = await db.pool.query(`SELECT status FROM invites WHERE id = $1`, [invite.body.id]);
    expect(inviteRow.rows[0].status).toBe('accepted');
    const { as: second } = await seedPerson(db.pool);
    const reused = await api.call('POST', `/v1/invites/${invite.body.token}/accept`, { as: second });
    expect(reused.status).toBe(410);
    expect(reused.body.type).toBe('/problems/invite-accepted');
    const approved = await api.call('POST', `/v1/applications/${accepted.body.id}/approve`, { as: ufa.teacherOf('5Б'), body: {} });
    expect(approved.body.status).toBe('approved');
    const roles = await db.pool.query(`SELECT role FROM school_roles WHERE person_id = $1 AND school_id = $2`, [person.id, ufa.school.id]);
    expect(roles.rows).toEqual([{ role: 'student' }]);
  });

  it('R-J4: "waiting on whom, since when" is a visibility query that finds a waiting application', async () => {
    const { person, as } = await seedPerson(db.pool);
    await apply(as, ufa, '1А');
    const wid = applicationWorkflowId(person.id, ufa.school.id);
    const found = await until(async () => {
      const hits: string[] = [];
      for await (const wf of temporal.client.workflow.list({
        query: `HubJourney = 'application' AND HubWaitingOn = 'approver' AND HubSchool = '${ufa.school.id}' AND ExecutionStatus = 'Running'`,
      })) {
        hits.push(wf.workflowId);
        expect(wf.searchAttributes?.HubStuckSince?.[0]).toBeInstanceOf(Date);
      }
      return hits.includes(wid) && hits;
    });
    expect(found).toContain(wid);
    const typed = await temporal.client.workflow.getHandle(wid).describe();
    expect(typed.typedSearchAttributes.get(HubJourney)).toBe('application');
    expect(typed.typedSearchAttributes.get(HubWaitingOn)).toBe('approver');
  });

  it('R-J4: approvers are reminded, the authority is told, then the application expires (timers from input)', async () => {
    const { person, as } = await seedPerson(db.pool);
    const created = await apply(as, kazan, '1А', fast);
    expect(created.status).toBe(201);
    const wid = applicationWorkflowId(person.id, kazan.school.id);
    const kinds = async () =>
      (await db.pool.query(`SELECT kind, recipient_kind, recipient_id FROM notifications WHERE payload->>'applicationId' = $1 ORDER BY id`, [created.body.id])).rows;
    await until(async () => (await kinds()).length >= 2);
    const described = await temporal.client.workflow.getHandle(wid).describe();
    expect(described.typedSearchAttributes.get(HubWaitingOn)).toBe('authority');
    const result = await temporal.client.workflow.getHandle(wid).result();
    expect(result.status).toBe('expired');
    expect(await kinds()).toEqual([
      { kind: 'application.reminder', recipient_kind: 'school_approvers', recipient_id: kazan.school.id },
      { kind: 'application.escalated', recipient_kind: 'authority', recipient_id: '16' },
      { kind: 'application.expired', recipient_kind: 'person', recipient_id: person.id },
    ]);
    const view = await api.call('GET', `/v1/applications/${created.body.id}`, { as });
    expect(view.body.status).toBe('expired');
    expect(view.body.message).toMatch(/срок её действия истёк/);
    const late = await api.call('POST', `/v1/applications/${created.body.id}/approve`, { as: kazan.admin, body: {} });
    expect(late.status).toBe(409);
    expect(late.body.type).toBe('/problems/application-closed');
    // Expired is not a dead end: a new application may be sent.
    const again = await apply(as, kazan, '1А', fast);
    expect(again.status).toBe(201);
  });

  it('R-J4: an application decided before the reminder gets no reminder', async () => {
    const { as } = await seedPerson(db.pool, { birthDate: birthDateForAge(16) });
    const created = await apply(as, lyceum, '7В', fast);
    await api.call('POST', `/v1/applications/${created.body.id}/approve`, { as: lyceum.admin, body: {} });
    await new Promise((r) => setTimeout(r, 1500));
    const rows = await db.pool.query(`SELECT kind FROM notifications WHERE payload->>'applicationId' = $1`, [created.body.id]);
    expect(rows.rows.map((r) => r.kind)).toEqual(['application.approved']);
  });
});
