// The dev stack's outside world: a messenger simulator and an Eljur journal simulator over a small
// generated school, plus a demo journal connection to it, so a sync can be tried by hand.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEljurSimulator } from '../adapters/journals/eljur/simulator.js';
import { RosterModel } from '../adapters/journals/testing/roster-model.js';
import { startMessengerSimulator } from '../adapters/messenger/simulator.js';
import { insertConnection, listConnections } from '../db/repositories/connections.js';
import type { Pool } from '../infra/postgres.js';
import { secretBoxFromConfig } from '../infra/secrets.js';

const ELJUR = { devkey: 'dev-devkey', vendor: 'demo', login: 'hub-sync', password: 'dev-password' };

export interface DevSimulators {
  messengerAdminUrl: string;
  journalUrl: string;
  /** Values for the config the worker and API read. */
  env: { MESSENGER_API_BASE: string; MESSENGER_TOKEN: string; HUB_SECRETS_KEY: string };
  /** Writes the demo connection once (a database that has connections is left alone). */
  seedConnection(pool: Pool): Promise<void>;
  stop(): Promise<void>;
}

export async function startDevSimulators(dataDir: string, messengerPort: number, journalPort: number): Promise<DevSimulators> {
  const keyFile = join(dataDir, 'dev-secrets-key');
  if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  const secretsKey = process.env.HUB_SECRETS_KEY ?? readFileSync(keyFile, 'utf8').trim();

  const messenger = await startMessengerSimulator({ port: messengerPort });
  // Seeded: the same school and people on every start, so a restart resumes in step with its data.
  const model = RosterModel.generate({ seed: 2026, schools: 1, grades: 4, studentsPerClass: 12 });
  const school = [...model.schools.keys()][0]!;
  const journal = await startEljurSimulator(model, { ...ELJUR, port: journalPort });
  return {
    messengerAdminUrl: `${messenger.url}/admin/state`,
    journalUrl: `${journal.url}/apiv3`,
    env: { MESSENGER_API_BASE: messenger.apiBase, MESSENGER_TOKEN: messenger.token, HUB_SECRETS_KEY: secretsKey },
    async seedConnection(pool) {
      if ((await listConnections(pool)).length > 0) return;
      await insertConnection(pool, secretBoxFromConfig({ HUB_SECRETS_KEY: secretsKey }), {
        name: 'ЭлЖур (демо, симулятор)',
        kind: 'eljur',
        settings: { baseUrl: `${journal.url}/apiv3`, vendor: ELJUR.vendor },
        credentials: { devkey: ELJUR.devkey, login: ELJUR.login, password: ELJUR.password },
        region: '16',
        schools: [{ schoolExternalId: school }],
        createdBy: 'dev-seed',
      });
    },
    async stop() {
      await journal.close();
      await messenger.stop();
    },
  };
}
