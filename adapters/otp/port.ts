// How one-time codes reach people (R-A4). The workflow never sees a code; an activity makes one and
// hands it to this port, which delivers it by SMS, a voice call or e-mail.
import type { OtpChannel, OtpPurpose } from '../../domain/signup.js';

export type { OtpChannel, OtpPurpose };

export interface OtpMessage {
  channel: OtpChannel;
  /** E.164 phone for sms and voice-call, an e-mail address for email. */
  recipient: string;
  code: string;
  purpose: OtpPurpose;
}

export interface OtpSender {
  /** Resolves once the message is accepted for delivery; throws if it could not be (the activity retries). */
  send(message: OtpMessage): Promise<void>;
}
