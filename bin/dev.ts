// `npm start`: the whole hub on one machine. Temporal dev server (SQLite under .data/), PostgreSQL
// (embedded unless DATABASE_URL is set), then worker + API + scheduler in this process.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig } from '../infra/config.js';
import { GENERATED_SECRET_MARK } from '../infra/production-guard.js';
import { openDatabase } from '../infra/database.js';
import { startDevTemporal } from '../app/dev-temporal.js';
import { startEmbeddedPostgres } from '../infra/embedded-postgres.js';
import { createLogger } from '../infra/logger.js';
import { runApi, runScheduler, runWorkers } from '../app/processes.js';
import { runUntilSignal, type Stoppable } from '../infra/lifecycle.js';
import { noticeDispatcherFromConfig } from '../notices/from-config.js';
import { seedDevData } from '../db/dev-seed.js';
import { DEV_PERSON_PASSWORD, startDevSimulators } from '../app/dev-simulators.js';
import { startDevMessenger } from '../app/dev-messenger.js';
import { startDevVkId } from '../adapters/vk-id/dev.js';

const env = { ...process.env };
// The dev stack generates secrets, mints tokens for any role and keeps codes: never in production.
if (env.NODE_ENV === 'production') {
  console.error('Refusing to start: `npm start` is the dev stack (generated secrets, dev tokens, dev outbox). With NODE_ENV=production run bin/api.ts, bin/worker.ts and bin/scheduler.ts (README "Configuration").');
  process.exit(1);
}
const dataDir = env.HUB_DATA_DIR ?? join(import.meta.dirname, '..', '.data');
mkdirSync(dataDir, { recursive: true });

// A dev signing secret kept with the data, so tokens issued before a restart still work.
const secretFile = join(dataDir, 'dev-jwt-secret');
if (!env.HUB_JWT_SECRET) {
  if (!existsSync(secretFile)) writeFileSync(secretFile, GENERATED_SECRET_MARK + randomBytes(32).toString('hex'), { mode: 0o600 });
  env.HUB_JWT_SECRET = readFileSync(secretFile, 'utf8').trim();
}
// Likewise the key that encrypts Temporal payloads (issue 14): histories written before a restart stay readable.
const payloadKeyFile = join(dataDir, 'dev-payload-key');
if (!env.HUB_PAYLOAD_KEYS) {
  if (!existsSync(payloadKeyFile)) writeFileSync(payloadKeyFile, `dev1:${randomBytes(32).toString('hex')}`, { mode: 0o600 });
  env.HUB_PAYLOAD_KEYS = readFileSync(payloadKeyFile, 'utf8').trim();
}
env.HUB_DEV_AUTH ??= 'true';
// One-time codes are kept in the dev outbox (GET /v1/dev/outbox) so signup can be tried by hand.
env.HUB_DEV_OUTBOX ??= 'true';
// The dev stack's journals are simulators on this machine, and its exports may come from the project folder.
env.JOURNAL_ALLOWED_HOSTS ??= '*,127.0.0.1,localhost';
env.JOURNAL_EXPORTS_ROOT ??= join(import.meta.dirname, '..');

const temporalPort = Number(env.HUB_DEV_TEMPORAL_PORT ?? 7233);
const temporalUiPort = Number(env.HUB_DEV_TEMPORAL_UI_PORT ?? 8233);
const postgresPort = Number(env.HUB_DEV_POSTGRES_PORT ?? 54329);
const logger = createLogger(env.LOG_LEVEL ?? 'info', 'dev');

runUntilSignal(logger, async () => {
  const started: Stoppable[] = [];
  const temporal = await startDevTemporal(dataDir, temporalPort, temporalUiPort);
  started.push(temporal);
  env.TEMPORAL_ADDRESS = temporal.address;
  // Gosuslugi on its own port: journal + 1 was VK ID's 8092, and the second to bind failed.
  const sims = await startDevSimulators(dataDir, Number(env.HUB_DEV_JOURNAL_PORT ?? 8091), Number(env.HUB_DEV_ESIA_PORT ?? 8093));
  started.push(sims);
  env.HUB_SECRETS_KEY ??= sims.env.HUB_SECRETS_KEY;
  // Issue 13: the VK API simulator (Сферум) unless MESSENGER_KIND=vk-teams or a real messenger is configured.
  const messenger = await startDevMessenger(env, Number(env.HUB_DEV_MESSENGER_PORT ?? 8090));
  started.push(messenger);
  for (const [k, v] of Object.entries(messenger.env)) env[k] ??= v;
  // "Sign in with VK ID" (messenger accounts): the simulator unless a real VK ID app is configured.
  const vkId = env.VK_ID_CLIENT_ID ? undefined : await startDevVkId(Number(env.HUB_DEV_VK_ID_PORT ?? 8092));
  if (vkId) {
    started.push(vkId);
    Object.assign(env, vkId.env);
  }
  // R-L5: Gosuslugi sign-in against the dev ESIA simulator (offered for EPOS connections).
  if (!env.ESIA_ISSUER) Object.assign(env, { ESIA_ISSUER: sims.env.ESIA_ISSUER, ESIA_CLIENT_ID: sims.env.ESIA_CLIENT_ID, ESIA_CLIENT_SECRET: sims.env.ESIA_CLIENT_SECRET });
  env.ESIA_REDIRECT_URI ??= `http://localhost:${env.PORT ?? 8080}/console/esia-back`;
  if (!env.DATABASE_URL) {
    const pg = await startEmbeddedPostgres(dataDir, postgresPort);
    started.push(pg);
    env.DATABASE_URL = pg.url;
  }
  const config = loadConfig(env);
  const pool = await openDatabase(config);
  started.push({ stop: () => pool.end() });
  if (env.HUB_DEV_SEED !== 'false') {
    if (await seedDevData(pool)) logger.info('demo schools and classes written');
    await sims.seedConnection(pool);
  }
  started.push(await runWorkers(config, pool, logger));
  // Notices (issue 14): over the messenger simulator here; codes stay in the outbox.
  started.push(noticeDispatcherFromConfig(config, pool, logger).start());
  const api = await runApi(config, pool, logger);
  started.push(api);
  started.push(await runScheduler(config, pool, api.temporal, logger));

  const apiUrl = `http://localhost:${config.PORT}`;
  console.log(
    [
      '',
      'Хаб запущен / hub is up:',
      `  API:          ${apiUrl}  (ready: ${apiUrl}/readyz)`,
      `  Console:      ${apiUrl}/console/`,
      `  Temporal UI:  ${temporal.uiUrl}`,
      `  OpenAPI:      ${apiUrl}/docs`,
      `  Messenger:    ${messenger.describe}`,
      `  Journal simulator (Eljur): ${sims.journalUrl}  (people sign in as their journal id, password ${DEV_PERSON_PASSWORD})`,
      `  Demo parent:  Eljur login ${sims.demoParent.login}, child in ${sims.demoParent.className} (docs/walkthrough-sferum.md)`,
      `  VK ID:        ${vkId ? `${vkId.url} (simulator)` : config.VK_ID_BASE}`,
      `  PostgreSQL:   ${config.DATABASE_URL?.replace(/:[^:@/]+@/, ':***@')}`,
      `  Dev tokens:   POST ${apiUrl}/v1/dev/token {"role":"authority","region":"16"}`,
      `  Codes sent:   GET ${apiUrl}/v1/dev/outbox`,
      'Ctrl-C stops everything; data stays in ' + dataDir,
      '',
    ].join('\n'),
  );
  return started;
});
