import { Router } from 'express';
import type { ApiDeps } from '../deps.js';
import { Problem } from '../problem.js';

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

export function healthRoutes({ pool, temporal }: ApiDeps): Router {
  const router = Router();

  /** Liveness: the process answers. */
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  /** Readiness: PostgreSQL and Temporal both answer; otherwise 503 naming which one did not. */
  router.get('/readyz', async (_req, res) => {
    const [postgres, temporalOk] = await Promise.all([
      withTimeout(pool.query('SELECT 1'), 2000).then(
        () => true,
        () => false,
      ),
      withTimeout(temporal.connection.workflowService.getSystemInfo({}), 2000).then(
        () => true,
        () => false,
      ),
    ]);
    const checks = { postgres: postgres ? 'ok' : 'down', temporal: temporalOk ? 'ok' : 'down' };
    if (postgres && temporalOk) {
      res.json({ status: 'ready', checks });
      return;
    }
    const failed = Object.entries(checks)
      .filter(([, v]) => v === 'down')
      .map(([k]) => k);
    throw new Problem(503, 'not-ready', { failed: failed.join(', ') }, { checks, failed }, { 'Retry-After': '5' });
  });

  return router;
}
