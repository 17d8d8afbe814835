// The default OtpSender: writes each message to the otp_outbox table, from which a delivery gateway
// (or, on the dev stack, a person reading GET /v1/dev/outbox) picks it up. The code itself is kept
// only when keepCodes is on (HUB_DEV_OUTBOX=true); otherwise the row records that a code was sent,
// to whom and how, and the code exists nowhere but in the message handed to the gateway.
import { maskEmail, maskPhone } from '../../domain/contact.js';
import type { Logger } from '../../infra/logger.js';
import type { Queryable } from '../../infra/postgres.js';
import type { OtpMessage, OtpSender } from './port.js';

export interface OutboxOptions {
  db: Queryable;
  logger: Logger;
  keepCodes: boolean;
}

export const maskRecipient = (m: Pick<OtpMessage, 'channel' | 'recipient'>): string =>
  m.channel === 'email' ? maskEmail(m.recipient) : maskPhone(m.recipient);

export function outboxOtpSender({ db, logger, keepCodes }: OutboxOptions): OtpSender {
  return {
    async send(m) {
      const masked = maskRecipient(m);
      await db.query(
        `INSERT INTO otp_outbox (channel, recipient, recipient_masked, purpose, code) VALUES ($1, $2, $3, $4, $5)`,
        [m.channel, m.recipient, masked, m.purpose, keepCodes ? m.code : null],
      );
      logger.info({ channel: m.channel, to: masked, purpose: m.purpose }, 'one-time code queued');
    },
  };
}

export interface OutboxRow {
  id: string;
  channel: string;
  recipient: string;
  recipientMasked: string;
  purpose: string;
  code: string | null;
  createdAt: Date;
}

export async function readOutbox(db: Queryable, opts: { recipient?: string | undefined; limit?: number } = {}): Promise<OutboxRow[]> {
  const { rows } = await db.query(
    `SELECT id::text, channel, recipient, recipient_masked AS "recipientMasked", purpose, code, created_at AS "createdAt"
       FROM otp_outbox WHERE ($1::text IS NULL OR recipient = $1) ORDER BY id DESC LIMIT $2`,
    [opts.recipient ?? null, opts.limit ?? 50],
  );
  return rows as OutboxRow[];
}
