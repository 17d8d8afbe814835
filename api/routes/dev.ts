// Dev stack only (HUB_DEV_AUTH=true): issues bearer tokens so the API can be tried by hand.
import { Router } from 'express';
import { z } from 'zod';
import type { ApiDeps } from '../deps.js';
import { ROLES } from '../auth.js';

const body = z
  .object({
    sub: z.string().min(1).default('dev-user'),
    role: z.enum(ROLES),
    schools: z.array(z.uuid()).default([]),
    classes: z.array(z.uuid()).default([]),
    region: z.string().optional(),
  })
  .strict();

export function devRoutes({ tokens }: ApiDeps): Router {
  const router = Router();
  router.post('/token', async (req, res) => {
    const principal = body.parse(req.body);
    res.json({ token: await tokens.sign(principal), principal });
  });
  return router;
}
