// Support sees notices the dispatcher could not deliver (issue 14.2): given up with the reason, or
// failing and waiting for another try. Addresses are masked; the console reads the same route.
import { Router } from 'express';
import { noticeText } from '../../notices/texts.js';
import { listFailed } from '../../notices/store.js';
import type { ApiDeps } from '../app.js';
import { paged } from '../pagination.js';
import { failedNoticesQuery } from '../schemas/notices.js';

const emptyContext = { schoolName: null, settlement: null, className: null, applicantName: null, reason: null, requestSchoolName: null, requestSettlement: null, baseUrl: '' };

export function supportNoticeRoutes({ pool }: ApiDeps): Router {
  const router = Router();
  router.get('/support/notices', async (req, res) => {
    const q = failedNoticesQuery.parse(req.query);
    const rows = await listFailed(pool, q.state, q);
    const page = paged(rows, q);
    res.json({
      ...page,
      items: page.items.map((n) => ({
        ...n,
        title: noticeText(n.kind, req.lang, emptyContext)?.subject ?? n.kind,
        createdAt: n.createdAt.toISOString(),
        gaveUpAt: n.gaveUpAt?.toISOString() ?? null,
        nextAttemptAt: n.nextAttemptAt?.toISOString() ?? null,
      })),
    });
  });
  return router;
}
