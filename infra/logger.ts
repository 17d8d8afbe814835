// pino with personal data redacted: phone numbers, e-mails, codes and tokens never reach a log in clear.
import { pino, type Logger } from 'pino';

const redactedKeys = ['phone', 'email', 'code', 'token', 'password', 'authorization', 'secret', 'credentials'];

export const redactPaths = [
  ...redactedKeys,
  ...redactedKeys.map((k) => `*.${k}`),
  ...redactedKeys.map((k) => `*.*.${k}`),
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', name = 'hub'): Logger {
  return pino({ name, level, redact: { paths: redactPaths, censor: '[скрыто]' } });
}

export type { Logger };
