// Shared plumbing of the journal simulators: a real HTTP server on 127.0.0.1 (ephemeral port) and a
// fault plan tests fill on request: 429 with Retry-After, 5xx, slow replies, duplicated rows.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  | { kind: 'slow'; ms: number }
  /** The handler sends its rows twice over (a retried page, an overlapping offset). */
  | { kind: 'duplicate' };

interface PlannedFault { fault: Fault; times: number; path?: RegExp }

export class FaultPlan {
  private readonly planned: PlannedFault[] = [];
  /** The next `times` requests whose path matches get this fault. */
  inject(fault: Fault, opts: { times?: number; path?: RegExp } = {}): void {
    this.planned.push({ fault, times: opts.times ?? 1, path: opts.path });
  }
  clear(): void {
    this.planned.length = 0;
  }
  take(path: string): Fault | undefined {
    const p = this.planned.find((f) => f.times > 0 && (!f.path || f.path.test(path)));
    if (!p) return undefined;
    p.times--;
    if (p.times === 0) this.planned.splice(this.planned.indexOf(p), 1);
    return p.fault;
  }
  get pending(): number {
    return this.planned.reduce((n, p) => n + p.times, 0);
  }
}

export interface SimRequest {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: string;
  /** Set when a `duplicate` fault hit this request: the handler should send rows twice. */
  duplicate: boolean;
}
export interface SimReply {
  status?: number;
  json?: unknown;
  /** A body that is not JSON (an HTML error page); set its content-type in `headers`. */
  text?: string;
  headers?: Record<string, string>;
}
export type SimHandler = (req: SimRequest) => SimReply | Promise<SimReply>;

export interface RunningSim {
  url: string;
  faults: FaultPlan;
  /** Requests served (faulted ones included), for tests that count calls. */
  readonly requests: number;
  /** Requests served to one path (e.g. `/apiv3/getrules`). */
  requestsTo(pathname: string): number;
  close(): Promise<void>;
}

/** Sends rows twice over when the request carries a duplicate fault. */
export function maybeDuplicate<T>(req: SimRequest, rows: T[]): T[] {
  return req.duplicate ? rows.flatMap((r) => [r, r]) : rows;
}

/** `port` 0 (tests) takes any free port; the dev stack asks for a fixed one so stored connections keep working. */
export async function startSim(handler: SimHandler, faults = new FaultPlan(), listenPort = 0): Promise<RunningSim> {
  let requests = 0;
  const byPath = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests++;
    const path = (req.url ?? '/').split('?')[0]!;
    byPath.set(path, (byPath.get(path) ?? 0) + 1);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void serve(req, Buffer.concat(chunks).toString('utf8'), res);
    });
  });
  const serve = async (req: IncomingMessage, body: string, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fault = faults.take(url.pathname);
    try {
      if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.ms));
      if (fault?.kind === 'status') {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
        res.writeHead(fault.status, headers).end(JSON.stringify({ error: `injected ${fault.status}` }));
        return;
      }
      const reply = await handler({ method: req.method ?? 'GET', url, headers: req.headers, body, duplicate: fault?.kind === 'duplicate' });
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
      res.end(reply.text ?? (reply.json === undefined ? '' : JSON.stringify(reply.json)));
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: e instanceof Error ? e.message : 'simulator failure' }));
    }
  };
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    get requests() {
      return requests;
    },
    requestsTo: (pathname) => byPath.get(pathname) ?? 0,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
