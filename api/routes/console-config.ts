// What the console needs to sign staff in (issue 17 item 1): the OpenID provider and its public
// client (nothing secret: a public client has none, and PKCE stands in for it), and, once signed in,
// who the token stands for as the hub reads it (a provider's token says `hub-support`, not `support`).
import { Router } from 'express';
import type { ApiDeps } from '../deps.js';
import { principalOf } from '../auth.js';

export function consoleConfigRoutes({ config }: ApiDeps): Router {
  const router = Router();
  const body = {
    oidc:
      config.OIDC_ISSUER && config.OIDC_CLIENT_ID
        ? { issuer: config.OIDC_ISSUER, clientId: config.OIDC_CLIENT_ID, scope: config.OIDC_SCOPES, ...(config.OIDC_RESOURCE ? { resource: config.OIDC_RESOURCE } : {}) }
        : null,
    devTokens: config.HUB_DEV_AUTH,
  };
  router.get('/console/config.json', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  });
  router.get('/v1/session', (req, res) => {
    const { sub, role, name, region, schools, classes } = principalOf(req);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ sub, role, ...(name ? { name } : {}), ...(region ? { region } : {}), schools, classes });
  });
  return router;
}
