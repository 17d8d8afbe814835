// A PostgreSQL claim on creating one managed chat at the messenger (issue 13 item 5). Reconcile runs,
// on-demand runs on other workers and journal-link joins may all find the same chat without a
// messenger id at the same moment; only the holder of the claim may create it, and whoever gets the
// claim next re-reads the row and finds the id stored. Without it two workers both sent createChat.
//
// A session-level advisory lock, not a row lock in a transaction: the create marker (migration 600)
// must be COMMITTED before the request leaves (a worker killed mid-call must leave it behind), which a
// transaction held across the call would not do, and a row lock would block that very update. The
// session lock lives on one pooled connection: a process that dies drops its connection, and the
// server releases the claim with it, so a claim is never left behind.
//
// Holding a connection across a network call is bounded: the messenger adapter gives every request
// its own timeout and a bounded number of attempts, so the holder lets go after at most that. Waiters
// hold NO connection while they wait (they poll with pg_try_advisory_lock), so a crowd of joins for
// one chat cannot drain the pool the holder still needs; and they stop after `timeoutMs` with a
// retryable error (Temporal retries the activity), calling `onWait` (a heartbeat) meanwhile.
import type { Pool, PoolClient } from '../../infra/postgres.js';

/** The claim's key: a namespace of its own (two int4 keys) and the managed chat's id. */
const KEY_SQL = `hashtext('hub:managed-chat-create'), hashtext($1)`;

export interface ClaimWait {
  /** Give up waiting for another holder after this long. */
  timeoutMs: number;
  /** Between two tries. */
  pollMs?: number;
  /** Called at every try that found the claim taken (keeps a waiting activity's heartbeat going). */
  onWait?: () => void;
}

export class ChatClaimBusy extends Error {
  override readonly name = 'ChatClaimBusy';
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Tries once: the connection holding the claim, or undefined (connection back in the pool). */
async function tryClaim(pool: Pool, chatId: string): Promise<PoolClient | undefined> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query(`SELECT pg_try_advisory_lock(${KEY_SQL}) AS held`, [chatId]);
    if ((rows[0] as { held: boolean }).held) return client;
    client.release();
    return undefined;
  } catch (e) {
    client.release(e as Error);
    throw e;
  }
}

/**
 * Runs `work` holding the claim on creating managed chat `chatId`. `work` gets the claim's own
 * connection (autocommit: each statement is committed at once) and should use it for every query, so
 * the holder needs no second connection from the pool.
 */
export async function withChatCreateClaim<T>(
  pool: Pool,
  chatId: string,
  wait: ClaimWait,
  work: (db: PoolClient) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + wait.timeoutMs;
  let client = await tryClaim(pool, chatId);
  while (!client) {
    if (Date.now() >= deadline)
      throw new ChatClaimBusy(`another worker has been creating managed chat ${chatId} for over ${wait.timeoutMs} ms`);
    wait.onWait?.();
    // Jitter, so that waiters do not all try again in the same instant.
    await sleep((wait.pollMs ?? 100) * (0.5 + Math.random()));
    client = await tryClaim(pool, chatId);
  }
  // The connection is held for a while (across a network call): should the server end it meanwhile
  // (restart, failover), the error is the next query's to throw, not an unhandled event that ends
  // the worker process.
  const held = client;
  const ignore = () => undefined;
  held.on('error', ignore);
  try {
    return await work(held);
  } finally {
    try {
      await held.query(`SELECT pg_advisory_unlock(${KEY_SQL})`, [chatId]);
      held.removeListener('error', ignore);
      held.release();
    } catch (e) {
      // The connection is closed instead: the server then releases the claim with the session.
      held.removeListener('error', ignore);
      held.release(e as Error);
    }
  }
}
