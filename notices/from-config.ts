// The dispatcher as config describes it (infra/config.ts NOTIFY_*, SMTP_*, SMSRU_*, MESSENGER_*).
import { mailerFromConfig, smsRuClientFromConfig } from '../adapters/otp/from-config.js';
import type { Mailer } from '../adapters/otp/smtp.js';
import type { Config } from '../infra/config.js';
import type { Logger } from '../infra/logger.js';
import type { Pool } from '../infra/postgres.js';
import { emailChannel, messengerChannel, smsChannel, type ChannelName, type NoticeChannel } from './channels.js';
import { NoticeDispatcher } from './dispatcher.js';
import { RecipientResolver, authorityEmails } from './recipients.js';

export function noticeDispatcherFromConfig(config: Config, pool: Pool, logger: Logger, deps: { mailer?: Mailer } = {}): NoticeDispatcher {
  const channels = new Map<ChannelName, NoticeChannel>();
  const mailer = deps.mailer ?? mailerFromConfig(config);
  if (mailer) channels.set('email', emailChannel(mailer, config.SMTP_FROM ? /@([^>\s]+)/.exec(config.SMTP_FROM)?.[1] : undefined));
  if (config.OTP_SMS_GATEWAY === 'smsru') channels.set('sms', smsChannel(smsRuClientFromConfig(config)));
  if (config.NOTIFY_VIA_MESSENGER && config.MESSENGER_API_BASE && config.MESSENGER_TOKEN) {
    channels.set('messenger', messengerChannel({ apiBase: config.MESSENGER_API_BASE, token: config.MESSENGER_TOKEN, timeoutMs: config.MESSENGER_TIMEOUT_MS }));
  }
  const log = logger.child({ component: 'notices' });
  if (channels.size === 0) log.warn('no notice channel configured (SMTP_URL, OTP_SMS_GATEWAY=smsru, MESSENGER_*): every notice will be given up as no-channel');
  return new NoticeDispatcher({
    db: pool,
    logger: log,
    channels,
    resolver: new RecipientResolver(pool, new Set(channels.keys()), authorityEmails(config.NOTIFY_AUTHORITY_EMAILS)),
    lang: config.HUB_DEFAULT_LANG,
    baseUrl: config.PUBLIC_BASE_URL,
    maxAttempts: config.NOTIFY_MAX_ATTEMPTS,
    retryBaseMs: config.NOTIFY_RETRY_BASE,
    retryMaxMs: config.NOTIFY_RETRY_MAX,
    leaseMs: config.NOTIFY_LEASE,
    pollMs: config.NOTIFY_POLL_INTERVAL,
  });
}
