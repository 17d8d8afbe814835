// The dev stack's outside world: an Eljur journal simulator over a small generated school (and a
// Gosuslugi simulator for its people), plus a demo journal connection to it, so a sync can be tried by
// hand. The messenger simulator is app/dev-messenger.ts.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { citizensFromModel, startEsiaSimulator } from '../adapters/identity-proof/esia-simulator.js';
import { accountsFor, startEljurSimulator } from '../adapters/journals/eljur/simulator.js';
import { RosterModel } from '../adapters/journals/testing/roster-model.js';
import { insertConnection, listConnections } from '../db/repositories/connections.js';
import type { Pool } from '../infra/postgres.js';
import { secretBoxFromConfig } from '../infra/secrets.js';

const ELJUR = { devkey: 'dev-devkey', vendor: 'demo', login: 'hub-sync', password: 'dev-password' };
/** R-L5 on the dev stack: every journal person signs in to Eljur (and Gosuslugi) as their journal id with this password. */
export const DEV_PERSON_PASSWORD = 'demo-pa55';

/** The dev journal: seeded, so the same school and people on every start (and in the dev-stack test). */
export const devJournalModel = (): RosterModel => RosterModel.generate({ seed: 2026, schools: 1, grades: 4, studentsPerClass: 12 });

/** A parent of the dev journal to try the walkthrough with (docs/walkthrough-sferum.md): their Eljur login and the child's class. */
export function demoParent(model: RosterModel): { login: string; className: string } {
  for (const parentId of [...new Set([...model.guardianships.values()].map((g) => g.parentId))].sort()) {
    for (const g of model.childrenOf(parentId)) {
      const enrolled = model.enrollmentsOfStudent(g.childId).find((e) => e.status === 'active');
      if (enrolled) return { login: parentId, className: model.classes.get(enrolled.classId)!.name };
    }
  }
  throw new Error('the dev journal has no parent of an enrolled child');
}

export interface DevSimulators {
  /** R-L5 on the dev stack: a parent whose Eljur sign-in the walkthrough uses. */
  demoParent: { login: string; className: string };
  journalUrl: string;
  /** Values for the config the worker and API read. */
  env: { HUB_SECRETS_KEY: string; ESIA_ISSUER: string; ESIA_CLIENT_ID: string; ESIA_CLIENT_SECRET: string };
  /** Writes the demo connection once (a database that has connections is left alone). */
  seedConnection(pool: Pool): Promise<void>;
  stop(): Promise<void>;
}

export async function startDevSimulators(dataDir: string, journalPort: number, esiaPort = journalPort + 1): Promise<DevSimulators> {
  const keyFile = join(dataDir, 'dev-secrets-key');
  if (!existsSync(keyFile)) writeFileSync(keyFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  const secretsKey = process.env.HUB_SECRETS_KEY ?? readFileSync(keyFile, 'utf8').trim();

  // Seeded: the same school and people on every start, so a restart resumes in step with its data.
  const model = devJournalModel();
  const school = [...model.schools.keys()][0]!;
  const journal = await startEljurSimulator(model, { ...ELJUR, port: journalPort, people: accountsFor(model, DEV_PERSON_PASSWORD) });
  const esia = await startEsiaSimulator({ port: esiaPort });
  for (const [login, citizen] of citizensFromModel(model, DEV_PERSON_PASSWORD)) esia.citizens.set(login, citizen);
  return {
    journalUrl: `${journal.url}/apiv3`,
    demoParent: demoParent(model),
    env: {
      HUB_SECRETS_KEY: secretsKey,
      ESIA_ISSUER: esia.issuer,
      ESIA_CLIENT_ID: esia.clientId,
      ESIA_CLIENT_SECRET: esia.clientSecret,
    },
    async seedConnection(pool) {
      // The demo journal school is the first demo hub school (Kazan), so its staff can issue linking codes (R-L5).
      const { rows } = await pool.query(`SELECT id FROM schools WHERE region = '16' ORDER BY name LIMIT 1`);
      const schoolId = (rows[0] as { id: string } | undefined)?.id;
      if ((await listConnections(pool)).length > 0) return;
      await insertConnection(pool, secretBoxFromConfig({ HUB_SECRETS_KEY: secretsKey }), {
        name: 'ЭлЖур (демо, симулятор)',
        kind: 'eljur',
        settings: { baseUrl: `${journal.url}/apiv3`, vendor: ELJUR.vendor },
        credentials: { devkey: ELJUR.devkey, login: ELJUR.login, password: ELJUR.password },
        region: '16',
        schools: [{ schoolExternalId: school, ...(schoolId ? { schoolId } : {}) }],
        createdBy: 'dev-seed',
      });
    },
    async stop() {
      await esia.close();
      await journal.close();
    },
  };
}
