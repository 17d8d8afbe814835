// What every route is built from; its own module so that app.ts and the routes it mounts do not import
// each other.
import type { Client } from '@temporalio/client';
import type { Config } from '../infra/config.js';
import type { Logger } from '../infra/logger.js';
import type { Pool } from '../infra/postgres.js';
import type { TokenService } from './auth.js';

export interface ApiDeps {
  config: Config;
  pool: Pool;
  temporal: Client;
  tokens: TokenService;
  logger: Logger;
  taskQueues: { registration: string; roster: string };
}
