// Issue 14 item 1: one-time codes through real gateways. SMS.ru is the simulator the project ships
// (adapters/otp/sms-ru/simulator.ts, SMS.ru's documented /sms/send); e-mail goes to a real SMTP
// server started here. Every refusal comes back as a DeliveryError and leaves a row in otp_deliveries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../adapters/otp/errors.js';
import { otpSenderFromConfig } from '../../adapters/otp/from-config.js';
import type { OtpSender } from '../../adapters/otp/port.js';
import { SmsRuClient } from '../../adapters/otp/sms-ru/client.js';
import { startSmsRuSimulator, type SmsRuSimulator } from '../../adapters/otp/sms-ru/simulator.js';
import { smtpMailer, smtpOtpSender } from '../../adapters/otp/smtp.js';
import { loadConfig } from '../../infra/config.js';
import { createLogger } from '../../infra/logger.js';
import { useTestDb } from '../helpers/db.js';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.js';

const db = useTestDb();
let sms: SmsRuSimulator;
let smtp: TestSmtp;
let otp: OtpSender;

const refusal = async (p: Promise<unknown>): Promise<DeliveryError> => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DeliveryError);
  return e as DeliveryError;
};

beforeAll(async () => {
  sms = await startSmsRuSimulator({ apiId: 'test-api-id' });
  smtp = await startTestSmtp();
  const config = loadConfig({
    OTP_SMS_GATEWAY: 'smsru',
    SMSRU_API_ID: 'test-api-id',
    SMSRU_BASE_URL: sms.url,
    SMSRU_TIMEOUT_MS: '400',
    SMTP_URL: smtp.url,
    SMTP_FROM: 'Школьный хаб <noreply@hub.test>',
    SMTP_TIMEOUT_MS: '2000',
  });
  otp = otpSenderFromConfig(config, { db: db.pool, logger: createLogger('silent') });
});
afterAll(async () => {
  await sms?.stop();
  await smtp?.stop();
});

const deliveries = async () =>
  (await db.pool.query(`SELECT channel, recipient_masked, gateway, status, reason, gateway_code FROM otp_deliveries ORDER BY id`)).rows;

describe('issue 14.1: SMS codes through SMS.ru (simulator)', () => {
  it('issue 14.1: a code reaches the phone as one Russian SMS, and the hand-over is recorded without the code', async () => {
    await otp.send({ channel: 'sms', recipient: '+79161234501', code: '482913', purpose: 'signup' });
    const [m] = sms.sent('+79161234501');
    expect(m?.text).toBe('Код для входа: 482913. Никому его не сообщайте.');
    expect(m!.text.length).toBeLessThanOrEqual(70);
    const rows = await deliveries();
    expect(rows.at(-1)).toMatchObject({ channel: 'sms', recipient_masked: '+7 *** ***-45-01', gateway: 'smsru', status: 'sent' });
    expect(JSON.stringify(rows)).not.toContain('482913');
  });

  it('issue 14.1: wrong number (202), stop-list (209) and no route (207) are refusals of the recipient', async () => {
    expect((await refusal(otp.send({ channel: 'sms', recipient: '+7916', code: '111111', purpose: 'signup' }))).reason).toBe('recipient-rejected');
    sms.stopList.add('79161234502');
    const stop = await refusal(otp.send({ channel: 'sms', recipient: '+79161234502', code: '111111', purpose: 'signup' }));
    expect(stop).toMatchObject({ reason: 'recipient-rejected', opts: { gatewayCode: '209' } });
    sms.fail({ kind: 'status', code: 207 });
    expect((await refusal(otp.send({ channel: 'sms', recipient: '+79161234503', code: '111111', purpose: 'signup' }))).reason).toBe('recipient-rejected');
    expect(sms.sent('+79161234502')).toHaveLength(0);
    expect((await deliveries()).at(-1)).toMatchObject({ status: 'failed', reason: 'recipient-rejected', gateway_code: '207' });
  });

  it('issue 14.1: no money (201), a wrong api_id (200) and the daily limit (206) refuse with a wait, nothing sent', async () => {
    sms.setBalance(0);
    const poor = await refusal(otp.send({ channel: 'sms', recipient: '+79161234504', code: '222222', purpose: 'signup' }));
    expect(poor).toMatchObject({ reason: 'account-problem', opts: { gatewayCode: '201' } });
    sms.setBalance(1000);
    const wrongKey = new SmsRuClient({ baseUrl: sms.url, apiId: 'not-the-key', timeoutMs: 1000, maxAttempts: 2 });
    expect(await refusal(wrongKey.send('+79161234504', 'x'))).toMatchObject({ reason: 'account-problem', opts: { gatewayCode: '200' } });
    sms.fail({ kind: 'status', code: 206 });
    const limited = await refusal(otp.send({ channel: 'sms', recipient: '+79161234504', code: '222222', purpose: 'signup' }));
    expect(limited).toMatchObject({ reason: 'rate-limited', opts: { gatewayCode: '206', retryAfterMs: 3_600_000 } });
    expect(sms.sent('+79161234504')).toHaveLength(0);
  });

  it('issue 14.1: one 5xx or "service unavailable" (220) is retried in place with the same text; two are a refusal', async () => {
    sms.fail({ kind: 'http', status: 502 });
    await otp.send({ channel: 'sms', recipient: '+79161234505', code: '333333', purpose: 'password-reset' });
    expect(sms.sent('+79161234505').map((m) => m.text)).toEqual(['Код для смены пароля: 333333. Никому его не сообщайте.']);
    sms.fail({ kind: 'status', code: 220 }, { kind: 'http', status: 503 });
    const down = await refusal(otp.send({ channel: 'sms', recipient: '+79161234506', code: '444444', purpose: 'signup' }));
    expect(down).toMatchObject({ reason: 'gateway-unavailable', opts: { gatewayCode: 'http-503' } });
    expect(sms.sent('+79161234506')).toHaveLength(0);
  });

  it('issue 14.1: a gateway that does not answer is a refusal within the timeout, not a hang', async () => {
    sms.fail({ kind: 'hang' }, { kind: 'hang' });
    const started = Date.now();
    const e = await refusal(otp.send({ channel: 'sms', recipient: '+79161234507', code: '555555', purpose: 'signup' }));
    expect(e).toMatchObject({ reason: 'gateway-unavailable', opts: { gatewayCode: 'timeout', maybeDelivered: true } });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('issue 14.1: a voice-call code is refused as unavailable with SMS.ru, never quietly sent as SMS', async () => {
    const e = await refusal(otp.send({ channel: 'voice-call', recipient: '+79161234508', code: '666666', purpose: 'signup' }));
    expect(e.reason).toBe('channel-unavailable');
    expect(sms.sent('+79161234508')).toHaveLength(0);
  });
});

describe('issue 14.1: e-mail codes over SMTP', () => {
  it('issue 14.1: the code arrives at the SMTP server in Russian, with a plain-text part and an HTML alternative', async () => {
    await otp.send({ channel: 'email', recipient: 'masha@example.ru', code: '700123', purpose: 'signup' });
    const [m] = smtp.to('masha@example.ru');
    expect(m?.subject).toBe('Код подтверждения: 700123');
    expect(m!.headers.from).toContain('noreply@hub.test');
    expect(m!.contentTypes).toEqual(['text/plain', 'text/html']);
    expect(m!.text).toContain('Ваш код для входа в школьный сервис: 700123');
    expect(m!.text).toContain('Код действует 5 мин.');
    expect(m!.html).toContain('<b>700123</b>');
    expect((await deliveries()).at(-1)).toMatchObject({ channel: 'email', recipient_masked: 'm***@example.ru', gateway: 'smtp', status: 'sent' });
  });

  it('issue 14.1: a mailbox refused with 550 is a refusal of the recipient; 451 is "not now"', async () => {
    smtp.rejectRecipients.add('nobody@example.ru');
    const e = await refusal(otp.send({ channel: 'email', recipient: 'nobody@example.ru', code: '700124', purpose: 'signup' }));
    expect(e).toMatchObject({ reason: 'recipient-rejected', opts: { gatewayCode: '550' } });
    smtp.failNext(1);
    const later = await refusal(otp.send({ channel: 'email', recipient: 'later@example.ru', code: '700125', purpose: 'signup' }));
    expect(later).toMatchObject({ reason: 'rate-limited', opts: { gatewayCode: '451' } });
    expect(smtp.to('later@example.ru')).toHaveLength(0);
  });

  it('issue 14.1: an SMTP server that is down is a refusal, recorded as failed', async () => {
    const down = smtpOtpSender(smtpMailer({ url: 'smtp://127.0.0.1:1', from: 'noreply@hub.test', timeoutMs: 1000 }), { codeTtlSeconds: 300 });
    const e = await refusal(down.send({ channel: 'email', recipient: 'x@example.ru', code: '700126', purpose: 'signup' }));
    expect(e.reason).toBe('gateway-unavailable');
  });
});

describe('issue 14.1: choosing the gateway by config', () => {
  it('issue 14.1: the dev stack keeps its outbox (codes kept with HUB_DEV_OUTBOX), and nothing reaches SMS.ru or SMTP', async () => {
    const dev = otpSenderFromConfig(loadConfig({ HUB_DEV_AUTH: 'true', HUB_DEV_OUTBOX: 'true' }), { db: db.pool, logger: createLogger('silent') });
    const before = { sms: sms.calls(), mail: smtp.received.length };
    await dev.send({ channel: 'sms', recipient: '+79161234599', code: '909090', purpose: 'signup' });
    await dev.send({ channel: 'email', recipient: 'dev@example.ru', code: '808080', purpose: 'signup' });
    const { rows } = await db.pool.query(`SELECT recipient, code FROM otp_outbox WHERE recipient IN ('+79161234599', 'dev@example.ru') ORDER BY id`);
    expect(rows).toEqual([
      { recipient: '+79161234599', code: '909090' },
      { recipient: 'dev@example.ru', code: '808080' },
    ]);
    expect({ sms: sms.calls(), mail: smtp.received.length }).toEqual(before);
  });

  it('issue 14.1: SMS.ru without its api_id, or SMTP without a From address, is refused at start', () => {
    expect(() => loadConfig({ OTP_SMS_GATEWAY: 'smsru' })).toThrow(/SMSRU_API_ID/);
    expect(() => loadConfig({ SMTP_URL: 'smtp://127.0.0.1:25' })).toThrow(/SMTP_FROM/);
  });
});
