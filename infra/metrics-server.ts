// The worker has no HTTP API, yet its counters (sync changes applied, messenger errors) live in its
// own process: this tiny listener serves the process's registry at /metrics for Prometheus.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registry } from './metrics.js';

export interface MetricsServer {
  port: number;
  stop(): Promise<void>;
}

export async function startMetricsServer(port: number, host = '0.0.0.0', token?: string): Promise<MetricsServer> {
  const expected = token ? Buffer.from(`Bearer ${token}`) : undefined;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    const given = Buffer.from(req.headers.authorization ?? '');
    if (expected && (given.length !== expected.length || !timingSafeEqual(given, expected))) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' }).end('unauthorized\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
    },
  };
}
