// The person's messenger account over HTTP (R-M1, R-A5): "Sign in with VK ID" binds their VK user id
// to their profile, at the end of signup or later from the profile; they can see it and unbind it.
// VK ID sends the browser back to the front end's page (VK_ID_REDIRECT_URI), which posts VK ID's query
// here with the person's own token: a sign-in completes only for the person who started it, so a
// link started by someone else and opened by the victim cannot bind the victim's VK account to the
// other person's profile (login CSRF).
import { Router, type Request } from 'express';
import { z } from 'zod';
import { VkIdClient } from '../../adapters/vk-id/client.js';
import { messengerAccountOf } from '../../db/repositories/messenger-accounts.js';
import { findPerson, type Person } from '../../db/repositories/people.js';
import { BindingRefused, completeVkIdBinding, startVkIdBinding, unbindVkId, type VkIdBindingDeps } from '../../identity/vk-id-binding.js';
import type { Config } from '../../infra/config.js';
import type { ApiDeps } from '../deps.js';
import { principalOf } from '../auth.js';
import { message } from '../messages.js';
import { fallbackUnlessOutage } from '../outage.js';
import { Problem } from '../problem.js';
import { startVkIdBody, vkIdCallbackBody } from '../schemas/vk-id.js';
import { BINDING_REFUSAL_STATUS } from '../vk-id-refusals.js';

/** The front end's page VK ID returns to, unless VK_ID_REDIRECT_URI says otherwise. */
export const VK_ID_RETURN_PAGE = '/vk-id/return';

const isUuid = (s: string): boolean => z.uuid().safeParse(s).success;

/** The VK ID client from configuration, or undefined while the app has no VK ID client id. */
export function vkIdFromConfig(config: Config): VkIdClient | undefined {
  if (!config.VK_ID_CLIENT_ID) return undefined;
  return new VkIdClient({
    base: config.VK_ID_BASE,
    clientId: config.VK_ID_CLIENT_ID,
    redirectUri: config.VK_ID_REDIRECT_URI ?? `${config.PUBLIC_BASE_URL.replace(/\/+$/, '')}${VK_ID_RETURN_PAGE}`,
    scope: config.VK_ID_SCOPE,
    timeoutMs: config.VK_ID_TIMEOUT_MS,
  });
}

export function messengerAccountRoutes(deps: ApiDeps): Router {
  const { pool, config } = deps;
  const router = Router();
  const vkId = vkIdFromConfig(config);
  const secret = config.HUB_SIGNUP_SECRET ?? config.HUB_JWT_SECRET;

  const binding = (): VkIdBindingDeps => {
    if (!vkId || !secret) throw new Problem(503, 'vk-id-not-configured');
    return { pool, vkId, secret, stateTtlMs: config.VK_ID_STATE_TTL };
  };

  async function me(req: Request): Promise<Person> {
    const sub = principalOf(req).sub;
    const person = isUuid(sub) ? await findPerson(pool, sub).catch(fallbackUnlessOutage(undefined)) : undefined;
    if (!person) throw new Problem(403, 'person-not-found');
    return person;
  }

  router.get('/me/messenger-account', async (req, res) => {
    const person = await me(req);
    const account = await messengerAccountOf(pool, person.id);
    res.json({
      bound: !!account?.messengerUserId,
      provider: 'vk-id',
      messengerUserId: account?.messengerUserId ?? null,
      boundAt: account?.boundAt?.toISOString() ?? null,
    });
  });

  router.post('/me/messenger-account/vk-id/start', async (req, res) => {
    const body = startVkIdBody.parse(req.body ?? {});
    const person = await me(req);
    const started = await startVkIdBinding(binding(), { personId: person.id, via: body.via });
    res.json({ authorizeUrl: started.authorizeUrl, expiresAt: started.expiresAt.toISOString() });
  });

  router.post('/me/messenger-account/vk-id/callback', async (req, res) => {
    const q = vkIdCallbackBody.parse(req.body);
    const person = await me(req);
    try {
      const r = await completeVkIdBinding(binding(), { personId: person.id, state: q.state, code: q.code, deviceId: q.device_id, error: q.error }, req.requestId);
      res.json({
        status: r.status,
        messengerUserId: r.messengerUserId,
        previousMessengerUserId: r.previousMessengerUserId,
        message: message(r.status === 'rebound' ? 'messenger-account-rebound' : 'messenger-account-bound', req.lang),
      });
    } catch (e) {
      if (!(e instanceof BindingRefused)) throw e;
      const headers: Record<string, string> = e.retryAfterSeconds ? { 'Retry-After': String(e.retryAfterSeconds) } : {};
      throw new Problem(BINDING_REFUSAL_STATUS[e.code], e.code, { seconds: e.retryAfterSeconds ?? 5 }, {}, headers);
    }
  });

  router.delete('/me/messenger-account', async (req, res) => {
    const person = await me(req);
    const previous = await unbindVkId(pool, { personId: person.id, requestId: req.requestId });
    if (!previous) throw new Problem(404, 'messenger-account-not-bound');
    res.json({ status: 'unbound', previousMessengerUserId: previous, message: message('messenger-account-unbound', req.lang) });
  });

  return router;
}
