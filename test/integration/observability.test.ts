// /metrics (prom-client), /openapi.json and /docs, request logs with personal data redacted, and the
// request id carried from the HTTP request into the workflow's and the activity's headers.
import { Writable } from 'node:stream';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { tokenService } from '../../api/auth.js';
import { routeTable } from '../../api/route-table.js';
import { loadConfig } from '../../infra/config.js';
import { redactPaths } from '../../infra/logger.js';
import { requestIdFrom } from '../../infra/temporal-interceptors.js';
import { inviteWorkflowId } from '../../workflows/definitions.js';
import { hashToken } from '../../infra/tokens.js';
import { TEST_JWT_SECRET, useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { seedSchool, type SchoolWithClasses } from '../helpers/seed.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool }));
const api = useTestApi(db, temporal);

let s: SchoolWithClasses;
const lines: Record<string, unknown>[] = [];
/** The same lines as written: JSON.parse would hide a key written twice. */
const rawLines: string[] = [];
let logged: { baseUrl: string; server: Server };
beforeAll(async () => {
  s = await seedSchool(db.pool);
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) {
        rawLines.push(l);
        lines.push(JSON.parse(l) as Record<string, unknown>);
      }
      cb();
    },
  });
  const logger = pino({ level: 'info', redact: { paths: redactPaths, censor: '[скрыто]' } }, sink);
  const app = createApp({
    config: loadConfig({ HUB_JWT_SECRET: TEST_JWT_SECRET }),
    pool: db.pool,
    temporal: temporal.client,
    tokens: tokenService(TEST_JWT_SECRET),
    logger,
    taskQueues: { registration: temporal.taskQueue, roster: temporal.taskQueue },
  });
  const server = await new Promise<Server>((resolve) => {
    const srv = app.listen(0, '127.0.0.1', () => resolve(srv));
  });
  logged = { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
});
afterAll(async () => {
  await new Promise((r) => logged?.server.close(r));
});

describe('observability', () => {
  it('request logs carry the X-Request-Id and never the link token or the bearer token', async () => {
    const token = 'Z'.repeat(43);
    const bearer = await api.tokens.sign(s.admin);
    await fetch(`${logged.baseUrl}/v1/invites/${token}`, { headers: { 'x-request-id': 'req-log-1', authorization: `Bearer ${bearer}` } });
    await new Promise((r) => setTimeout(r, 50));
    const line = lines.find((l) => (l.req as { id?: string } | undefined)?.id === 'req-log-1');
    expect(line).toBeDefined();
    expect(line).toMatchObject({ route: '/v1/invites/:token', role: 'school_admin', res: { statusCode: 404 } });
    // Each key once in the completion line (log shippers disagree on which of two equal keys wins).
    const raw = rawLines.find((l) => l.includes('"req-log-1"') && l.includes('"res"'))!;
    for (const key of ['route', 'role', 'reqId']) expect(raw.split(`"${key}":`).length - 1, key).toBe(1);
    const all = JSON.stringify(lines);
    expect(all).not.toContain(token);
    expect(all).not.toContain(bearer);
  });

  it('the request id travels from the API into the workflow and the activities it schedules', async () => {
    const created = await fetch(`${api.baseUrl}/v1/schools/${s.school.id}/invites`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-trace-42', authorization: `Bearer ${await api.tokens.sign(s.admin)}` },
      body: JSON.stringify({ role: 'teacher' }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-request-id')).toBe('req-trace-42');
    const { id, token } = (await created.json()) as { id: string; token: string };
    await fetch(`${api.baseUrl}/v1/schools/${s.school.id}/invites/${id}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-revoke-43', authorization: `Bearer ${await api.tokens.sign(s.admin)}` },
      body: '{}',
    });
    const history = await temporal.client.workflow.getHandle(inviteWorkflowId(hashToken(token))).fetchHistory();
    const started = history.events!.find((e) => e.workflowExecutionStartedEventAttributes)!;
    expect(requestIdFrom(started.workflowExecutionStartedEventAttributes!.header!.fields as never)).toBe('req-trace-42');
    const activity = history.events!.find((e) => e.activityTaskScheduledEventAttributes)!;
    expect(requestIdFrom(activity.activityTaskScheduledEventAttributes!.header!.fields as never)).toBe('req-revoke-43');
  });

  it('/metrics exposes HTTP latency by route (not by raw URL) and journeys by kind', async () => {
    await api.call('GET', `/v1/invites/${'Q'.repeat(43)}`);
    const res = await fetch(`${api.baseUrl}/metrics`);
    const text = await res.text();
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(text).toMatch(/hub_http_request_duration_seconds_bucket\{[^}]*route="\/v1\/invites\/:token"/);
    expect(text).not.toContain('Q'.repeat(43));
    expect(text).toMatch(/hub_journeys_started\{kind="invite"\} [1-9]/);
    expect(text).toContain('hub_journeys_stuck{kind="application"}');
    expect(text).toContain('# TYPE hub_sync_changes_applied_total counter');
    expect(text).toContain('# TYPE hub_messenger_errors_total counter');
  });

  it('/openapi.json is OpenAPI 3.1 generated from the zod schemas, one operation per route; /docs works offline', async () => {
    const doc = (await api.call('GET', '/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.values(doc.paths as Record<string, object>).flatMap((p) => Object.keys(p));
    expect(ops.length).toBe(routeTable.filter((r) => !r.devOnly).length);
    const create = doc.paths['/v1/schools/{schoolId}/invites'].post;
    expect(create.requestBody.content['application/json'].schema.properties.role.enum).toEqual(['student', 'teacher']);
    expect(create['x-hub-access']).toEqual(['authority', 'school_admin', 'class_teacher']);
    expect(create.parameters[0]).toMatchObject({ name: 'schoolId', in: 'path', required: true });
    const stuck = doc.paths['/v1/support/registrations/stuck'].get;
    expect(stuck.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['journey', 'stage', 'school', 'waitingOn', 'minAgeMinutes']));
    expect(doc.paths['/v1/invites/{token}'].get.responses['429']).toBeDefined();
    const docs = await fetch(`${api.baseUrl}/docs`);
    const html = await docs.text();
    expect(html).toContain('/v1/support/registrations/stuck');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="https?:/);
  });
});

describe('issue 17 item 7: /metrics behind METRICS_TOKEN', () => {
  const guarded = useTestApi(db, temporal, { METRICS_TOKEN: 'scrape-token-0123456789' });
  it('refuses a scrape without the token (problem+json 401) and serves one with it', async () => {
    const bare = await fetch(`${guarded.baseUrl}/metrics`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('content-type')).toMatch(/problem\+json/);
    const ok = await fetch(`${guarded.baseUrl}/metrics`, { headers: { authorization: 'Bearer scrape-token-0123456789' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('hub_http_request_duration_seconds');
  });
});
