// What the console needs to sign staff in (issue 17 item 1): the OpenID provider and its public
// client. Nothing secret: a public client has none, and PKCE stands in for it.
import { Router } from 'express';
import type { ApiDeps } from '../deps.js';

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
  return router;
}
