// Arrange helpers for reconciliation tests: a journal (roster model behind the Eljur simulator and
// the real Eljur adapter over HTTP), the messenger simulator behind the real HTTP adapter, a
// connection row with encrypted credentials, and "who is in the chat titled X".
import { createHash, randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { accountsFor, startEljurSimulator } from '../../adapters/journals/eljur/simulator.js';
import { RosterModel, type GenerateOptions } from '../../adapters/journals/testing/roster-model.js';
import type { RunningSim } from '../../adapters/journals/testing/sim-server.js';
import { startMessengerSimulator, type MessengerSimulator } from '../../adapters/messenger/simulator.js';
import type { VkIdSimulator } from '../../adapters/vk-id/simulator.js';
import { insertPerson } from '../../db/repositories/people.js';
import { VkTeamsHttpMessenger } from '../../adapters/messenger/vkteams-http.js';
import { insertConnection, type JournalConnection } from '../../db/repositories/connections.js';
import { syncRunReport } from '../../db/repositories/sync-runs.js';
import { findSyncRunByWorkflowId } from '../../db/repositories/sync-runs.js';
import type { Pool } from '../../infra/postgres.js';
import { secretBox, type SecretBox } from '../../infra/secrets.js';
import { desiredChats } from '../../domain/roster/chats.js';
import { schoolRosterFromRecords } from '../../sync/from-journal.js';
import { journalFactory, type JournalFactory } from '../../sync/journal-factory.js';
import { startSync, type StartSyncRequest, type SyncContext } from '../../sync/start-sync.js';
import type { ReconcileTuning } from '../../workflows/roster-definitions.js';
import { bindThroughUseCase, startTestVkId } from './vk-id.js';
import { seedSchool, type SchoolWithClasses } from './seed.js';
import { TEST_PAYLOAD_KEYS } from './temporal.js';

export const ELJUR_CREDS = { devkey: 'dev-key-for-tests', vendor: 'school', login: 'hub-sync', password: 'pa55' };
/** Every journal person's own Eljur account in tests: login = their journal id, this password (R-L5 sign-in). */
export const JOURNAL_PASSWORD = 'own-journal-pa55';
/** A fixed HUB_SECRETS_KEY for worlds whose API must open the connection's credentials (the journal sign-in). */
export const TEST_SECRETS_KEY_HEX = 'a1'.repeat(32);

export interface RosterWorld {
  model: RosterModel;
  /** The first school (the only one unless `schools` was given). */
  school: string;
  /** Every school the journal lists, in the order the model made them. */
  schools: string[];
  journalSim: RunningSim;
  /** The journal's own user accounts (login → password, person), live: a person hired later gets one here. */
  journalAccounts: Map<string, { password: string; personId: string }>;
  messengerSim: MessengerSimulator;
  messenger: VkTeamsHttpMessenger;
  /** VK ID, where people's messenger accounts come from (R-M1). */
  vkIdSim: VkIdSimulator;
  box: SecretBox;
  /** HUB_SECRETS_KEY of this world, for a worker in another process. */
  secretsKeyHex: string;
  journals: JournalFactory;
  connection: JournalConnection;
  /** The hub school the connection's first journal school is (staff issue linking codes there, R-L5); absent with `everySchool`. */
  hubSchool?: SchoolWithClasses;
  close(): Promise<void>;
}

export interface RosterWorldOptions extends GenerateOptions {
  strictMode?: boolean;
  timeoutMs?: number;
  /**
   * The connection names no schools, so a run reads every school the journal lists
   * (the default names the first school only).
   */
  everySchool?: boolean;
  /** The messenger simulator honours createChat's idempotency key (default true; false = like the real platform). */
  honourIdempotencyKeys?: boolean;
  /** The hub's adapter retries an ambiguous createChat in place (default: whether the simulator honours keys). */
  idempotentCreate?: boolean;
  /** HUB_SECRETS_KEY (hex) of the world; random unless given (TEST_SECRETS_KEY_HEX for an API that signs people in). */
  secretsKeyHex?: string;
}

export async function startRosterWorld(pool: Pool, opts: RosterWorldOptions = {}): Promise<RosterWorld> {
  const model = RosterModel.generate({ seed: 7, schools: 1, grades: 2, studentsPerClass: 5, ...opts });
  const schools = [...model.schools.keys()];
  const school = schools[0]!;
  const journalAccounts = accountsFor(model, JOURNAL_PASSWORD);
  const journalSim = await startEljurSimulator(model, { ...ELJUR_CREDS, people: journalAccounts });
  const honourIdempotencyKeys = opts.honourIdempotencyKeys ?? true;
  const messengerSim = await startMessengerSimulator({ port: 0, pageSize: 7, maxMembersPerCall: 10, honourIdempotencyKeys });
  const messenger = new VkTeamsHttpMessenger({
    apiBase: messengerSim.apiBase,
    token: messengerSim.token,
    maxBatchSize: 10,
    requestTimeoutMs: opts.timeoutMs ?? 2_000,
    retry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 200, maxRetryAfterMs: 1_500 },
    idempotentCreate: opts.idempotentCreate ?? honourIdempotencyKeys,
  });
  const vkIdSim = await startTestVkId();
  const key = opts.secretsKeyHex ? Buffer.from(opts.secretsKeyHex, 'hex') : randomBytes(32);
  const hubSchool = opts.everySchool ? undefined : await seedSchool(pool, { name: `Школа ${school}`, classes: [] });
  const box = secretBox(key);
  const connection = await insertConnection(pool, box, {
    name: 'ЭлЖур (тест)',
    kind: 'eljur',
    settings: { baseUrl: `${journalSim.url}/apiv3`, vendor: ELJUR_CREDS.vendor, http: { retries: 5, baseDelayMs: 10, maxDelayMs: 100, timeoutMs: 5_000 } },
    credentials: { devkey: ELJUR_CREDS.devkey, login: ELJUR_CREDS.login, password: ELJUR_CREDS.password },
    region: '16',
    strictMode: opts.strictMode ?? false,
    schools: hubSchool ? [{ schoolExternalId: school, schoolId: hubSchool.school.id }] : [],
  });
  return {
    model,
    school,
    schools,
    journalSim,
    journalAccounts,
    messengerSim,
    messenger,
    vkIdSim,
    box,
    secretsKeyHex: key.toString('hex'),
    journals: journalFactory(pool, box),
    connection,
    ...(hubSchool ? { hubSchool } : {}),
    async close() {
      await journalSim.close();
      await messengerSim.stop();
      await vkIdSim.stop();
    },
  };
}

/** The VK user id a journal person signs in to VK ID with in tests (decimal, like VK's; stable per id). */
export const userOf = (externalId: string): string =>
  String(Number.parseInt(createHash('sha256').update(externalId).digest('hex').slice(0, 11), 16) + 1);

let emailCounter = 0;
/**
 * Each journal person becomes a hub person whose messenger account is bound by "Sign in with VK ID"
 * (the simulator, as `userOf(externalId)`), and is linked to the journal identity. The link is a row
 * (linked_by 'test'): the link journey itself is tested in journal-link-api.test.ts.
 */
export async function linkDirectly(pool: Pool, w: RosterWorld, externalIds: Iterable<string>): Promise<void> {
  for (const e of externalIds) {
    const p = w.model.persons.get(e);
    const account = userOf(e);
    const { rows } = await pool.query(`SELECT id FROM people WHERE messenger_user_id = $1`, [account]);
    let personId = (rows[0] as { id: string } | undefined)?.id;
    if (!personId) {
      const person = await insertPerson(pool, {
        phone: null,
        email: `p${process.pid}-${++emailCounter}@test.example`,
        firstName: p?.firstName ?? 'Имя',
        lastName: p?.lastName ?? 'Фамилия',
        birthDate: p?.birthDate ?? null,
      });
      personId = person.id;
      await bindThroughUseCase(pool, w.vkIdSim, personId, account);
    }
    await pool.query(
      `INSERT INTO journal_links (connection_id, external_person_id, person_id, messenger_user_id, linked_by)
       VALUES ($1, $2, $3, $4, 'test') ON CONFLICT DO NOTHING`,
      [w.connection.id, e, personId, account],
    );
  }
}

export function syncContext(pool: Pool, temporal: Client, taskQueue: string, tuning: ReconcileTuning = {}, share = 0.1): SyncContext {
  return {
    pool,
    temporal,
    taskQueue,
    tuning: { heartbeatTimeoutMs: 5_000, ...tuning },
    config: { ROSTER_MASS_REMOVAL_SHARE: share, ROSTER_CONFIRM_WITHIN: 3600_000, ROSTER_SCHOOLS_IN_FLIGHT: 2, ROSTER_APPLY_CHUNK: 50 },
  };
}

/** Starts a run and waits for it to finish (or to stop for confirmation when `untilAwaiting`). */
export async function runSync(ctx: SyncContext, req: Omit<StartSyncRequest, 'connectionId'> & { connectionId: string }, opts: { untilAwaiting?: boolean } = {}) {
  const { workflowId } = await startSync(ctx, req);
  const handle = ctx.temporal.workflow.getHandle(workflowId);
  if (opts.untilAwaiting) {
    for (let i = 0; i < 600; i++) {
      const run = await findSyncRunByWorkflowId(ctx.pool, workflowId);
      if (run && run.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } else {
    await handle.result();
  }
  const run = (await findSyncRunByWorkflowId(ctx.pool, workflowId))!;
  return { workflowId, handle, run, report: (await syncRunReport(ctx.pool, run.id))! };
}

/** Member user ids of the chat with this title (sorted), or undefined when no such chat exists. */
export function membersOf(sim: MessengerSimulator, title: string): string[] | undefined {
  const chat = [...sim.store.chats.values()].find((c) => c.title === title);
  return chat ? sim.store.memberIds(chat.chatId).filter((u) => u !== sim.botUserId).sort() : undefined;
}

export function chatIdOf(sim: MessengerSimulator, title: string): string {
  const chat = [...sim.store.chats.values()].find((c) => c.title === title);
  if (!chat) throw new Error(`no chat titled ${title}`);
  return chat.chatId;
}

/** What every chat of a school should hold when everyone in the journal is linked: title → sorted user ids. */
export function expectedMembership(w: RosterWorld, school = w.school): Map<string, string[]> {
  const records = w.model.expected(school).required;
  const { chats } = desiredChats(schoolRosterFromRecords(school, records));
  return new Map(chats.map((c) => [c.title, c.personIds.map(userOf).sort()]));
}

/**
 * What the chats the hub manages for one school hold in the messenger: title → sorted user ids
 * (titles repeat across schools, so the hub's own chat ids tell the schools apart).
 */
export async function schoolMembership(pool: Pool, w: RosterWorld, school: string): Promise<Map<string, string[]>> {
  const { rows } = await pool.query(
    `SELECT title, messenger_chat_id AS "chatId" FROM managed_chats WHERE connection_id = $1 AND school_external_id = $2`,
    [w.connection.id, school],
  );
  const sim = w.messengerSim;
  return new Map(
    (rows as Array<{ title: string; chatId: string | null }>).map((r) => [
      r.title,
      r.chatId ? sim.store.memberIds(r.chatId).filter((u) => u !== sim.botUserId).sort() : [],
    ]),
  );
}

export function actualMembership(sim: MessengerSimulator): Map<string, string[]> {
  return new Map([...sim.store.chats.values()].map((c) => [c.title, sim.store.memberIds(c.chatId).filter((u) => u !== sim.botUserId).sort()]));
}

/** Titles of the chats where the journal identity is pending (R-C6, R-L2), in the database's order. */
export async function pendingChatTitles(pool: Pool, w: RosterWorld, externalId: string): Promise<string[]> {
  const { rows } = await pool.query(
    `SELECT c.title FROM pending_members p JOIN managed_chats c ON c.id = p.chat_id
      WHERE c.connection_id = $1 AND p.external_person_id = $2 ORDER BY c.title`,
    [w.connection.id, externalId],
  );
  return (rows as { title: string }[]).map((r) => r.title);
}

/**
 * The environment of a real worker process (test/fixtures/roster-worker.ts) for this file's schema,
 * simulators and Temporal, configured as production is (payload keys included); `extra` on top.
 */
export function rosterWorkerEnv(db: { url: string; schema: string }, w: RosterWorld, temporalAddress: string, taskQueue: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: db.url,
    DB_SCHEMA: db.schema,
    TEMPORAL_ADDRESS: temporalAddress,
    TASK_QUEUE: taskQueue,
    MESSENGER_API_BASE: w.messengerSim.apiBase,
    MESSENGER_TOKEN: w.messengerSim.token,
    HUB_SECRETS_KEY: w.secretsKeyHex,
    HUB_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    ...extra,
  };
}
