// E-mail over SMTP (nodemailer): one-time codes here, notices through the same mailer. Every SMTP
// failure becomes a DeliveryError: a 5xx on RCPT means the address is refused, a 4xx "not now", a
// lost connection "gateway unavailable".
import nodemailer, { type Transporter } from 'nodemailer';
import { DeliveryError } from './errors.js';
import type { OtpSender } from './port.js';
import { otpMail, type Lang } from './texts.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string | undefined;
  /** Stable per notice and recipient, so a resent notice can be recognised by its reader's client. */
  messageId?: string | undefined;
  headers?: Record<string, string>;
}

export interface Mailer {
  send(m: MailMessage): Promise<{ messageId: string }>;
  close(): void;
}

export interface SmtpOptions {
  /** smtp://user:pass@host:587 or smtps://…:465; the password is never logged. */
  url: string;
  from: string;
  timeoutMs: number;
}

export function smtpMailer(o: SmtpOptions): Mailer {
  const transport: Transporter = nodemailer.createTransport({
    url: o.url,
    connectionTimeout: o.timeoutMs,
    greetingTimeout: o.timeoutMs,
    socketTimeout: o.timeoutMs,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    async send(m) {
      try {
        const info = await transport.sendMail({
          from: o.from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          ...(m.html ? { html: m.html } : {}),
          ...(m.messageId ? { messageId: m.messageId } : {}),
          ...(m.headers ? { headers: m.headers } : {}),
          textEncoding: 'base64',
        });
        return { messageId: String(info.messageId ?? '') };
      } catch (e) {
        throw smtpFailure(e);
      }
    },
    close: () => transport.close(),
  };
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  command?: string;
  message?: string;
}

export function smtpFailure(e: unknown): DeliveryError {
  const err = (e ?? {}) as SmtpError;
  const reply = err.responseCode;
  const gatewayCode = reply ? String(reply) : (err.code ?? 'smtp');
  const opts = { gatewayCode, cause: e };
  if (err.code === 'EAUTH') return new DeliveryError('account-problem', 'SMTP: authentication failed', opts);
  if (reply && reply >= 500) {
    // Refused for this address (550 no such mailbox, 553 bad address), or the message as a whole.
    if (err.command?.startsWith('RCPT') || err.code === 'EENVELOPE') return new DeliveryError('recipient-rejected', `SMTP ${reply} on ${err.command ?? 'envelope'}`, opts);
    return new DeliveryError('account-problem', `SMTP ${reply} on ${err.command ?? 'send'}`, opts);
  }
  if (reply && reply >= 400) {
    const limited = reply === 421 || reply === 450 || reply === 451 || reply === 452;
    return new DeliveryError(limited ? 'rate-limited' : 'gateway-unavailable', `SMTP ${reply} on ${err.command ?? 'send'}`, { ...opts, retryAfterMs: 60_000 });
  }
  if (err.code === 'EENVELOPE') return new DeliveryError('recipient-rejected', 'SMTP: address refused', opts);
  // ECONNECTION, ETIMEDOUT, ESOCKET, EDNS: the message may or may not have been accepted.
  return new DeliveryError('gateway-unavailable', `SMTP: ${err.code ?? 'connection failed'}`, { ...opts, maybeDelivered: err.code !== 'ECONNECTION' && err.code !== 'EDNS' });
}

export function smtpOtpSender(mailer: Mailer, opts: { codeTtlSeconds: number; lang?: Lang }): OtpSender & { gateway: string } {
  return {
    gateway: 'smtp',
    async send(m) {
      if (m.channel !== 'email') throw new DeliveryError('channel-unavailable', `SMTP does not deliver ${m.channel} codes`);
      const mail = otpMail(m.purpose, m.code, Math.max(1, Math.round(opts.codeTtlSeconds / 60)), opts.lang ?? 'ru');
      const sent = await mailer.send({ to: m.recipient, ...mail });
      return { gatewayId: sent.messageId };
    },
  };
}
