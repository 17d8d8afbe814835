// The ways a notice reaches someone: e-mail (SMTP), SMS (SMS.ru), a message from the messenger bot.
// Each throws DeliveryError (adapters/otp/errors.ts) so the dispatcher decides the same way for all.
import { createHash } from 'node:crypto';
import { DeliveryError } from '../adapters/otp/errors.js';
import type { SmsRuClient } from '../adapters/otp/sms-ru/client.js';
import type { Mailer } from '../adapters/otp/smtp.js';
import { HttpNetworkError, HttpTimeoutError, httpRequest } from '../infra/http-client.js';
import type { NoticeText } from './texts.js';

export type ChannelName = 'messenger' | 'email' | 'sms';

export interface DeliveryIds {
  noticeId: string;
  recipientKey: string;
}

export interface NoticeChannel {
  readonly name: ChannelName;
  send(address: string, text: NoticeText, ids: DeliveryIds): Promise<{ gatewayId: string }>;
}

export function emailChannel(mailer: Mailer, domain = 'hub.invalid'): NoticeChannel {
  return {
    name: 'email',
    async send(address, text, ids) {
      // The same Message-ID for every try of one notice to one person: receivers do not deduplicate
      // on it, but mail clients thread and many hide a repeat, and support can match the two.
      const tag = createHash('sha256').update(ids.recipientKey).digest('hex').slice(0, 16);
      const sent = await mailer.send({
        to: address,
        subject: text.subject,
        text: text.text,
        messageId: `<notice-${ids.noticeId}-${tag}@${domain}>`,
        headers: { 'X-Hub-Notice': ids.noticeId },
      });
      return { gatewayId: sent.messageId };
    },
  };
}

export function smsChannel(client: SmsRuClient): NoticeChannel {
  return {
    name: 'sms',
    async send(address, text) {
      const sent = await client.send(address, text.sms);
      return { gatewayId: sent.smsId };
    },
  };
}

/** VK Teams Bot API /messages/sendText to the person's user id (adapters/messenger/README.md). */
export function messengerChannel(o: { apiBase: string; token: string; timeoutMs: number }): NoticeChannel {
  return {
    name: 'messenger',
    async send(userId, text) {
      const url = new URL(`${o.apiBase.replace(/\/$/, '')}/messages/sendText`);
      url.searchParams.set('token', o.token);
      url.searchParams.set('chatId', userId);
      url.searchParams.set('text', `${text.subject}\n\n${text.text}`);
      let res;
      try {
        res = await httpRequest(url, { timeoutMs: o.timeoutMs });
      } catch (e) {
        if (e instanceof HttpTimeoutError || e instanceof HttpNetworkError) {
          throw new DeliveryError('gateway-unavailable', `messenger: ${e.message}`, { gatewayCode: e.name, maybeDelivered: !e.notSent, cause: e });
        }
        throw e;
      }
      if (res.status === 429) throw new DeliveryError('rate-limited', 'messenger: HTTP 429', { gatewayCode: 'http-429', retryAfterMs: (Number(res.header('retry-after')) || 5) * 1000 });
      if (res.status >= 500) throw new DeliveryError('gateway-unavailable', `messenger: HTTP ${res.status}`, { gatewayCode: `http-${res.status}`, maybeDelivered: true });
      if (res.status === 401 || res.status === 403) throw new DeliveryError('account-problem', `messenger: HTTP ${res.status}`, { gatewayCode: `http-${res.status}` });
      let body: { ok?: boolean; msgId?: string; description?: string };
      try {
        body = JSON.parse(res.text) as typeof body;
      } catch {
        throw new DeliveryError('gateway-unavailable', 'messenger: answer is not JSON', { gatewayCode: 'bad-answer', maybeDelivered: true });
      }
      if (body.ok) return { gatewayId: String(body.msgId ?? '') };
      const d = (body.description ?? '').toLowerCase();
      if (d.includes('token') || d.includes('permission')) throw new DeliveryError('account-problem', `messenger: ${body.description}`, { gatewayCode: 'refused' });
      throw new DeliveryError('recipient-rejected', `messenger: ${body.description ?? 'refused'}`, { gatewayCode: 'refused' });
    },
  };
}
