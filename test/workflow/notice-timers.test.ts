// Issue 14 item 2 "done when": a pending application's reminder and escalation arrive at the SMTP
// server on their production timers (48 h, 7 days) passed on the time-skipping server, and the
// applicant receives the decision. The dispatcher is the real loop over the real tables.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { outboxOtpSender } from '../../adapters/otp/outbox.js';
import { startSmsRuSimulator, type SmsRuSimulator } from '../../adapters/otp/sms-ru/simulator.js';
import { createApp } from '../../api/app.js';
import { tokenService } from '../../api/auth.js';
import { grantSchoolRole } from '../../db/repositories/school-roles.js';
import { loadConfig } from '../../infra/config.js';
import { createLogger } from '../../infra/logger.js';
import { bundleWorkflows } from '../../app/temporal-worker.js';
import { temporalTestServer } from '../../infra/temporal-binaries.js';
import { noticeDispatcherFromConfig } from '../../notices/from-config.js';
import { unwiredJournals, unwiredMessenger } from '../../sync/unwired.js';
import { TEST_JWT_SECRET } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { seedPerson, seedSchool } from '../helpers/seed.js';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.js';
import { quietRuntime, registerHubSearchAttributes } from '../helpers/temporal.js';

const db = useTestDb();
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let server: Server;
let base: string;
let smtp: TestSmtp;
let sms: SmsRuSimulator;
let dispatcher: { stop(): Promise<void> };
const tokens = tokenService(TEST_JWT_SECRET);
const taskQueue = 'notice-timers';

beforeAll(async () => {
  quietRuntime();
  smtp = await startTestSmtp();
  sms = await startSmsRuSimulator({ apiId: 'notices' });
  // Production timers: remind after 48 h, escalate after 7 days, expire after 30 days.
  const config = loadConfig({
    HUB_JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    PUBLIC_BASE_URL: 'https://hub.example.ru',
    SMTP_URL: smtp.url,
    SMTP_FROM: 'Школьный хаб <noreply@hub.example.ru>',
    OTP_SMS_GATEWAY: 'smsru',
    SMSRU_API_ID: 'notices',
    SMSRU_BASE_URL: sms.url,
    NOTIFY_AUTHORITY_EMAILS: '16=ruo@kazan.example.ru;*=ops@example.ru',
    NOTIFY_POLL_INTERVAL: '200ms',
  });
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: temporalTestServer() } });
  await registerHubSearchAttributes(env.connection);
  const logger = createLogger('silent');
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleWorkflows(),
    activities: createActivities({
      pool: db.pool,
      logger,
      otp: outboxOtpSender({ db: db.pool, logger, keepCodes: false }),
      messenger: unwiredMessenger,
      journals: unwiredJournals,
    }),
  });
  running = worker.run();
  const app = createApp({ config, pool: db.pool, temporal: env.client, tokens, logger, taskQueues: { registration: taskQueue, roster: taskQueue } });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dispatcher = noticeDispatcherFromConfig(config, db.pool, logger).start();
});

afterAll(async () => {
  await dispatcher?.stop();
  await new Promise((resolve) => server?.close(resolve));
  worker?.shutdown();
  await running;
  await env?.teardown();
  await smtp?.stop();
  await sms?.stop();
});

const call = async (method: string, path: string, as: Parameters<typeof tokens.sign>[0], body?: unknown) => {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${await tokens.sign(as)}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('issue 14.2: notices on the application timers (time-skipping server)', () => {
  it('issue 14.2 / R-J4: reminder after 48 h (e-mail to the admin, SMS to the class teacher), escalation after 7 days to the authority, the decision to the applicant', async () => {
    const s = await seedSchool(db.pool, { name: 'МБОУ СОШ № 12', settlement: 'Казань', region: '16', classes: ['5Б'] });
    const { person: admin } = await seedPerson(db.pool, { email: 'director@school12.example.ru', phone: null });
    await grantSchoolRole(db.pool, { personId: admin.id, schoolId: s.school.id, classId: null, role: 'admin' });
    const { person: teacher } = await seedPerson(db.pool, { phone: '+79031112233' });
    await grantSchoolRole(db.pool, { personId: teacher.id, schoolId: s.school.id, classId: s.classes['5Б']!.id, role: 'class_teacher' });
    const { as } = await seedPerson(db.pool, { firstName: 'Анна', lastName: 'Смирнова', email: 'anna@example.ru', birthDate: '2009-03-01' });

    const created = await call('POST', '/v1/applications', as, { schoolId: s.school.id, role: 'student', classId: s.classes['5Б']!.id });
    expect(created.status).toBe(201);

    await env.sleep('47 hours');
    await new Promise((r) => setTimeout(r, 600));
    expect(smtp.to('director@school12.example.ru')).toHaveLength(0);

    await env.sleep('2 hours');
    const [reminder] = await smtp.waitFor(() => smtp.to('director@school12.example.ru').length === 1).then(() => smtp.to('director@school12.example.ru'));
    expect(reminder!.subject).toBe('Заявка ждёт вашего решения');
    expect(reminder!.text).toContain('Заявка на вступление в МБОУ СОШ № 12, класс 5Б ещё не рассмотрена. Заявитель: Анна Смирнова.');
    expect(reminder!.text).toContain('https://hub.example.ru');
    expect(reminder!.contentTypes).toEqual(['text/plain']);
    const teacherSms = sms.sent('+79031112233');
    expect(teacherSms.map((m) => m.text)).toEqual(['Заявка в МБОУ СОШ № 12, класс 5Б ждёт решения.']);
    expect(smtp.to('ruo@kazan.example.ru')).toHaveLength(0);

    await env.sleep('5 days');
    const [escalation] = await smtp.waitFor(() => smtp.to('ruo@kazan.example.ru').length === 1).then(() => smtp.to('ruo@kazan.example.ru'));
    expect(escalation!.subject).toBe('Заявку в МБОУ СОШ № 12 не рассматривают');
    expect(escalation!.text).toContain('(Казань), класс 5Б');
    expect(escalation!.text).not.toContain('Смирнова'); // the authority needs the school, not the child's name

    const approved = await call('POST', `/v1/applications/${created.body.id as string}/approve`, { sub: admin.id, role: 'person', schools: [], classes: [] }, {});
    expect(approved.status).toBe(200);
    const [decision] = await smtp.waitFor(() => smtp.to('anna@example.ru').length === 1).then(() => smtp.to('anna@example.ru'));
    expect(decision!.subject).toBe('Заявка одобрена');
    expect(decision!.text).toContain('Вашу заявку в МБОУ СОШ № 12, класс 5Б одобрили.');

    const rows = await db.pool.query(
      `SELECT kind, sent_at IS NOT NULL AS sent, attempts, gave_up_at FROM notifications WHERE payload->>'applicationId' = $1 ORDER BY id`,
      [created.body.id],
    );
    expect(rows.rows).toEqual([
      { kind: 'application.reminder', sent: true, attempts: 1, gave_up_at: null },
      { kind: 'application.escalated', sent: true, attempts: 1, gave_up_at: null },
      { kind: 'application.approved', sent: true, attempts: 1, gave_up_at: null },
    ]);
    // Each arrived once: the loop kept polling all along.
    expect(smtp.received.filter((m) => m.subject === 'Заявка ждёт вашего решения')).toHaveLength(1);
  });
});
