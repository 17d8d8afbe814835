// R-J1 "my organisation is not listed": the path ends at the education authority, not nowhere.
import { Router } from 'express';
import { writeAudit } from '../../db/repositories/audit.js';
import { enqueueNotification } from '../../db/repositories/notifications.js';
import { findPerson } from '../../db/repositories/people.js';
import { insertSchoolRequest, listSchoolRequests, regionOfSettlement } from '../../db/repositories/school-requests.js';
import { inTransaction } from '../../infra/postgres.js';
import type { ApiDeps } from '../deps.js';
import { principalOf, requireRole } from '../auth.js';
import { message } from '../messages.js';
import { paged } from '../pagination.js';
import { Problem } from '../problem.js';
import { fallbackUnlessOutage } from '../outage.js';
import { page, schoolRequestBody } from '../schemas/joining.js';

export function schoolRequestRoutes({ pool }: ApiDeps): Router {
  const router = Router();

  router.post('/school-requests', requireRole('person'), async (req, res) => {
    const principal = principalOf(req);
    const body = schoolRequestBody.parse(req.body);
    const person = await findPerson(pool, principal.sub).catch(fallbackUnlessOutage(undefined));
    if (!person) throw new Problem(403, 'person-not-found');
    const row = await inTransaction(pool, async (tx) => {
      const r = await insertSchoolRequest(tx, {
        personId: person.id,
        region: body.region ?? (await regionOfSettlement(tx, body.settlement)),
        settlement: body.settlement,
        schoolName: body.schoolName,
        role: body.role,
        className: body.className ?? null,
        comment: body.comment ?? null,
      });
      await enqueueNotification(tx, {
        dedupeKey: `school-request/${r.id}`,
        kind: 'school-request.created',
        recipientKind: 'authority',
        recipientId: r.region ?? 'unknown',
        payload: { requestId: r.id },
      });
      await writeAudit(tx, {
        actor: person.id,
        actorRole: 'person',
        action: 'school-request.created',
        subjectType: 'school_request',
        subjectId: r.id,
        requestId: req.requestId,
      });
      return r;
    });
    res.status(201).json({ ...row, createdAt: row.createdAt.toISOString(), message: message('school-request-sent', req.lang) });
  });

  /** The authority's worklist: an operator sees their own region, support sees all. */
  router.get('/school-requests', requireRole('authority', 'support'), async (req, res) => {
    const principal = principalOf(req);
    const p = page.parse(req.query);
    const region = principal.role === 'authority' ? (principal.region ?? null) : null;
    res.json(paged(await listSchoolRequests(pool, region, p), p));
  });

  return router;
}
