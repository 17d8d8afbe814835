// Dev stack only (HUB_DEV_AUTH=true): read the one-time codes the outbox kept (HUB_DEV_OUTBOX=true)
// and seed identity accounts, so the whole signup journey can be tried by hand.
import { Router } from 'express';
import { z } from 'zod';
import { readOutbox } from '../../adapters/otp/outbox.js';
import { maskPhone, normaliseEmail, normalisePhone } from '../../domain/contact.js';
import { insertIdentityAccount } from '../../db/repositories/identity-accounts.js';
import type { ApiDeps } from '../deps.js';
import { Problem } from '../problem.js';

const outboxQuery = z.object({ to: z.string().max(254).optional(), limit: z.coerce.number().int().min(1).max(200).default(20) });
const identityBody = z.object({ phone: z.string().max(32), password: z.string().min(8).max(128) }).strict();

export function devSignupRoutes({ pool, config }: ApiDeps): Router {
  const router = Router();

  router.get('/outbox', async (req, res) => {
    const q = outboxQuery.parse(req.query);
    const recipient = q.to === undefined ? undefined : q.to.includes('@') ? normaliseEmail(q.to) : normalisePhone(q.to);
    if (q.to !== undefined && !recipient) throw new Problem(400, 'invalid-phone');
    const rows = await readOutbox(pool, { recipient, limit: q.limit });
    res.json({
      codesKept: config.HUB_DEV_OUTBOX,
      items: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
    });
  });

  router.post('/identity-accounts', async (req, res) => {
    const body = identityBody.parse(req.body);
    const phone = normalisePhone(body.phone);
    if (!phone) throw new Problem(400, 'invalid-phone');
    const account = await insertIdentityAccount(pool, { phone, password: body.password });
    res.status(201).json({ id: account.id, phone: maskPhone(phone) });
  });

  return router;
}
