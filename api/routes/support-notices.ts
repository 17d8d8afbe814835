// Support sees notices the dispatcher could not deliver (issue 14.2): given up with the reason, or
// failing and waiting for another try. Addresses are masked; the console reads the same route.
import { Router } from 'express';
import { noticeText } from '../../notices/texts.js';
import { listFailed } from '../../notices/store.js';
import type { ApiDeps } from '../deps.js';
import { paged } from '../pagination.js';
import { failedNoticesQuery } from '../schemas/notices.js';

/** The reasons the dispatcher records (notices/dispatcher.ts), in words for support. */
const REASONS: Record<string, { ru: string; en: string }> = {
  'recipient-rejected': { ru: 'адрес или номер не принимает сообщения', en: 'the address or number does not accept messages' },
  'gateway-unavailable': { ru: 'сервис отправки недоступен', en: 'the sending service is unavailable' },
  'rate-limited': { ru: 'превышен лимит отправки', en: 'a sending limit was hit' },
  'account-problem': { ru: 'проблема с учётной записью отправки (баланс, ключ, отправитель)', en: 'a problem with the sending account (balance, key, sender)' },
  'channel-unavailable': { ru: 'этот способ отправки недоступен', en: 'this way of sending is unavailable' },
  'no-channel': { ru: 'нет способа связаться: нет почты, телефона или мессенджера, для которых настроена отправка', en: 'no way to reach them with the configured channels' },
  'no-recipient': { ru: 'некому отправить (нет получателей или адреса органа управления)', en: 'nobody to send it to (no recipients or authority address)' },
  interrupted: { ru: 'отправка много раз прерывалась', en: 'sending was interrupted too often' },
};
const reasonTitle = (lastError: string | null, lang: 'ru' | 'en'): string | null => {
  const key = Object.keys(REASONS).find((k) => lastError?.includes(k));
  return key ? REASONS[key]![lang] : null;
};

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
        reasonTitle: reasonTitle(n.lastError, req.lang),
        createdAt: n.createdAt.toISOString(),
        gaveUpAt: n.gaveUpAt?.toISOString() ?? null,
        nextAttemptAt: n.nextAttemptAt?.toISOString() ?? null,
      })),
    });
  });
  return router;
}
