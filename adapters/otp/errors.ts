// Why a message could not be handed to a gateway, in words the hub acts on. Every sender (SMS.ru,
// SMTP, the messenger bot) maps its own answers onto this small union, so signup can tell the person
// what to do and the notice dispatcher can decide between "try again later" and "give up".

export type DeliveryFailureReason =
  /** The number or address is wrong, unreachable or on a stop-list: the same send will fail again. */
  | 'recipient-rejected'
  /** This gateway cannot deliver this channel (SMS.ru has no voice call with our own code). */
  | 'channel-unavailable'
  /** The gateway or its network is down, answered 5xx, or did not answer in time. */
  | 'gateway-unavailable'
  /** A sending limit was hit (daily limit, per-number limit, 429). */
  | 'rate-limited'
  /** Our account: no money left, wrong credentials, unapproved sender name. A human must act. */
  | 'account-problem';

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    readonly reason: DeliveryFailureReason,
    message: string,
    readonly opts: {
      /** How long until a new try makes sense. */
      retryAfterMs?: number;
      /** The gateway's own code (SMS.ru status_code, SMTP reply code), for support and logs. */
      gatewayCode?: string;
      /** The request may have reached the gateway (timeout, reset): a retry may duplicate it. */
      maybeDelivered?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
  }

  /** Worth trying again later without anyone changing anything. */
  get transient(): boolean {
    return this.reason === 'gateway-unavailable' || this.reason === 'rate-limited' || this.reason === 'account-problem';
  }
}

export const isDeliveryError = (e: unknown): e is DeliveryError => e instanceof DeliveryError;

/** What a person is asked to wait when the gateway named no time itself. */
export const DEFAULT_WAIT_MS: Record<DeliveryFailureReason, number> = {
  'recipient-rejected': 0,
  'channel-unavailable': 0,
  'gateway-unavailable': 30_000,
  'rate-limited': 60_000,
  'account-problem': 300_000,
};

export const waitFor = (e: DeliveryError): number => e.opts.retryAfterMs ?? DEFAULT_WAIT_MS[e.reason];
