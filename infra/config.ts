// The one place that knows every setting: its env var, its default and what it is for.
import { join } from 'node:path';
import { msToNumber, type Duration } from '@temporalio/common';
import { z } from 'zod';
import { projectRoot } from './paths.js';
import { productionRefusals } from './production-guard.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A duration such as `48h`, `7d`, `30d` or `2s` (tests), read as milliseconds. */
const duration = z.string().transform((v, ctx) => {
  try {
    const ms = msToNumber(v as Duration);
    if (ms > 0) return ms;
  } catch {
    // fall through to the issue below
  }
  ctx.addIssue({ code: 'custom', message: `not a positive duration: ${v}` });
  return z.NEVER;
});

const schema = z.object({
  /** PostgreSQL connection string. Unset in `npm start`: an embedded PostgreSQL is started instead. */
  DATABASE_URL: z.string().url().optional(),
  /** Schema of the hub's tables in that database (migrated and searched first); `public` by default. */
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case PostgreSQL identifier').optional(),
  /** Temporal frontend address (host:port). */
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  /** Port of the HTTP API and support console. */
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Port of the worker's own Prometheus endpoint (GET /metrics); 0 turns it off. */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** Base of links sent to people (invite links). */
  PUBLIC_BASE_URL: z.string().url().default('http://localhost:8080'),
  /** Folder for the dev stack's state: Temporal SQLite file, embedded PostgreSQL data. */
  HUB_DATA_DIR: z.string().default(join(projectRoot, '.data')),
  /** Language of text shown to people when the request does not ask for one (ru or en). */
  HUB_DEFAULT_LANG: z.enum(['ru', 'en']).default('ru'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** HS256 secret that signs and verifies bearer tokens (JWT). Required outside the dev stack. */
  HUB_JWT_SECRET: z.string().min(32).optional(),
  /** Issue dev tokens at POST /v1/dev/token (dev stack only; refused with NODE_ENV=production). */
  HUB_DEV_AUTH: bool.default(false),
  /** `production` turns on the production guard (infra/production-guard.ts): no dev routes, dev outbox or generated secrets. */
  NODE_ENV: z.string().optional(),
  /**
   * Which proxies in front of the API are believed about the client's address (X-Forwarded-For), as
   * express reads it: `false` (default: none, the socket's address counts), a hop count (`1` behind one
   * load balancer), or addresses/subnets/`loopback`/`uniquelocal`, comma-separated. `true` (believe any
   * sender) is refused: a client could then pick its own address and escape the per-IP limits.
   */
  TRUST_PROXY: z
    .string()
    .default('false')
    .transform((v, ctx): false | number | string[] => {
      const t = v.trim();
      if (['false', '0', 'no', ''].includes(t)) return false;
      if (/^\d+$/.test(t)) return Number(t);
      if (['true', 'yes', '1'].includes(t)) {
        ctx.addIssue({ code: 'custom', message: 'true would believe any client about its own address: give a hop count or the proxies\' addresses' });
        return z.NEVER;
      }
      return t.split(',').map((x) => x.trim()).filter(Boolean);
    }),
  /**
   * Staff sign-in (docs/staff-sign-in.md): the OpenID Connect issuer whose access tokens the API
   * accepts (RS256/ES256, verified against its JWKS). Unset: no staff sign-in but the dev stack's tokens.
   */
  OIDC_ISSUER: z.string().url().optional(),
  /** The `aud` the issuer puts in access tokens for this API (Keycloak: an audience mapper). Required with OIDC_ISSUER. */
  OIDC_AUDIENCE: z.string().min(1).optional(),
  /** The issuer's JWKS address; unset: read from its discovery document (/.well-known/openid-configuration). */
  OIDC_JWKS_URI: z.string().url().optional(),
  /** The console's public client id (authorization code + PKCE, no secret). */
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  /** Scopes the console asks for. */
  OIDC_SCOPES: z.string().default('openid profile'),
  /** Resource indicator (RFC 8707) the console sends with its requests; unset: none sent (Keycloak ignores it). */
  OIDC_RESOURCE: z.string().url().optional(),
  /** Where the roles are in an access token, a dotted path: `realm_access.roles` or `resource_access.<client>.roles` (Keycloak). */
  OIDC_ROLE_CLAIM: z.string().min(1).default('realm_access.roles'),
  /** Issuer role → hub role, e.g. `hub-authority=authority,hub-support=support,hub-school-admin=school_admin,hub-class-teacher=class_teacher`. */
  OIDC_ROLE_MAP: z.string().optional(),
  /** Claim with an authority operator's region. */
  OIDC_REGION_CLAIM: z.string().min(1).default('region'),
  /** Issuer region value → hub region code (`tatarstan=16,…`); unset: the claim is the two-digit region code itself. */
  OIDC_REGION_MAP: z.string().optional(),
  /** Claims with a school admin's or class teacher's school ids, and a class teacher's class ids (arrays of UUIDs). */
  OIDC_SCHOOLS_CLAIM: z.string().min(1).default('schools'),
  OIDC_CLASSES_CLAIM: z.string().min(1).default('classes'),
  /** Clock skew allowed on exp/nbf/iat, seconds. */
  OIDC_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(30),
  /** Invite links: default and maximum validity in days (R-J3). */
  INVITE_DEFAULT_DAYS: z.coerce.number().int().min(1).default(7),
  INVITE_MAX_DAYS: z.coerce.number().int().min(1).default(30),
  /** Applications (R-J4): approvers are reminded, then the authority is told, then it expires. */
  APPLICATION_REMIND_AFTER: duration.default(48 * 3600_000),
  APPLICATION_ESCALATE_AFTER: duration.default(7 * 86400_000),
  APPLICATION_EXPIRE_AFTER: duration.default(30 * 86400_000),
  /** Parent confirmation (R-G1, R-A7): an unconfirmed child under 14 is restricted after this long. */
  GUARDIAN_RESTRICT_AFTER: duration.default(30 * 86400_000),
  /** How long a child's parent link keeps accepting a (second) parent. */
  GUARDIAN_LINK_OPEN_FOR: duration.default(365 * 86400_000),
  /** Keys signup ids (an HMAC of the phone or e-mail, docs/signup.md). Unset: HUB_JWT_SECRET is used. */
  HUB_SIGNUP_SECRET: z.string().min(32).optional(),
  /** Nightly purge (in SYNC_TIMEZONE): outbox recipients are masked and old rate-limit rows dropped after these ages. */
  RETENTION_CRON: z.string().default('15 3 * * *'),
  RETENTION_OTP_OUTBOX: duration.default(7 * 86400_000),
  RETENTION_RATE_LIMITS: duration.default(2 * 86400_000),
  /** When set, GET /metrics (API and worker) asks for `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /**
   * Keys the MAC that one-time codes are checked by (infra/code-mac.ts): 32+ bytes, hex or base64. Unset:
   * derived from HUB_SIGNUP_SECRET (else HUB_JWT_SECRET). API and worker must agree on it.
   */
  HUB_OTP_MAC_KEY: z.string().min(32).optional(),
  /**
   * Encrypts every Temporal payload (infra/payload-codec.ts, AES-256-GCM): `id:key[,id:key…]`, keys of
   * 32 bytes in hex or base64. The first encrypts; keep older ones listed while their histories live.
   * Required by the api, worker and scheduler; every one of them must list the same keys.
   */
  HUB_PAYLOAD_KEYS: z.string().min(1).optional(),
  /** Keep one-time codes in otp_outbox so GET /v1/dev/outbox shows them. Dev stack only, never production. */
  HUB_DEV_OUTBOX: bool.default(false),
  /**
   * Gateway of phone codes (issue 14, adapters/otp/README.md): `smsru` sends SMS through SMS.ru's HTTP
   * API; `outbox` only writes otp_outbox rows (the dev stack, with HUB_DEV_OUTBOX). Voice-call codes are
   * refused with smsru (its code/call picks its own four digits).
   */
  OTP_SMS_GATEWAY: z.enum(['outbox', 'smsru']).default('outbox'),
  /** SMS.ru api_id (its account page); never logged. Required with OTP_SMS_GATEWAY=smsru. */
  SMSRU_API_ID: z.string().min(1).optional(),
  /** SMS.ru API base; the simulator's URL in tests (adapters/otp/sms-ru/simulator.ts). */
  SMSRU_BASE_URL: z.string().url().default('https://sms.ru'),
  /** Sender name approved at SMS.ru; the account's default when unset. */
  SMSRU_FROM: z.string().min(1).optional(),
  /** Per-request timeout of SMS.ru calls, ms. */
  SMSRU_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  /** Tries per code (same text) when SMS.ru answers 220/5xx or times out; then the person is told to retry. */
  SMSRU_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(5).default(2),
  /** SMS.ru's test=1: everything checked, nothing sent (staging). */
  SMSRU_TEST: bool.default(false),
  /** SMTP server for e-mail codes and notices, e.g. smtp://user:pass@smtp.example.ru:587; unset: e-mail codes go to the outbox and notices skip e-mail. */
  SMTP_URL: z.string().url().optional(),
  /** From address of those e-mails, e.g. "Школьный хаб <noreply@hub.example.ru>". Required with SMTP_URL. */
  SMTP_FROM: z.string().min(3).optional(),
  /** SMTP connect/greeting/socket timeout, ms. */
  SMTP_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Notice dispatcher (notices/, docs/notices.md): attempts per notice before it gives up (reason kept). */
  NOTIFY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  /** First retry delay; doubled per attempt up to NOTIFY_RETRY_MAX. */
  NOTIFY_RETRY_BASE: duration.default(30_000),
  NOTIFY_RETRY_MAX: duration.default(3600_000),
  /** How long a dispatcher holds the notice it took (longer than one send); a killed dispatcher's notice is taken again after it. */
  NOTIFY_LEASE: duration.default(120_000),
  /** How often the dispatcher looks for due notices. */
  NOTIFY_POLL_INTERVAL: duration.default(5_000),
  /**
   * Where notices to an education authority go, by region: `16=ruo@edu.tatar.ru;77=…;*=fallback@…`.
   * A region without an address (and no `*`) makes its notices give up with `no-recipient`.
   */
  NOTIFY_AUTHORITY_EMAILS: z.string().default(''),
  /** Notices: also send the messenger bot message when a person has a messenger account (MESSENGER_* set). */
  NOTIFY_VIA_MESSENGER: bool.default(true),
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
  /** Messenger bot API base (VK Teams-style, adapters/messenger/README.md). Unset in `npm start`: the simulator's. */
  MESSENGER_API_BASE: z.string().url().optional(),
  /** Messenger bot token; never logged. Required with MESSENGER_API_BASE. */
  MESSENGER_TOKEN: z.string().min(1).optional(),
  /** Most user ids per members/add or members/delete call. */
  MESSENGER_MAX_BATCH: z.coerce.number().int().min(1).max(1000).default(100),
  /** Per-request timeout of messenger calls, ms. */
  MESSENGER_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** Attempts per messenger call (first included) for 429, 5xx, timeouts; then the activity's own retry takes over. */
  MESSENGER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  /** Longest Retry-After the adapter waits out in place, ms; longer ones fail the call as rate-limited. */
  MESSENGER_MAX_RETRY_AFTER_MS: z.coerce.number().int().min(0).default(30_000),
  /**
   * The messenger honours createChat's idempotency key (the simulator does; the real VK Teams Bot API
   * has no such parameter). Only then is a createChat that may have reached it (timeout, 5xx) retried
   * in place; otherwise the hub detects and reports a chat it had to create again (adapters/messenger/README.md).
   */
  MESSENGER_IDEMPOTENT_CREATE: bool.default(false),
  /** VK ID ("Sign in with VK ID", OAuth 2.1 + PKCE; adapters/vk-id/README.md). Unset in `npm start`: the simulator's. */
  VK_ID_BASE: z.string().url().default('https://id.vk.com'),
  /** The hub's app id at VK ID. Unset: binding a messenger account answers 503 vk-id-not-configured. */
  VK_ID_CLIENT_ID: z.string().regex(/^\d+$/, 'a VK app id is decimal').optional(),
  /** Trusted redirect URL registered for the app: the front end's return page. Unset: PUBLIC_BASE_URL + /vk-id/return. */
  VK_ID_REDIRECT_URI: z.string().url().optional(),
  /** Scopes asked for; `phone` lets the hub refuse a VK ID whose verified phone is not the profile's (R-A5). */
  VK_ID_SCOPE: z.string().default('phone'),
  /** Per-request timeout of VK ID calls, ms. */
  VK_ID_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** How long a started "Sign in with VK ID" may come back to the callback. */
  VK_ID_STATE_TTL: duration.default(10 * 60_000),
  /**
   * Which messenger the hub drives: `vk-teams` (VK Teams Bot API, MESSENGER_API_BASE + MESSENGER_TOKEN)
   * or `vk-api` (Сферум / VK Messenger over the VK API, VK_* below; adapters/messenger/vk-api/README.md).
   */
  MESSENGER_KIND: z.enum(['vk-teams', 'vk-api']).default('vk-teams'),
  /** VK API base; the simulator's `apiBase` in tests and the dev stack. */
  VK_API_BASE: z.string().url().default('https://api.vk.com/method'),
  /** VK access token (a community token, or a school admin's user token with access to messages); never logged. */
  VK_ACCESS_TOKEN: z.string().min(1).optional(),
  /** `group`: community token (people are invited by the chat's link); `user`: user token (people are added directly). */
  VK_TOKEN_TYPE: z.enum(['group', 'user']).default('group'),
  /** The community's id (a positive number); required with VK_TOKEN_TYPE=group. */
  VK_GROUP_ID: z.coerce.number().int().positive().optional(),
  /** Requests per second for the token; default VK's documented limit for its type (user 3, community 20). */
  VK_REQUESTS_PER_SECOND: z.coerce.number().int().min(1).max(100).optional(),
  /** How long to back off after VK's code 9 (flood control), ms; longer than MESSENGER_MAX_RETRY_AFTER_MS defers to the next attempt. */
  VK_FLOOD_RETRY_AFTER_MS: z.coerce.number().int().min(0).default(60_000),
  /**
   * Rate limits on public routes, as `points/seconds` (api/rate-limit.ts). Counted in PostgreSQL so
   * that every API replica shares them. Phone keys are hashed before they are stored.
   */
  RATE_LIMIT_CODE_REQUEST_PER_IP: z.string().regex(/^\d+\/\d+$/).default('30/3600'),
  RATE_LIMIT_CODE_REQUEST_PER_PHONE: z.string().regex(/^\d+\/\d+$/).default('6/3600'),
  RATE_LIMIT_CODE_SUBMIT_PER_IP: z.string().regex(/^\d+\/\d+$/).default('60/600'),
  RATE_LIMIT_CODE_SUBMIT_PER_PHONE: z.string().regex(/^\d+\/\d+$/).default('15/600'),
  /** Invite link and parent link previews, per client IP. */
  RATE_LIMIT_PREVIEW_PER_IP: z.string().regex(/^\d+\/\d+$/).default('60/60'),
  /**
   * Journal-account link attempts (POST /v1/me/journal-links) per signed-in person: every attempt
   * counts, so refusals (journal-person-unknown and the like) cannot be used to enumerate journal ids.
   */
  RATE_LIMIT_JOURNAL_LINK_PER_PERSON: z.string().regex(/^\d+\/\d+$/).default('20/3600'),
  /**
   * How long a link answer waits for the chats to be joined; after that it answers `joining: true`
   * and joining goes on (a slow messenger must not hold the person's request for minutes).
   */
  JOURNAL_LINK_ANSWER_WITHIN: duration.default(10_000),
  /** R-L5: how long a verified journal proof may wait for its link request (single use, bound to the person). */
  JOURNAL_PROOF_TTL: duration.default(15 * 60_000),
  /** R-L5: how long a school-issued linking code stays valid (single use). */
  LINKING_CODE_TTL: duration.default(72 * 3600_000),
  /** Wrong codes tried against one journal person before their open codes are void (the school issues a new one). */
  LINKING_CODE_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  /**
   * Gosuslugi (ESIA) OpenID Connect sign-in for EPOS connections (R-L3, R-L5): the provider's issuer
   * URL, the hub's client registration, and the front-end page the provider redirects back to. Without
   * ESIA_ISSUER the sign-in is not offered (EPOS people link with a school-issued code).
   */
  ESIA_ISSUER: z.string().url().optional(),
  ESIA_CLIENT_ID: z.string().min(1).optional(),
  ESIA_CLIENT_SECRET: z.string().min(1).optional(),
  ESIA_REDIRECT_URI: z.string().url().optional(),
  /**
   * Dnevnik.ru OAuth client of the hub (R-L5): people of Dnevnik connections sign in there; the
   * connection's `baseUrl` is the API and its optional `oauthAuthorizeUrl` the sign-in page
   * (default https://login.dnevnik.ru/oauth2). Without a client id the sign-in is not offered.
   */
  DNEVNIK_CLIENT_ID: z.string().min(1).optional(),
  DNEVNIK_CLIENT_SECRET: z.string().min(1).optional(),
  DNEVNIK_REDIRECT_URI: z.string().url().optional(),
  /** Journal sign-ins and code checks (POST /v1/me/journal-proofs/…) per signed-in person. */
  RATE_LIMIT_JOURNAL_PROOF_PER_PERSON: z.string().regex(/^\d+\/\d+$/).default('10/3600'),
  /** Mass-change guard: a run removing more than this share of a school's managed members stops for confirmation. */
  ROSTER_MASS_REMOVAL_SHARE: z.coerce.number().min(0).max(1).default(0.1),
  /** Largest journal export an authority may upload (POST /v1/connections/:id/export), bytes. Kept in PostgreSQL. */
  JOURNAL_UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(100 * 1024 * 1024),
  /** Where an upload is written out while its adapter checks it (removed right after); the system temp folder by default. */
  JOURNAL_UPLOAD_SCRATCH_DIR: z.string().min(1).optional(),
  /** Entries (files and folders) an uploaded .zip may list; more is refused from its directory, before anything is unpacked. */
  JOURNAL_UPLOAD_ZIP_MAX_ENTRIES: z.coerce.number().int().min(1).max(65_535).default(1000),
  /** Bytes all entries of an uploaded .zip may unpack to together: checked on the sizes declared and counted while unpacking. */
  JOURNAL_UPLOAD_ZIP_MAX_UNPACKED_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024 * 1024).default(1024 * 1024 * 1024),
  /**
   * Largest unpacked/packed ratio of one entry of an uploaded .zip (entries under 1 MB unpacked are exempt).
   * CSV exports pack 5–30 times; a zip bomb's zeros pack about 1000 times.
   */
  JOURNAL_UPLOAD_ZIP_MAX_RATIO: z.coerce.number().min(1).max(100_000).default(200),
  /**
   * Hosts a journal connection's URLs may reach (comma list): `*` any public host, `*.eljur.ru`, `api.dnevnik.ru`.
   * Loopback, private and link-local addresses only when listed by name (`127.0.0.1:8091`).
   */
  JOURNAL_ALLOWED_HOSTS: z.string().default('*'),
  /** The folder a connection's server-side `path` must lie under; unset: server-side paths are refused (upload instead). */
  JOURNAL_EXPORTS_ROOT: z.string().min(1).optional(),
  /** Key that encrypts journal connection credentials at rest (AES-256-GCM): 32 bytes, hex or base64. */
  HUB_SECRETS_KEY: z.string().min(32).optional(),
  /** How long a run stopped by the mass-change guard waits for a human before it is discarded. */
  ROSTER_CONFIRM_WITHIN: duration.default(20 * 3600_000),
  /** Schools of one connection reconciled at the same time (child workflows in flight). */
  ROSTER_SCHOOLS_IN_FLIGHT: z.coerce.number().int().min(1).max(100).default(4),
  /** Membership changes per apply activity call (several messenger batches, one heartbeat each). */
  ROSTER_APPLY_CHUNK: z.coerce.number().int().min(1).default(2000),
  /** Chats whose members are listed at the messenger at once while a school is planned. */
  ROSTER_MESSENGER_READS: z.coerce.number().int().min(1).max(64).default(8),
});

export type Config = z.infer<typeof schema>;

/** Every setting's env var name (docs and the compose test check against it). */
export const configKeys = Object.keys(schema.shape);

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // docker-compose passes `${OIDC_ISSUER:-}` as an empty string: for the OIDC settings that means unset.
  const given = Object.fromEntries(Object.entries(env).filter(([k, v]) => !(k.startsWith('OIDC_') && v === '')));
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if (parsed.data.INVITE_DEFAULT_DAYS > parsed.data.INVITE_MAX_DAYS) {
    throw new Error('Invalid configuration: INVITE_DEFAULT_DAYS exceeds INVITE_MAX_DAYS');
  }
  if (parsed.data.OTP_SMS_GATEWAY === 'smsru' && !parsed.data.SMSRU_API_ID) {
    throw new Error('Invalid configuration: OTP_SMS_GATEWAY=smsru needs SMSRU_API_ID');
  }
  if (parsed.data.SMTP_URL && !parsed.data.SMTP_FROM) {
    throw new Error('Invalid configuration: SMTP_URL needs SMTP_FROM');
  }
  if (parsed.data.OIDC_ISSUER && (!parsed.data.OIDC_AUDIENCE || !parsed.data.OIDC_ROLE_MAP)) {
    throw new Error('Invalid configuration: OIDC_ISSUER needs OIDC_AUDIENCE and OIDC_ROLE_MAP too (docs/staff-sign-in.md)');
  }
  const refusals = productionRefusals(parsed.data);
  if (refusals.length > 0) {
    throw new Error(`Refusing to start with NODE_ENV=production:\n${refusals.map((r) => `  - ${r}`).join('\n')}`);
  }
  if (parsed.data.HUB_DEV_OUTBOX && !parsed.data.HUB_DEV_AUTH) {
    throw new Error('Invalid configuration: HUB_DEV_OUTBOX keeps one-time codes and is for the dev stack only (set HUB_DEV_AUTH too)');
  }
  return parsed.data;
}
