// pino with personal data redacted: phone numbers, e-mails, codes and tokens never reach a log in clear.
import { pino, type DestinationStream, type Logger } from 'pino';
import { scrubText, scrubValue } from './redact.js';
import { currentRequestId } from './request-context.js';

const redactedKeys = ['phone', 'email', 'code', 'token', 'password', 'authorization', 'secret', 'credentials'];

export const redactPaths = [
  ...redactedKeys,
  ...redactedKeys.map((k) => `*.${k}`),
  ...redactedKeys.map((k) => `*.*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
];

/** `destination` lets a test read what would be logged. */
export function createLogger(
  level: string = process.env.LOG_LEVEL ?? 'info',
  name = 'hub',
  destination?: DestinationStream,
): Logger {
  // mixin: every line written while serving a request (or an activity it caused) names its id.
  const options = {
    name,
    level,
    redact: { paths: redactPaths, censor: '[скрыто]' },
    // By value too (infra/redact.ts): a phone in a URL or an e-mail in an error's text is caught
    // whatever the field is called.
    formatters: { log: (object: Record<string, unknown>) => scrubValue(object) as Record<string, unknown> },
    hooks: {
      logMethod(this: Logger, args: Parameters<Logger['info']>, method: (...a: unknown[]) => void) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? scrubText(a) : a)));
      },
    },
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
