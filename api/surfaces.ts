// Cross-cutting surfaces of the app: request logs (pino-http), HTTP latency metrics, the access
// table and rate limits, and the non-API pages (/metrics, /openapi.json, /docs, /console/).
import { timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { pinoHttp } from 'pino-http';
import { httpDuration, registry } from '../infra/metrics.js';
import { consoleWords } from './console-words.js';
import { journeyGauges } from './journey-gauges.js';
import { Problem } from './problem.js';
import { projectRoot } from '../infra/paths.js';
import { enforceAccess, indexRoutes } from './access.js';
import type { ApiDeps } from './deps.js';
import { docsPage, openApiDocument } from './openapi.js';
import { rateLimits } from './rate-limit.js';
import { routeTable } from './route-table.js';

export const consoleDir = join(projectRoot, 'console', 'static');

/** Paths carry link tokens (invites, parent links): logs get the shape, never the token. */
export function redactUrl(url: string): string {
  return url
    .replace(/\/(invites|parent-links|signups)\/[^/?#]+/g, '/$1/[скрыто]')
    .replace(/([?&](?:invite|token|phone|email|code)=)[^&#]*/gi, '$1[скрыто]');
}

/** Request logs and latency, registered first so they see every request, refused ones included. */
export function observe(deps: ApiDeps) {
  const http = pinoHttp({
    logger: deps.logger,
    genReqId: (req) => (req as Request).requestId,
    quietReqLogger: true,
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // pino-http asks at the start (route and role not known yet) and again for the completion line;
    // answering only then keeps each key once in that line.
    customProps: (req, res) =>
      res.headersSent ? { route: (req as Request).routeSpec?.path ?? null, role: (req as Request).principal?.role ?? null } : {},
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
  });
  return [
    http,
    (req: Request, res: Response, next: NextFunction) => {
      const end = httpDuration.startTimer();
      res.on('finish', () => {
        const route = req.routeSpec?.path ?? (res.statusCode === 404 ? 'unmatched' : req.path.startsWith('/console') ? '/console' : 'other');
        end({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    },
  ];
}

export const routeIndex = indexRoutes(routeTable);

/** After authentication: who may call the matched route, then its rate limit. */
export function guard(deps: ApiDeps) {
  return [enforceAccess(routeIndex), rateLimits(deps.pool, deps.config)];
}

export function surfaceRoutes(deps: ApiDeps): Router {
  const router = Router();
  const doc = openApiDocument(
    routeTable.filter((r) => !r.devOnly || deps.config.HUB_DEV_AUTH),
    '0.1.0',
  );
  const pages = { ru: docsPage(doc, 'ru'), en: docsPage(doc, 'en') };

  router.get('/openapi.json', (_req, res) => {
    res.json(doc);
  });
  router.get('/docs', (req, res) => {
    res.type('html').send(pages[req.lang ?? 'ru']);
  });
  router.get('/console/i18n/:file', consoleWords);
  router.use('/console', express.static(consoleDir, { index: 'index.html', fallthrough: true, maxAge: '5m' }));
  return router;
}

/**
 * GET /metrics, mounted before authentication: its bearer token is METRICS_TOKEN, not a person's JWT.
 * Journey gauges read Temporal visibility, cached between scrapes (api/journey-gauges.ts).
 */
export function metricsRoutes(deps: ApiDeps): Router {
  const router = Router();
  journeyGauges(deps.temporal);
  // Metrics say how many journeys run and where they wait: scrapers present METRICS_TOKEN when it is set
  // (compared in constant time), so the endpoint is not public in production.
  const metricsToken = deps.config.METRICS_TOKEN ? Buffer.from(`Bearer ${deps.config.METRICS_TOKEN}`) : undefined;
  router.get('/metrics', async (req, res) => {
    if (metricsToken) {
      const given = Buffer.from(req.headers.authorization ?? '');
      if (given.length !== metricsToken.length || !timingSafeEqual(given, metricsToken)) throw new Problem(401, 'unauthenticated');
    }
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}
