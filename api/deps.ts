// What every route is built from; its own module so that app.ts and the routes it mounts do not import
// each other.
import type { Client } from '@temporalio/client';
import type { Config } from '../infra/config.js';
import type { Logger } from '../infra/logger.js';
import type { Pool } from '../infra/postgres.js';
import type { IssuerVerifier, TokenService } from './auth.js';

export interface ApiDeps {
  config: Config;
  pool: Pool;
  temporal: Client;
  tokens: TokenService;
  /** Staff access tokens from the OpenID provider (OIDC_ISSUER); unset: no staff sign-in but hub-signed dev tokens. */
  staffTokens?: IssuerVerifier;
  logger: Logger;
  taskQueues: { registration: string; roster: string };
}
