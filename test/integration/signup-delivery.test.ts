// Issue 14 item 1, end to end: with the SMS.ru simulator and a real SMTP server configured (not the
// outbox), signup's codes travel through them, and a gateway's refusal reaches the person as a clear
// problem+json refusal with the time to wait.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otpSenderFromConfig } from '../../adapters/otp/from-config.js';
import type { OtpSender } from '../../adapters/otp/port.js';
import { startSmsRuSimulator, type SmsRuSimulator } from '../../adapters/otp/sms-ru/simulator.js';
import { loadConfig } from '../../infra/config.js';
import { createLogger } from '../../infra/logger.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { seedSchool, type SchoolWithClasses } from '../helpers/seed.js';
import { aProfile, newPhone, outboxCount, peopleWith, signupSteps } from '../helpers/signup.js';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
let sms: SmsRuSimulator;
let smtp: TestSmtp;
let otp: OtpSender;
beforeAll(async () => {
  sms = await startSmsRuSimulator({ apiId: 'signup-api-id' });
  smtp = await startTestSmtp();
  const config = loadConfig({
    OTP_SMS_GATEWAY: 'smsru',
    SMSRU_API_ID: 'signup-api-id',
    SMSRU_BASE_URL: sms.url,
    SMSRU_TIMEOUT_MS: '500',
    SMTP_URL: smtp.url,
    SMTP_FROM: 'noreply@hub.test',
  });
  otp = otpSenderFromConfig(config, { db: db.pool, logger: createLogger('silent') });
});
afterAll(async () => {
  await sms?.stop();
  await smtp?.stop();
});
const temporal = useTemporalWorker(() => ({ pool: db.pool, otp }));
const api = useTestApi(db, temporal);
const steps = signupSteps(api, db);

const codeIn = (text: string | undefined): string => {
  const m = /(\d{6})/.exec(text ?? '');
  if (!m) throw new Error('no code in the message');
  return m[1]!;
};

let s: SchoolWithClasses;
beforeAll(async () => {
  s = await seedSchool(db.pool, { classes: ['2А'] });
});

describe('issue 14.1: signup codes through the gateways', () => {
  it('issue 14.1 / R-A4: a phone signup gets its code by SMS from SMS.ru and finishes; nothing goes to the outbox', async () => {
    const phone = newPhone();
    const started = await steps.start({ phone });
    expect(started.status).toBe(200);
    const [msg] = sms.sent(phone);
    expect(msg?.text).toMatch(/^Код для входа: \d{6}\. Никому его не сообщайте\.$/);
    const verified = await steps.code(started.body.signupId, codeIn(msg?.text));
    expect(verified.body.stage).toBe('profile');
    const done = await steps.profile(started.body.signupId, aProfile);
    expect(done.body).toMatchObject({ stage: 'done', outcome: 'created' });
    expect(await peopleWith(db.pool, 'phone', phone)).toBe(1);
    expect(await outboxCount(db.pool, phone)).toBe(0);
  });

  it('issue 14.1 / R-A3: an invited child signing up by e-mail gets the code at the SMTP server and finishes', async () => {
    const invite = await api.call('POST', `/v1/schools/${s.school.id}/invites`, { as: s.admin, body: { role: 'student', classId: s.classes['2А']!.id } });
    const email = `kid.${Date.now()}@example.ru`;
    const started = await steps.start({ email, inviteToken: invite.body.token });
    expect(started.status).toBe(200);
    const [mail] = smtp.to(email);
    expect(mail?.subject).toMatch(/^Код подтверждения: \d{6}$/);
    const verified = await steps.code(started.body.signupId, codeIn(mail?.text));
    expect(verified.body.stage).toBe('profile');
    const done = await steps.profile(started.body.signupId, { ...aProfile, birthDate: '2017-09-01' });
    expect(done.body.outcome).toBe('created');
    expect(await outboxCount(db.pool, email)).toBe(0);
  });

  it('issue 14.1: SMS.ru out of money: the person is told in Russian to try again in N s (503, Retry-After), and may', async () => {
    const phone = newPhone();
    sms.setBalance(0);
    const refused = await steps.start({ phone });
    sms.setBalance(1000);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.body.type).toBe('/problems/code-delivery-failed');
    const wait = Number(refused.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(250);
    expect(refused.body.retryAfterSeconds).toBe(wait);
    expect(refused.body.detail).toBe(`Не удалось отправить код. Попробуйте ещё раз через ${wait} с.`);
    const failed = await db.pool.query(`SELECT status, reason, gateway_code FROM otp_deliveries WHERE status = 'failed' ORDER BY id DESC LIMIT 1`);
    expect(failed.rows[0]).toEqual({ status: 'failed', reason: 'account-problem', gateway_code: '201' });
    // Nothing was counted against the person: asking again works once the gateway does.
    const again = await steps.start({ phone });
    expect(again.status).toBe(200);
    expect(sms.sent(phone)).toHaveLength(1);
  });

  it('issue 14.1: a gateway that times out twice gives a refusal in English on request, not a silent success', async () => {
    const phone = newPhone();
    sms.fail({ kind: 'hang' }, { kind: 'hang' });
    const refused = await steps.start({ phone }, { 'accept-language': 'en' });
    expect(refused.status).toBe(503);
    expect(refused.body.type).toBe('/problems/code-delivery-failed');
    expect(refused.body.detail).toMatch(/^The code could not be sent\. Please try again in \d+ s\.$/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('issue 14.1: a number SMS.ru refuses (202) is a 422 that says to check it, without a pointless wait', async () => {
    const phone = newPhone();
    sms.fail({ kind: 'status', code: 202 });
    const refused = await steps.start({ phone });
    expect(refused.status).toBe(422);
    expect(refused.body.type).toBe('/problems/code-recipient-rejected');
    expect(refused.body.detail).toMatch(/^Не удалось отправить код на этот номер или адрес/);
    expect(refused.headers.get('retry-after')).toBeNull();
  });

  it('issue 14.1: a voice-call code with SMS.ru is refused (409) with a hint to choose SMS', async () => {
    const started = await steps.start({ phone: newPhone(), channel: 'voice-call' });
    expect(started.status).toBe(409);
    expect(started.body.type).toBe('/problems/code-channel-unavailable');
    expect(started.body.detail).toBe('Сейчас код не отправить этим способом. Выберите SMS.');
  });
});
