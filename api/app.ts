// The express 5 app: shared middleware, the routes, and one error handler that turns every refusal
// into problem+json. Express 5 forwards rejected promises from async handlers to that handler.
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../infra/logger.js';
import { authenticate } from './auth.js';
import type { ApiDeps } from './deps.js';
import { pickLang } from './messages.js';
import { outageProblem } from './outage.js';
import { Problem, sendProblem } from './problem.js';
import { healthRoutes } from './routes/health.js';
import { inviteRoutes } from './routes/invites.js';
import { devRoutes } from './routes/dev.js';
import { applicationRoutes } from './routes/applications.js';
import { directoryRoutes } from './routes/directory.js';
import { guardianRoutes } from './routes/guardians.js';
import { schoolRequestRoutes } from './routes/school-requests.js';
import { devSignupRoutes } from './routes/dev-signup.js';
import { devInviteRoutes } from './routes/dev-invites.js';
import { signupRoutes } from './routes/signups.js';
import { supportRoutes } from './routes/support.js';
import { supportNoticeRoutes } from './routes/support-notices.js';
import { connectionRoutes } from './routes/connections.js';
import { journalLinkRoutes } from './routes/journal-links.js';
import { journalProofRoutes } from './routes/journal-proofs.js';
import { messengerAccountRoutes } from './routes/messenger-account.js';
import { guard, metricsRoutes, observe, routeIndex, surfaceRoutes } from './surfaces.js';
import { consoleConfigRoutes } from './routes/console-config.js';
import { requestContext } from '../infra/request-context.js';

export type { ApiDeps };

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Off unless configured: believing X-Forwarded-For from anyone would let a client choose the address
  // its per-IP limits count (issue 17 item 4).
  app.set('trust proxy', deps.config.TRUST_PROXY);

  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers['x-request-id'];
    req.requestId = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    req.lang = pickLang(req.headers['accept-language'], deps.config.HUB_DEFAULT_LANG);
    requestContext.run({ requestId: req.requestId }, next);
  });
  app.use(observe(deps));
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const hasBody = req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0';
    const uploads = routeIndex.find(req.method, req.path)?.spec.consumes;
    if (['POST', 'PUT', 'PATCH'].includes(req.method) && hasBody && !req.is('application/json') && !uploads) {
      return next(new Problem(415, 'unsupported-media-type'));
    }
    next();
  });
  app.use(express.json({ limit: '64kb', strict: true }));
  app.use(metricsRoutes(deps));
  app.use(authenticate(deps.tokens, deps.staffTokens));
  app.use(guard(deps));

  app.use(healthRoutes(deps));
  app.use('/v1', inviteRoutes(deps));
  app.use('/v1', directoryRoutes(deps));
  app.use('/v1', applicationRoutes(deps));
  app.use('/v1', schoolRequestRoutes(deps));
  app.use('/v1', guardianRoutes(deps));
  app.use('/v1', signupRoutes(deps));
  app.use('/v1', supportRoutes(deps));
  app.use('/v1', supportNoticeRoutes(deps));
  app.use('/v1', connectionRoutes(deps));
  app.use('/v1', journalLinkRoutes(deps));
  app.use('/v1', messengerAccountRoutes(deps));
  app.use('/v1', journalProofRoutes(deps));
  app.use(consoleConfigRoutes(deps));
  app.use(surfaceRoutes(deps));
  if (deps.config.HUB_DEV_AUTH) app.use('/v1/dev', devRoutes(deps));
  if (deps.config.HUB_DEV_AUTH) app.use('/v1/dev', devSignupRoutes(deps));
  if (deps.config.HUB_DEV_AUTH) app.use('/v1/dev', devInviteRoutes(deps));

  app.use((_req: Request, _res: Response, next: NextFunction) => next(new Problem(404, 'not-found')));
  app.use(errorHandler(deps.logger));
  return app;
}

function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const lang = req.lang ?? 'ru';
    if (err instanceof Problem) return sendProblem(res, err, lang, req.originalUrl);
    if (err instanceof ZodError) {
      // An unknown field is named like any other (strict schemas): one entry per key, its path the key.
      const errors = err.issues.flatMap((i) =>
        i.code === 'unrecognized_keys'
          ? i.keys.map((k) => ({ path: [...i.path, k].join('.'), message: i.message }))
          : [{ path: i.path.join('.'), message: i.message }],
      );
      return sendProblem(res, new Problem(400, 'validation-failed', {}, { errors }), lang, req.originalUrl);
    }
    const e = err as { type?: string; status?: number };
    if (e.type === 'entity.parse.failed') return sendProblem(res, new Problem(400, 'malformed-json'), lang);
    if (e.type === 'entity.too.large') return sendProblem(res, new Problem(413, 'payload-too-large'), lang);
    if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') {
      return sendProblem(res, new Problem(415, 'unsupported-media-type'), lang);
    }
    const outage = outageProblem(err);
    if (outage) {
      logger.warn({ err, requestId: req.requestId, path: req.path, problem: outage.code }, 'dependency unavailable');
      return sendProblem(res, outage, lang, req.originalUrl);
    }
    logger.error({ err, requestId: req.requestId, path: req.path }, 'unhandled error');
    sendProblem(res, new Problem(500, 'internal'), lang);
  };
}
