// Every hand-over of a code to a gateway leaves a row in otp_deliveries, sent or refused with the
// reason: a failed send is recorded, never a silent success. Only the masked address is kept.
import type { Logger } from '../../infra/logger.js';
import type { Queryable } from '../../infra/postgres.js';
import { isDeliveryError } from './errors.js';
import { maskRecipient } from './outbox.js';
import type { OtpMessage, OtpSender } from './port.js';

export function recordingOtpSender(inner: OtpSender & { gateway: string }, db: Queryable, logger: Logger): OtpSender {
  const record = (m: OtpMessage, row: { status: 'sent' | 'failed'; reason?: string; gatewayCode?: string; gatewayId?: string }) =>
    db
      .query(
        `INSERT INTO otp_deliveries (channel, recipient_masked, purpose, gateway, status, reason, gateway_code, gateway_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [m.channel, maskRecipient(m), m.purpose, inner.gateway, row.status, row.reason ?? null, row.gatewayCode ?? null, row.gatewayId ?? null],
      )
      // The code went (or did not) whatever the bookkeeping says; a lost row must not change the answer.
      .catch((err: unknown) => logger.warn({ err, gateway: inner.gateway }, 'otp delivery not recorded'));

  return {
    async send(m) {
      const to = maskRecipient(m);
      try {
        const receipt = await inner.send(m);
        await record(m, { status: 'sent', ...(receipt?.gatewayId ? { gatewayId: receipt.gatewayId } : {}) });
        logger.info({ channel: m.channel, to, purpose: m.purpose, gateway: inner.gateway }, 'one-time code sent');
        return receipt;
      } catch (e) {
        const reason = isDeliveryError(e) ? e.reason : 'gateway-unavailable';
        const gatewayCode = isDeliveryError(e) ? e.opts.gatewayCode : undefined;
        await record(m, { status: 'failed', reason, ...(gatewayCode ? { gatewayCode } : {}) });
        logger.warn({ channel: m.channel, to, purpose: m.purpose, gateway: inner.gateway, reason, gatewayCode }, 'one-time code not sent');
        throw e;
      }
    },
  };
}

/** Codes by channel: SMS and calls to the phone gateway, e-mail to the mail gateway. */
export function routedOtpSender(routes: { phone: OtpSender; email: OtpSender }): OtpSender {
  return { send: (m) => (m.channel === 'email' ? routes.email : routes.phone).send(m) };
}
