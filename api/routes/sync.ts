// Reconciliation runs over HTTP (authority operators): start one, read its report, confirm or
// discard one the mass-change guard stopped. Thin: the use cases live in roster/start-sync.ts.
import { Router } from 'express';
import { z } from 'zod';
import { findConnection } from '../../db/repositories/connections.js';
import { syncRunReport } from '../../db/repositories/sync-runs.js';
import { SyncRefused, decideRun, startSync } from '../../roster/start-sync.js';
import type { ApiDeps } from '../app.js';
import { principalOf, requireRole } from '../auth.js';
import { Problem } from '../problem.js';
import { isGone, refusalOf } from '../temporal-errors.js';

const idParams = z.object({ id: z.string().uuid() });
const startBody = z.object({
  schoolExternalId: z.string().min(1).max(200).optional(),
  personId: z.string().uuid().optional(),
  dryRun: z.boolean().default(false),
});
const decisionBody = z.object({ reason: z.string().max(500).optional() }).default({});

export function syncRoutes(deps: ApiDeps): Router {
  const { pool, temporal, config } = deps;
  const router = Router();
  const authority = requireRole('authority');
  const mayUse = async (principal: { region?: string | undefined }, connectionId: string) => {
    const c = await findConnection(pool, connectionId);
    if (!c || (principal.region && c.region && c.region !== principal.region)) throw new Problem(404, 'connection-not-found');
    return c;
  };

  router.post('/connections/:id/sync', authority, async (req, res) => {
    const { id } = idParams.parse(req.params);
    const body = startBody.parse(req.body ?? {});
    const principal = principalOf(req);
    await mayUse(principal, id);
    try {
      const { workflowId } = await startSync(
        { pool, temporal, config, taskQueue: deps.taskQueues.roster },
        { connectionId: id, dryRun: body.dryRun, requestedBy: principal.sub, ...(body.schoolExternalId ? { schoolExternalId: body.schoolExternalId } : {}), ...(body.personId ? { personId: body.personId } : {}) },
      );
      res.status(202).json({ workflowId, status: 'running' });
    } catch (e) {
      if (e instanceof SyncRefused) throw new Problem(e.code === 'connection-not-found' ? 404 : 409, e.code);
      throw e;
    }
  });

  router.get('/sync-runs/:id', authority, async (req, res) => {
    const { id } = idParams.parse(req.params);
    const report = await syncRunReport(pool, id);
    if (!report) throw new Problem(404, 'sync-run-not-found');
    await mayUse(principalOf(req), report.run.connectionId).catch(() => {
      throw new Problem(404, 'sync-run-not-found');
    });
    res.json(report);
  });

  for (const decision of ['confirm', 'discard'] as const) {
    router.post(`/sync-runs/:id/${decision}`, authority, async (req, res) => {
      const { id } = idParams.parse(req.params);
      const { reason } = decisionBody.parse(req.body ?? {});
      const report = await syncRunReport(pool, id);
      if (!report) throw new Problem(404, 'sync-run-not-found');
      const principal = principalOf(req);
      await mayUse(principal, report.run.connectionId);
      if (report.run.status !== 'awaiting-confirmation') throw new Problem(409, 'run-not-awaiting-confirmation');
      try {
        res.json(await decideRun(temporal, report.run.workflowId, decision, principal.sub, reason));
      } catch (e) {
        if (refusalOf(e) === 'run-not-awaiting-confirmation' || isGone(e)) throw new Problem(409, 'run-not-awaiting-confirmation');
        throw e;
      }
    });
  }
  return router;
}
