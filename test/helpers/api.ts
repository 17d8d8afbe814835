// The real HTTP API on an ephemeral loopback port, over the file's schema and the run's Temporal.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { createApp } from '../../api/app.js';
import { tokenService, type Principal, type TokenService } from '../../api/auth.js';
import { loadConfig, type Config } from '../../infra/config.js';
import { createLogger, type Logger } from '../../infra/logger.js';
import type { TestDb } from './db.js';
import type { TestTemporal } from './temporal.js';

/** Every test request comes from 127.0.0.1: files that test rate limits set their own. */
const generousRateLimits = {
  RATE_LIMIT_CODE_REQUEST_PER_IP: '100000/60',
  RATE_LIMIT_CODE_REQUEST_PER_PHONE: '100000/60',
  RATE_LIMIT_CODE_SUBMIT_PER_IP: '100000/60',
  RATE_LIMIT_CODE_SUBMIT_PER_PHONE: '100000/60',
  RATE_LIMIT_PREVIEW_PER_IP: '100000/60',
  RATE_LIMIT_JOURNAL_LINK_PER_PERSON: '100000/60',
  RATE_LIMIT_JOURNAL_PROOF_PER_PERSON: '100000/60',
};

/** Tests reach journal simulators on this machine and read exports from fixtures and scratch folders anywhere. */
const testPlaces = { JOURNAL_ALLOWED_HOSTS: '*,127.0.0.1,localhost', JOURNAL_EXPORTS_ROOT: '/' };

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export interface TestApi {
  baseUrl: string;
  tokens: TokenService;
  config: Config;
  call(method: string, path: string, opts?: { body?: unknown; as?: Principal; headers?: Record<string, string> }): Promise<ApiResponse>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
}

export function useTestApi(
  db: TestDb,
  temporal: TestTemporal,
  /** Settings, or a function giving them when the API starts (e.g. a simulator's address). */
  env: Record<string, string> | (() => Record<string, string>) = {},
  opts: { logger?: () => Logger } = {},
): TestApi {
  const api = {} as TestApi;
  let server: Server;
  beforeAll(async () => {
    api.config = loadConfig({ HUB_JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'silent', ...generousRateLimits, ...testPlaces, ...(typeof env === 'function' ? env() : env) });
    api.tokens = tokenService(TEST_JWT_SECRET);
    const app = createApp({
      config: api.config,
      pool: db.pool,
      temporal: temporal.client,
      tokens: api.tokens,
      logger: opts.logger?.() ?? createLogger('silent'),
      taskQueues: { registration: temporal.taskQueue, roster: temporal.taskQueue },
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    api.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    api.call = async (method, path, opts = {}) => {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
      if (opts.as) headers.authorization = `Bearer ${await api.tokens.sign(opts.as)}`;
      const res = await fetch(api.baseUrl + path, {
        method,
        headers,
        ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, headers: res.headers, body };
    };
  });
  afterAll(async () => {
    await new Promise<unknown>((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });
  return api;
}

/** Calls until the answer is not 503, waiting as Retry-After says: the way a well-behaved client rides out an outage. */
export async function waitingOut503(call: () => Promise<ApiResponse>, seen: { unavailable: number } = { unavailable: 0 }, maxTries = 20): Promise<ApiResponse> {
  for (let attempt = 1; ; attempt++) {
    const res = await call();
    if (res.status !== 503 || attempt >= maxTries) return res;
    seen.unavailable++;
    await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? 1) * 1000));
  }
}
