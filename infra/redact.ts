// Personal data out of logs by value, wherever it sits: a message, a URL's query string, an error's
// text, a field of any name at any depth. Key names alone (infra/logger.ts redactPaths) miss
// `GET /v1/dev/outbox?to=%2B7…` and an e-mail inside an error message.
const CENSOR = '[скрыто]';

/** Query parameters whose value is personal or secret, whatever it looks like. */
const SECRET_PARAMS = /((?:^|[?&\s;,])(?:to|phone|email|recipient|code|token|invite|access_token|id_token|refresh_token|password|state|code_verifier)=)[^&#\s"']*/gi;
const EMAIL = /[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+/gi;
/** Russian and international numbers, plain or URL-encoded `+` (%2B), with the usual separators. */
const PHONE = /(?:\+|%2B)\d[\d\s()-]{8,16}\d|\b[78][\s(-]*9\d{2}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}\b/gi;
const JWT = /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g;
const BEARER = /\b(Bearer|Basic)\s+[\w\-.~+/=]{8,}/gi;

export function scrubText(text: string): string {
  return text
    .replace(SECRET_PARAMS, `$1${CENSOR}`)
    .replace(BEARER, `$1 ${CENSOR}`)
    .replace(JWT, CENSOR)
    .replace(EMAIL, CENSOR)
    .replace(PHONE, CENSOR);
}

/** A copy of a log object with every string scrubbed; depth-limited, cycles cut. */
export function scrubValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (seen.has(value)) return '[cycle]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1, seen));
  if (value instanceof Error) {
    return { type: value.name, message: scrubText(value.message), stack: value.stack ? scrubText(value.stack) : undefined };
  }
  if (value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubValue(v, depth + 1, seen);
  return out;
}
