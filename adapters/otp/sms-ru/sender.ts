// One-time codes by SMS through SMS.ru. Voice-call codes are not offered: SMS.ru's code/call makes
// the call from a number whose last four digits ARE the code, chosen by SMS.ru, while the hub's codes
// are six digits it makes itself (README.md here). Such a request is refused, not silently sent by SMS.
import { DeliveryError } from '../errors.js';
import type { OtpSender } from '../port.js';
import { otpSmsText, type Lang } from '../texts.js';
import type { SmsRuClient } from './client.js';

export function smsRuOtpSender(client: SmsRuClient, lang: Lang = 'ru'): OtpSender & { gateway: string } {
  return {
    gateway: 'smsru',
    async send(m) {
      if (m.channel !== 'sms') throw new DeliveryError('channel-unavailable', `SMS.ru does not deliver ${m.channel} codes`);
      const sent = await client.send(m.recipient, otpSmsText(m.purpose, m.code, lang));
      return { gatewayId: sent.smsId };
    },
  };
}
