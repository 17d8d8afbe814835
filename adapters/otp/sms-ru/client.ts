// SMS.ru over its documented HTTP API (README.md here): POST /sms/send with api_id, to, msg, json=1.
// The answer's status_code (top level, then per number) decides between success and a DeliveryError.
import { HttpNetworkError, HttpTimeoutError, httpRequest, type HttpResponse } from '../../../infra/http-client.js';
import { DeliveryError, type DeliveryFailureReason } from '../errors.js';

export interface SmsRuOptions {
  /** https://sms.ru in production; the simulator's URL in tests and on the dev stack. */
  baseUrl: string;
  apiId: string;
  /** Sender name approved at SMS.ru; the account's default when unset. */
  from?: string | undefined;
  timeoutMs: number;
  /** Tries per message, first included, for answers that say "not now" (220, 5xx, timeouts). */
  maxAttempts: number;
  /** Pause before a repeated try. */
  retryDelayMs?: number;
  /** SMS.ru's test=1: the gateway checks everything and sends nothing (staging). */
  testMode?: boolean;
}

/** How each documented status_code is read. Codes not listed are treated as a gateway fault. */
const CODES: Record<number, { reason: DeliveryFailureReason; retryAfterMs?: number; text: string }> = {
  200: { reason: 'account-problem', text: 'invalid api_id' },
  201: { reason: 'account-problem', text: 'not enough money on the account' },
  202: { reason: 'recipient-rejected', text: 'invalid recipient number' },
  203: { reason: 'account-problem', text: 'no message text' },
  204: { reason: 'account-problem', text: 'sender name not approved' },
  205: { reason: 'account-problem', text: 'message too long' },
  206: { reason: 'rate-limited', retryAfterMs: 3_600_000, text: 'daily sending limit reached' },
  207: { reason: 'recipient-rejected', text: 'no route to this number' },
  209: { reason: 'recipient-rejected', text: 'number is on the stop-list' },
  210: { reason: 'account-problem', text: 'GET used where POST is required' },
  211: { reason: 'account-problem', text: 'method not found' },
  212: { reason: 'account-problem', text: 'text not in UTF-8' },
  220: { reason: 'gateway-unavailable', retryAfterMs: 30_000, text: 'service temporarily unavailable' },
  230: { reason: 'rate-limited', retryAfterMs: 3_600_000, text: 'daily limit of messages to this number' },
  231: { reason: 'rate-limited', retryAfterMs: 60_000, text: 'same message to this number too often (per minute)' },
  232: { reason: 'rate-limited', retryAfterMs: 3_600_000, text: 'same message to this number too often (per day)' },
  300: { reason: 'account-problem', text: 'invalid token' },
  301: { reason: 'account-problem', text: 'invalid password or user' },
  302: { reason: 'account-problem', text: 'account not confirmed' },
};

const RETRY_IN_PLACE: ReadonlySet<DeliveryFailureReason> = new Set(['gateway-unavailable']);

interface SmsRuAnswer {
  status?: string;
  status_code?: number;
  status_text?: string;
  sms?: Record<string, { status?: string; status_code?: number; status_text?: string; sms_id?: string }>;
}

export interface SmsRuSent {
  smsId: string;
}

export class SmsRuClient {
  constructor(private readonly o: SmsRuOptions) {}

  /** Sends one SMS to an E.164 number; throws DeliveryError. Retrying resends the same text. */
  async send(toE164: string, text: string): Promise<SmsRuSent> {
    const to = toE164.replace(/^\+/, '');
    const form = new URLSearchParams({ api_id: this.o.apiId, to, msg: text, json: '1' });
    if (this.o.from) form.set('from', this.o.from);
    if (this.o.testMode) form.set('test', '1');
    let last: DeliveryError | undefined;
    for (let attempt = 1; attempt <= this.o.maxAttempts; attempt++) {
      if (attempt > 1) await new Promise((r) => setTimeout(r, this.o.retryDelayMs ?? 500));
      try {
        return readAnswer(to, await this.post('/sms/send', form));
      } catch (e) {
        if (!(e instanceof DeliveryError) || !RETRY_IN_PLACE.has(e.reason)) throw e;
        last = e;
      }
    }
    throw last!;
  }

  private async post(path: string, form: URLSearchParams): Promise<HttpResponse> {
    try {
      return await httpRequest(new URL(path, this.o.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        timeoutMs: this.o.timeoutMs,
      });
    } catch (e) {
      if (e instanceof HttpTimeoutError || e instanceof HttpNetworkError) {
        throw new DeliveryError('gateway-unavailable', `SMS.ru: ${e.message}`, {
          gatewayCode: e instanceof HttpTimeoutError ? 'timeout' : 'network',
          maybeDelivered: !e.notSent,
          cause: e,
        });
      }
      throw e;
    }
  }
}

function readAnswer(to: string, res: HttpResponse): SmsRuSent {
  if (res.status === 429) {
    const s = Number(res.header('retry-after'));
    throw new DeliveryError('rate-limited', 'SMS.ru: HTTP 429', {
      gatewayCode: 'http-429',
      ...(Number.isFinite(s) && s > 0 ? { retryAfterMs: s * 1000 } : {}),
    });
  }
  if (res.status !== 200) {
    throw new DeliveryError('gateway-unavailable', `SMS.ru: HTTP ${res.status}`, { gatewayCode: `http-${res.status}`, maybeDelivered: res.status >= 500 });
  }
  let body: SmsRuAnswer;
  try {
    body = JSON.parse(res.text) as SmsRuAnswer;
  } catch {
    throw new DeliveryError('gateway-unavailable', 'SMS.ru: answer is not JSON', { gatewayCode: 'bad-answer', maybeDelivered: true });
  }
  if (body.status !== 'OK') throw fromCode(body.status_code, body.status_text);
  const one = body.sms?.[to];
  if (!one) throw new DeliveryError('gateway-unavailable', 'SMS.ru: no line for the number in the answer', { gatewayCode: 'bad-answer', maybeDelivered: true });
  if (one.status !== 'OK' || one.status_code !== 100) throw fromCode(one.status_code, one.status_text);
  return { smsId: one.sms_id ?? '' };
}

function fromCode(code: number | undefined, text: string | undefined): DeliveryError {
  const known = code === undefined ? undefined : CODES[code];
  const reason = known?.reason ?? 'gateway-unavailable';
  // status_text is the gateway's Russian wording; it never contains the number or the message.
  return new DeliveryError(reason, `SMS.ru ${code ?? '?'}: ${known?.text ?? text ?? 'unknown status'}`, {
    gatewayCode: String(code ?? 'none'),
    ...(known?.retryAfterMs !== undefined ? { retryAfterMs: known.retryAfterMs } : {}),
  });
}
