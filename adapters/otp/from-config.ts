// Which gateways carry one-time codes, from config (infra/config.ts): SMS.ru for phones when
// OTP_SMS_GATEWAY=smsru, SMTP for e-mail when SMTP_URL is set; the otp_outbox table otherwise (the dev
// stack, where HUB_DEV_OUTBOX keeps the codes for GET /v1/dev/outbox).
import type { Config } from '../../infra/config.js';
import type { Logger } from '../../infra/logger.js';
import type { Queryable } from '../../infra/postgres.js';
import { outboxOtpSender } from './outbox.js';
import type { OtpSender } from './port.js';
import { recordingOtpSender, routedOtpSender } from './recording.js';
import { SmsRuClient } from './sms-ru/client.js';
import { smsRuOtpSender } from './sms-ru/sender.js';
import { smtpMailer, smtpOtpSender, type Mailer } from './smtp.js';

type OtpConfig = Pick<
  Config,
  | 'OTP_SMS_GATEWAY'
  | 'SMSRU_API_ID'
  | 'SMSRU_BASE_URL'
  | 'SMSRU_FROM'
  | 'SMSRU_TIMEOUT_MS'
  | 'SMSRU_MAX_ATTEMPTS'
  | 'SMSRU_TEST'
  | 'SMTP_URL'
  | 'SMTP_FROM'
  | 'SMTP_TIMEOUT_MS'
  | 'HUB_DEV_OUTBOX'
  | 'HUB_DEFAULT_LANG'
  | 'SIGNUP_CODE_TTL_SECONDS'
>;

export function smsRuClientFromConfig(config: OtpConfig): SmsRuClient {
  if (!config.SMSRU_API_ID) throw new Error('SMSRU_API_ID is required with OTP_SMS_GATEWAY=smsru');
  return new SmsRuClient({
    baseUrl: config.SMSRU_BASE_URL,
    apiId: config.SMSRU_API_ID,
    from: config.SMSRU_FROM,
    timeoutMs: config.SMSRU_TIMEOUT_MS,
    maxAttempts: config.SMSRU_MAX_ATTEMPTS,
    testMode: config.SMSRU_TEST,
  });
}

export function mailerFromConfig(config: OtpConfig): Mailer | undefined {
  if (!config.SMTP_URL) return undefined;
  if (!config.SMTP_FROM) throw new Error('SMTP_FROM is required with SMTP_URL');
  return smtpMailer({ url: config.SMTP_URL, from: config.SMTP_FROM, timeoutMs: config.SMTP_TIMEOUT_MS });
}

export function otpSenderFromConfig(config: OtpConfig, deps: { db: Queryable; logger: Logger; mailer?: Mailer | undefined }): OtpSender {
  const { db, logger } = deps;
  const outbox = outboxOtpSender({ db, logger, keepCodes: config.HUB_DEV_OUTBOX });
  const phone =
    config.OTP_SMS_GATEWAY === 'smsru' ? recordingOtpSender(smsRuOtpSender(smsRuClientFromConfig(config), config.HUB_DEFAULT_LANG), db, logger) : outbox;
  const mailer = deps.mailer ?? mailerFromConfig(config);
  const email = mailer
    ? recordingOtpSender(smtpOtpSender(mailer, { codeTtlSeconds: config.SIGNUP_CODE_TTL_SECONDS, lang: config.HUB_DEFAULT_LANG }), db, logger)
    : outbox;
  if ((phone === outbox || email === outbox) && !config.HUB_DEV_OUTBOX) {
    logger.warn(
      { phone: config.OTP_SMS_GATEWAY, email: mailer ? 'smtp' : 'outbox' },
      'some one-time codes go to the otp_outbox table only and reach nobody: set OTP_SMS_GATEWAY=smsru and SMTP_URL',
    );
  }
  return routedOtpSender({ phone, email });
}
