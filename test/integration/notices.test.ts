// Issue 14 item 2: the notice dispatcher over the real tables, a real SMTP server, the SMS.ru and
// messenger simulators. Retries with backoff, a bound after which it gives up with the reason, and
// support seeing what was not delivered (masked).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmsRuSimulator, type SmsRuSimulator } from '../../adapters/otp/sms-ru/simulator.js';
import { startMessengerSimulator, type MessengerSimulator } from '../../adapters/messenger/simulator.js';
import { enqueueNotification } from '../../db/repositories/notifications.js';
import { loadConfig } from '../../infra/config.js';
import { createLogger } from '../../infra/logger.js';
import type { NoticeDispatcher } from '../../notices/dispatcher.js';
import { noticeDispatcherFromConfig } from '../../notices/from-config.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { seedPerson, seedSchool, type SchoolWithClasses } from '../helpers/seed.js';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.js';
import { useTemporalWorker } from '../helpers/temporal.js';
import { bindThroughUseCase, startTestVkId } from '../helpers/vk-id.js';
import type { VkIdSimulator } from '../../adapters/vk-id/simulator.js';

const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool }));
const api = useTestApi(db, temporal);
let smtp: TestSmtp;
let sms: SmsRuSimulator;
let messenger: MessengerSimulator;
let dispatcher: NoticeDispatcher;
let s: SchoolWithClasses;
let vkId: VkIdSimulator;
const support = { sub: 'support-1', role: 'support' as const, schools: [], classes: [] };

beforeAll(async () => {
  smtp = await startTestSmtp();
  sms = await startSmsRuSimulator({ apiId: 'n' });
  messenger = await startMessengerSimulator({ token: 'bot-token' });
  vkId = await startTestVkId();
  const config = loadConfig({
    SMTP_URL: smtp.url,
    SMTP_FROM: 'noreply@hub.example.ru',
    OTP_SMS_GATEWAY: 'smsru',
    SMSRU_API_ID: 'n',
    SMSRU_BASE_URL: sms.url,
    MESSENGER_API_BASE: messenger.apiBase,
    MESSENGER_TOKEN: 'bot-token',
    NOTIFY_AUTHORITY_EMAILS: '16=ruo@kazan.example.ru',
    NOTIFY_MAX_ATTEMPTS: '3',
    NOTIFY_RETRY_BASE: '300ms',
    NOTIFY_RETRY_MAX: '1s',
  });
  dispatcher = noticeDispatcherFromConfig(config, db.pool, createLogger('silent'));
  s = await seedSchool(db.pool, { name: 'Гимназия № 5', region: '16', classes: ['3А'] });
});
afterAll(async () => {
  await smtp?.stop();
  await sms?.stop();
  await messenger?.stop();
  await vkId?.stop();
});

let seq = 0;
async function decisionFor(personId: string, status = 'approved'): Promise<string> {
  const key = `test/${++seq}/${Date.now()}`;
  await enqueueNotification(db.pool, {
    dedupeKey: key,
    kind: `application.${status}`,
    recipientKind: 'person',
    recipientId: personId,
    payload: { schoolId: s.school.id, classId: s.classes['3А']!.id },
  });
  const { rows } = await db.pool.query(`SELECT id::text FROM notifications WHERE dedupe_key = $1`, [key]);
  return rows[0].id as string;
}
const notice = async (id: string) =>
  (await db.pool.query(`SELECT sent_at, attempts, last_error, gave_up_at, next_attempt_at FROM notifications WHERE id = $1`, [id])).rows[0];
/** Drains until the notice is settled (sent or given up), waiting out its backoff like the loop would. */
async function settle(id: string, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    await dispatcher.drain();
    const n = await notice(id);
    if (n.sent_at || n.gave_up_at) return n;
    if (Date.now() > end) throw new Error(`notice ${id} not settled`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('issue 14.2: the notice dispatcher', () => {
  it('issue 14.2: a decision reaches the applicant once by e-mail (Russian), sent_at is set, a second pass sends nothing', async () => {
    const { person } = await seedPerson(db.pool, { email: 'petya@example.ru' });
    const id = await decisionFor(person.id, 'rejected');
    const n = await settle(id);
    expect(n.sent_at).toBeInstanceOf(Date);
    const mails = smtp.to('petya@example.ru');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Заявка отклонена');
    expect(mails[0]!.text).toContain('Вашу заявку в Гимназия № 5, класс 3А отклонили.');
    expect(mails[0]!.headers['message-id']).toMatch(new RegExp(`^<notice-${id}-[0-9a-f]{16}@hub\\.example\\.ru>$`));
    await dispatcher.drain();
    expect(smtp.to('petya@example.ru')).toHaveLength(1);
  });

  it('issue 14.2: a person with a messenger account gets the bot message instead; one with only a phone gets an SMS', async () => {
    const { person: linked } = await seedPerson(db.pool, { email: 'linked@example.ru' });
    // The messenger account as production gets it: "Sign in with VK ID".
    await bindThroughUseCase(db.pool, vkId, linked.id, '1001');
    const { person: phoneOnly } = await seedPerson(db.pool, { phone: '+79045556677' });
    await settle(await decisionFor(linked.id));
    await settle(await decisionFor(phoneOnly.id, 'expired'));
    expect(messenger.messages.filter((m) => m.chatId === '1001').map((m) => m.text.split('\n')[0])).toEqual(['Заявка одобрена']);
    expect(smtp.to('linked@example.ru')).toHaveLength(0);
    expect(sms.sent('+79045556677').map((m) => m.text)).toEqual(['Срок заявки в Гимназия № 5 истёк. Подайте новую.']);
  });

  it('issue 14.2: a refused try (451) is retried after a backoff and then delivered once', async () => {
    const { person } = await seedPerson(db.pool, { email: 'retry@example.ru' });
    smtp.failNext(1);
    const id = await decisionFor(person.id);
    await dispatcher.drain();
    const waiting = await notice(id);
    expect(waiting).toMatchObject({ sent_at: null, attempts: 1, gave_up_at: null });
    expect(waiting.last_error).toMatch(/rate-limited \(451\)/);
    expect(waiting.next_attempt_at.getTime()).toBeGreaterThan(Date.now());
    await dispatcher.drain(); // not due yet: nothing happens
    expect(await notice(id)).toMatchObject({ attempts: 1, sent_at: null });
    const n = await settle(id);
    expect(n.attempts).toBe(2);
    expect(smtp.to('retry@example.ru')).toHaveLength(1);
  });

  it('issue 14.2: after NOTIFY_MAX_ATTEMPTS it gives up with the reason, and support sees it with the address masked', async () => {
    const { person } = await seedPerson(db.pool, { email: 'down@example.ru' });
    smtp.failNext(100);
    const id = await decisionFor(person.id);
    const n = await settle(id);
    smtp.failNext(0);
    expect(n.sent_at).toBeNull();
    expect(n.attempts).toBe(3);
    expect(n.last_error).toMatch(/^gave up after 3 attempts: person:[0-9a-f-]+: rate-limited \(451\)$/);
    expect(smtp.to('down@example.ru')).toHaveLength(0);

    const listed = await api.call('GET', '/v1/support/notices', { as: support });
    expect(listed.status).toBe(200);
    const item = listed.body.items.find((i: { id: string }) => i.id === id);
    expect(item).toMatchObject({ kind: 'application.approved', title: 'Заявка одобрена', attempts: 3, reasonTitle: 'превышен лимит отправки' });
    expect(item.deliveries).toEqual([{ channel: 'email', address: 'd***@example.ru', status: 'failed', attempts: 3, error: 'rate-limited (451)' }]);
    expect(JSON.stringify(listed.body)).not.toContain('down@example.ru');
    const en = await api.call('GET', '/v1/support/notices', { as: support, headers: { 'accept-language': 'en' } });
    expect(en.body.items.find((i: { id: string }) => i.id === id).title).toBe('Application approved');
    const forbidden = await api.call('GET', '/v1/support/notices', { as: s.admin });
    expect(forbidden.status).toBe(403);
  });

  it('issue 14.2: a refused address (550) and an authority with no address give up at once, with the reason', async () => {
    const { person } = await seedPerson(db.pool, { email: 'gone@example.ru', phone: null });
    smtp.rejectRecipients.add('gone@example.ru');
    const id = await decisionFor(person.id);
    const n = await settle(id);
    expect(n).toMatchObject({ attempts: 1, sent_at: null });
    expect(n.last_error).toMatch(/recipient-rejected \(550\)/);

    await enqueueNotification(db.pool, { dedupeKey: `nowhere/${Date.now()}`, kind: 'school-request.created', recipientKind: 'authority', recipientId: '99', payload: {} });
    const { rows } = await db.pool.query(`SELECT id::text FROM notifications WHERE recipient_id = '99'`);
    expect((await settle(rows[0].id)).last_error).toBe('authority:99: no-recipient');
  });

  it('issue 14.2 / R-J1: a "school not listed" request reaches the region\'s authority by e-mail', async () => {
    const { as } = await seedPerson(db.pool);
    const res = await api.call('POST', '/v1/school-requests', {
      as,
      body: { region: '16', settlement: 'Лаишево', schoolName: 'Лаишевская СОШ № 2', role: 'teacher' },
    });
    expect(res.status).toBe(201);
    await dispatcher.drain();
    const [m] = smtp.to('ruo@kazan.example.ru');
    expect(m?.subject).toBe('Просят добавить школу');
    expect(m!.text).toContain('«Лаишевская СОШ № 2», Лаишево');
  });
});
