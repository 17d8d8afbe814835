// Every route of the app, tried with every role it does not admit (403), without a token (401), and
// for school-scoped routes with a school admin of another school (403). The list of routes comes
// from the express app itself, so a route added without an entry in api/route-table.ts fails here.
import type { Express } from 'express';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { ROLES, tokenService, type Principal, type Role } from '../../api/auth.js';
import { routeTable } from '../../api/route-table.js';
import { loadConfig } from '../../infra/config.js';
import { createLogger } from '../../infra/logger.js';
import { TEST_JWT_SECRET, useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { seedSchool, type SchoolWithClasses } from '../helpers/seed.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool }));
const api = useTestApi(db, temporal, { HUB_DEV_AUTH: 'true' });

interface Layer {
  rawPath?: string | RegExp;
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** Walks express 5's router: mounted routers (app.use('/v1', router)) and their routes. */
function routesOf(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') out.push(`${method} ${prefix}${layer.route.path}`);
      } else if (layer.handle.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out.sort();
}

const concrete = (path: string): string =>
  path
    .replace(':workflowId', encodeURIComponent('invite/0000'))
    .replace(/:(schoolId|id|inviteId|classId|connectionId|runId)/g, '00000000-0000-4000-8000-000000000000')
    .replace(/:\w+/g, 'x');

let s: SchoolWithClasses;
let other: SchoolWithClasses;
beforeAll(async () => {
  s = await seedSchool(db.pool, { name: 'Школа А' });
  other = await seedSchool(db.pool, { name: 'Школа Б' });
});

function principalFor(role: Role): Principal {
  switch (role) {
    case 'school_admin':
      return s.admin;
    case 'class_teacher':
      return s.teacherOf('1А');
    case 'authority':
      return { sub: 'authority-1', role, schools: [], classes: [], region: '16' };
    default:
      return { sub: `${role}-1`, role, schools: [], classes: [] };
  }
}

describe('access control over every route', () => {
  it('the express app has exactly the routes of the route table (a new route must declare who may call it)', () => {
    const app = createApp({
      config: loadConfig({ HUB_JWT_SECRET: TEST_JWT_SECRET, HUB_DEV_AUTH: 'true', LOG_LEVEL: 'silent' }),
      pool: db.pool,
      temporal: temporal.client,
      tokens: tokenService(TEST_JWT_SECRET),
      logger: createLogger('silent'),
      taskQueues: { registration: temporal.taskQueue, roster: temporal.taskQueue },
    });
    const declared = routeTable.map((r) => `${r.method} ${r.path}`).sort();
    expect(routesOf(app)).toEqual(declared);
  });

  const guarded = routeTable.filter((r) => r.access !== 'public');
  it.each(guarded.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))('%s: 401 without a token, 403 for every other role', async (_name, r) => {
    const path = concrete(r.path.replace(':schoolId', s.school.id));
    const method = r.method.toUpperCase();
    const body = method === 'GET' ? undefined : {};
    const anonymous = await api.call(method, path, { body });
    expect(anonymous.status, `${method} ${path} without token`).toBe(401);
    expect(anonymous.body.type).toBe('/problems/unauthenticated');
    const allowed = r.access as readonly Role[];
    for (const role of ROLES.filter((x) => !allowed.includes(x))) {
      const res = await api.call(method, path, { as: principalFor(role), body });
      expect(res.status, `${method} ${path} as ${role}`).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    if (r.scope === 'school') {
      for (const foreign of [other.admin, other.teacherOf('1А')].filter((p) => allowed.includes(p.role))) {
        const res = await api.call(method, path, { as: foreign, body });
        expect(res.status, `${method} ${path} as ${foreign.role} of another school`).toBe(403);
      }
    }
  });

  it('a forged or expired token is 401 even on a public route', async () => {
    const forged = await api.call('GET', '/v1/directory/settlements', { headers: { authorization: 'Bearer not.a.jwt' } });
    expect(forged.status).toBe(401);
  });

  it('public routes are the intended ones and nothing else', () => {
    const publicRoutes = routeTable.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.path}`);
    for (const p of publicRoutes) expect(p).toMatch(/^(get \/(healthz|readyz|metrics|openapi\.json|docs|console\/config\.json|console\/i18n\/:file)|get \/v1\/directory|get \/v1\/invites\/:token|post \/v1\/invites\/:token\/decline|get \/v1\/parent-links\/:token|post \/v1\/dev\/token|get \/v1\/dev\/outbox|post \/v1\/dev\/identity-accounts|(get|post) \/v1\/signups)/);
  });
});
