// Issue 17 item 4: who the client is, for per-IP limits. By default (TRUST_PROXY unset) the socket's
// address counts and X-Forwarded-For is ignored, so a client cannot pick its own address. Behind a
// load balancer (here a real forwarding proxy on loopback that appends the connecting address, as
// nginx's $proxy_add_x_forwarded_for does) TRUST_PROXY=1 counts each client apart, and what a client
// writes into X-Forwarded-For itself still does not move it. Clients connect from distinct loopback
// addresses (127.0.0.2, 127.0.0.3), so each has a real address of its own.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool }));
const PREVIEW = `/v1/invites/${'T'.repeat(43)}`;
const direct = useTestApi(db, temporal, { RATE_LIMIT_PREVIEW_PER_IP: '3/60' });
const behindProxy = useTestApi(db, temporal, { RATE_LIMIT_PREVIEW_PER_IP: '3/60', TRUST_PROXY: '1' });

let proxy: Server;
let proxyUrl: string;
beforeAll(async () => {
  const upstream = new URL(behindProxy.baseUrl);
  proxy = createServer((req, res) => {
    const seen = req.headers['x-forwarded-for'];
    const forwardedFor = seen ? `${String(seen)}, ${req.socket.remoteAddress}` : req.socket.remoteAddress;
    const up = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, 'x-forwarded-for': forwardedFor } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
});

/** A client on its own loopback address (node:http binds the socket to it). */
function clientAt(localAddress: string) {
  return (url: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; type: string | undefined }>((resolve, reject) => {
      const req = request(url, { localAddress, headers, agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: (JSON.parse(body) as { type?: string }).type }));
      });
      req.on('error', reject);
      req.end();
    });
}

describe('issue 17 item 4: proxies and per-IP limits', () => {
  it('by default X-Forwarded-For is not believed: a client naming a new address each time still meets its limit', async () => {
    const client = clientAt('127.0.0.4');
    for (let i = 1; i <= 3; i++) expect((await client(direct.baseUrl + PREVIEW, { 'x-forwarded-for': `203.0.113.${i}` })).status).toBe(404);
    expect(await client(direct.baseUrl + PREVIEW, { 'x-forwarded-for': '203.0.113.99' })).toEqual({ status: 429, type: '/problems/rate-limited' });
    // Its neighbour on another address is its own client.
    expect((await clientAt('127.0.0.5')(direct.baseUrl + PREVIEW)).status).toBe(404);
  });

  it('TRUST_PROXY=1 behind a forwarding proxy: each client has its own limit, and a forged X-Forwarded-For does not escape it', async () => {
    const a = clientAt('127.0.0.2');
    const b = clientAt('127.0.0.3');
    for (let i = 1; i <= 3; i++) expect((await a(proxyUrl + PREVIEW, { 'x-forwarded-for': `198.51.100.${i}` })).status).toBe(404);
    expect(await a(proxyUrl + PREVIEW, { 'x-forwarded-for': '198.51.100.200' })).toEqual({ status: 429, type: '/problems/rate-limited' });
    // Without the setting the proxy's own address would count, and b would be refused with a.
    for (let i = 1; i <= 3; i++) expect((await b(proxyUrl + PREVIEW)).status).toBe(404);
    expect((await b(proxyUrl + PREVIEW)).status).toBe(429);
  });

  it('TRUST_PROXY=true is refused at start: it would believe any client about its own address', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: true would believe any client/);
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback' }).TRUST_PROXY).toEqual(['10.0.0.0/8', 'loopback']);
  });
});
