// The one place that knows every setting: its env var, its default and what it is for.
import { join } from 'node:path';
import { z } from 'zod';
import { projectRoot } from './paths.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  /** PostgreSQL connection string. Unset in `npm start`: an embedded PostgreSQL is started instead. */
  DATABASE_URL: z.string().url().optional(),
  /** Temporal frontend address (host:port). */
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  /** Port of the HTTP API and support console. */
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Base of links sent to people (invite links). */
  PUBLIC_BASE_URL: z.string().url().default('http://localhost:8080'),
  /** Folder for the dev stack's state: Temporal SQLite file, embedded PostgreSQL data. */
  HUB_DATA_DIR: z.string().default(join(projectRoot, '.data')),
  /** Language of text shown to people when the request does not ask for one (ru or en). */
  HUB_DEFAULT_LANG: z.enum(['ru', 'en']).default('ru'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** HS256 secret that signs and verifies bearer tokens (JWT). Required outside the dev stack. */
  HUB_JWT_SECRET: z.string().min(32).optional(),
  /** Issue dev tokens at POST /v1/dev/token (dev stack only). */
  HUB_DEV_AUTH: bool.default(false),
  /** Invite links: default and maximum validity in days (R-J3). */
  INVITE_DEFAULT_DAYS: z.coerce.number().int().min(1).default(7),
  INVITE_MAX_DAYS: z.coerce.number().int().min(1).default(30),
  /** Keys signup ids (an HMAC of the phone or e-mail, docs/signup.md). Unset: HUB_JWT_SECRET is used. */
  HUB_SIGNUP_SECRET: z.string().min(32).optional(),
  /** Keep one-time codes in otp_outbox so GET /v1/dev/outbox shows them. Dev stack only, never production. */
  HUB_DEV_OUTBOX: bool.default(false),
  /** Signup (R-A4): how long a one-time code is valid. */
  SIGNUP_CODE_TTL_SECONDS: z.coerce.number().int().min(1).default(300),
  /** Signup (R-A4): wrong tries after which a code is locked. */
  SIGNUP_CODE_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  /** Signup (R-A4): seconds before another code may be sent (the front end's 2:00 countdown). */
  SIGNUP_RESEND_AFTER_SECONDS: z.coerce.number().int().min(0).default(120),
  /** Signup (R-A4): at most this many codes per phone or e-mail within SIGNUP_CODE_WINDOW_SECONDS. */
  SIGNUP_MAX_CODES_PER_WINDOW: z.coerce.number().int().min(1).default(5),
  SIGNUP_CODE_WINDOW_SECONDS: z.coerce.number().int().min(1).default(3600),
  /** Signup (R-A5): wrong identity-account passwords before only "forgot password" remains. */
  SIGNUP_PASSWORD_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  /** Signup: a journey nobody touched for this long ends as abandoned. */
  SIGNUP_IDLE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(86400),
  /** Cron expression and time zone of the nightly reconciliation when a connection sets none. */
  SYNC_CRON: z.string().default('30 2 * * *'),
  SYNC_TIMEZONE: z.string().default('Europe/Moscow'),
});

export type Config = z.infer<typeof schema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if (parsed.data.INVITE_DEFAULT_DAYS > parsed.data.INVITE_MAX_DAYS) {
    throw new Error('Invalid configuration: INVITE_DEFAULT_DAYS exceeds INVITE_MAX_DAYS');
  }
  if (parsed.data.HUB_DEV_OUTBOX && !parsed.data.HUB_DEV_AUTH) {
    throw new Error('Invalid configuration: HUB_DEV_OUTBOX keeps one-time codes and is for the dev stack only (set HUB_DEV_AUTH too)');
  }
  return parsed.data;
}
