// Dev stack only (HUB_DEV_AUTH=true), for the authority: the invite links the hub queued for people it could not add
// directly (VK community token, issue 13), until a delivery channel sends them. The walkthrough
// (docs/walkthrough-sferum.md) reads a link here and follows it in the VK API simulator.
import { Router } from 'express';
import { inviteOutbox } from '../../db/repositories/messenger-invites.js';
import type { ApiDeps } from '../deps.js';
import { inviteOutboxQuery } from '../schemas/dev-invites.js';

export function devInviteRoutes({ pool }: ApiDeps): Router {
  const router = Router();
  router.get('/invite-outbox', async (req, res) => {
    const q = inviteOutboxQuery.parse(req.query);
    const rows = await inviteOutbox(pool, q);
    res.json({ items: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), sentAt: r.sentAt?.toISOString() ?? null })) });
  });
  return router;
}
