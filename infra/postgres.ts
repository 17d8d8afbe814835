import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** A pool whose connections use `schema` first on their search path (tests get a schema each). */
export function createPool(connectionString: string, schema?: string, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    ...(schema ? { options: `-c search_path=${schema},public` } : {}),
  });
  // An idle connection dropped by the server (restart, shutdown) must not crash the process;
  // the next query reconnects, and /readyz reports the database while it is away.
  pool.on('error', () => undefined);
  // A checked-out connection the server drops between two queries (a transaction waiting on another
  // call, a held advisory lock) emits 'error' on the client itself, not on the pool: without a listener
  // that is an uncaught exception. Its next query fails instead, and the caller sees that.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** Runs `work` in one transaction: all of it is written, or nothing. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;
