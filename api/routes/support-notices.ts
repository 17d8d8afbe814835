// Support sees notices the dispatcher could not deliver (issue 14.2): given up with the reason, or
// failing and waiting for another try. Addresses are masked; the console reads the same route.
import { Router } from 'express';
import { words, type Lang } from '../../i18n/index.js';
import { noticeText } from '../../notices/texts.js';
import { listFailed } from '../../notices/store.js';
import type { ApiDeps } from '../deps.js';
import { paged } from '../pagination.js';
import { failedNoticesQuery } from '../schemas/notices.js';

/** The reasons the dispatcher records (notices/dispatcher.ts), in words for support (i18n: noticeReasons). */
const reasonTitle = (lastError: string | null, lang: Lang): string | null => {
  const reasons = words(lang).noticeReasons;
  const key = (Object.keys(reasons) as (keyof typeof reasons)[]).find((k) => lastError?.includes(k));
  return key ? reasons[key] : null;
};

const emptyContext = { schoolName: null, settlement: null, className: null, applicantName: null, reason: null, requestSchoolName: null, requestSettlement: null, baseUrl: '' };

export function supportNoticeRoutes({ pool, config }: ApiDeps): Router {
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
        reasonTitle: reasonTitle(n.lastError, req.lang),
        timezone: n.timezone ?? config.SYNC_TIMEZONE,
        createdAt: n.createdAt.toISOString(),
        gaveUpAt: n.gaveUpAt?.toISOString() ?? null,
        nextAttemptAt: n.nextAttemptAt?.toISOString() ?? null,
      })),
    });
  });
  return router;
}
