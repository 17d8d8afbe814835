// A dependency that is away (PostgreSQL restarting, Temporal unreachable) is not the caller's fault
// and not a bug: the answer is 503 with Retry-After, so that clients wait and try again, never 500.
import { isGrpcServiceError } from '@temporalio/client';
import { Problem } from './problem.js';

/** How long a client should wait before retrying while a dependency is away (a restart takes seconds). */
export const OUTAGE_RETRY_AFTER_SECONDS = 3;

/** Socket-level failures of a connection to PostgreSQL (node:net codes). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** SQLSTATE of a server that is shutting down or starting up: 57P01..57P03 (admin/crash shutdown, cannot connect now). */
const SERVER_AWAY_STATES = new Set(['57P01', '57P02', '57P03']);
/** Messages node-postgres uses for a connection lost or never made (no code of their own). */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
];
/** gRPC status codes of a Temporal frontend that cannot be reached (14 UNAVAILABLE, 4 DEADLINE_EXCEEDED). */
const GRPC_AWAY_CODES = new Set([14, 4]);

/** The error and its causes (and an AggregateError's members), outermost first, bounded. */
function chain(err: unknown): unknown[] {
  const seen: unknown[] = [];
  const queue = [err];
  while (queue.length && seen.length < 12) {
    const e = queue.shift();
    if (!e || typeof e !== 'object' || seen.includes(e)) continue;
    seen.push(e);
    queue.push((e as { cause?: unknown }).cause);
    if (e instanceof AggregateError) queue.push(...e.errors);
  }
  return seen;
}

function isTemporalAway(e: unknown): boolean {
  if (isGrpcServiceError(e)) return GRPC_AWAY_CODES.has(e.code);
  const { name, message } = e as { name?: string; message?: string };
  // The client's own connection errors (a lazy connection that never came up).
  return name === 'TransportError' || (name === 'ServiceError' && /UNAVAILABLE|DEADLINE_EXCEEDED|Failed to connect/i.test(message ?? ''));
}

function isDatabaseAway(e: unknown): boolean {
  const { code, message } = e as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || SERVER_AWAY_STATES.has(code) || code.startsWith('08'))) return true;
  return typeof message === 'string' && PG_CONNECTION_MESSAGES.some((m) => message.startsWith(m));
}

/** The 503 problem for an error that means a dependency is away, or undefined for any other error. */
export function outageProblem(err: unknown): Problem | undefined {
  const errors = chain(err);
  const headers = { 'Retry-After': String(OUTAGE_RETRY_AFTER_SECONDS) };
  const params = { seconds: OUTAGE_RETRY_AFTER_SECONDS };
  const extra = { retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS };
  // Temporal first: a gRPC error also carries a numeric `code`, never a socket one, so order only matters for clarity.
  if (errors.some(isTemporalAway)) return new Problem(503, 'workflow-engine-unavailable', params, extra, headers);
  if (errors.some(isDatabaseAway)) return new Problem(503, 'database-unavailable', params, extra, headers);
  return undefined;
}

/**
 * For lookups whose failure means "not there" (an id that is not a uuid): answers `fallback`, but lets an
 * outage through so that the caller sees 503, not a misleading 403/404.
 */
export const fallbackUnlessOutage =
  <T>(fallback: T) =>
  (err: unknown): T => {
    if (outageProblem(err)) throw err;
    return fallback;
  };
