// A messenger the project ships: a real HTTP server speaking the VK Teams Bot API chat methods
// (README.md here), in memory, with faults that can be switched on at runtime for tests and for the
// dev stack. Start it with startMessengerSimulator({ port }) or `tsx adapters/messenger/simulator.ts`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ChatNotFound, MessengerStore, type MemberRole, type StoreCounters } from './store.js';
import { seededRandom } from '../../infra/seeded-random.js';

export type ApiMethod = 'createChat' | 'members/add' | 'members/delete' | 'getMembers';
const WRITE_METHODS: ReadonlySet<ApiMethod> = new Set(['createChat', 'members/add', 'members/delete']);

/** Random faults, each a share of API calls (0..1), drawn from a seeded generator. */
export interface FaultConfig {
  rateLimitShare: number;
  /** Retry-After sent with a 429, in seconds (the header's unit). */
  retryAfterSeconds: number;
  serverErrorShare: number;
  /** Never answer: the client's timeout must fire. */
  hangShare: number;
  /** Apply the change, then answer after `lateMs`: the client times out although the change happened. */
  lateShare: number;
  lateMs: number;
  /** Answer correctly after `slowMs`. */
  slowShare: number;
  slowMs: number;
  /** Apply the same request twice (a duplicated delivery). */
  duplicateShare: number;
  /** Only these methods are faulted; empty = all. */
  methods: ApiMethod[];
  seed: number;
}

export type ScriptedFault =
  | { kind: '429'; retryAfterSeconds?: number }
  | { kind: '500' | '502' | '503' }
  | { kind: 'hang' }
  | { kind: 'late'; delayMs?: number }
  | { kind: 'slow'; delayMs?: number }
  | { kind: 'duplicate' };

export const NO_FAULTS: FaultConfig = {
  rateLimitShare: 0,
  retryAfterSeconds: 1,
  serverErrorShare: 0,
  hangShare: 0,
  lateShare: 0,
  lateMs: 2_000,
  slowShare: 0,
  slowMs: 200,
  duplicateShare: 0,
  methods: [],
  seed: 1,
};

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /** Bot token the API accepts. */
  token?: string;
  botUserId?: string;
  pageSize?: number;
  /** A members/add or members/delete with more ids is refused. */
  maxMembersPerCall?: number;
  faults?: Partial<FaultConfig>;
  /**
   * createChat's `idempotencyKey` (our extension) returns the chat made the first time. Default true;
   * false models the real VK Teams Bot API, which has no such parameter: every createChat makes a chat.
   */
  honourIdempotencyKeys?: boolean;
  /**
   * getMembers answers its cursor as a JSON number (the next page's offset), as the Rust client
   * `vkteams-bot` types it, instead of an opaque string. Default false.
   */
  numericCursor?: boolean;
}

export interface CallCounters {
  /** Every API call received, reads included. */
  calls: number;
  /** Write calls received (createChat, members/add, members/delete), faulted ones included. */
  writeCalls: number;
  /** Write calls applied, duplicates counted twice. */
  writesApplied: number;
  byMethod: Record<ApiMethod, number>;
  faults: {
    rateLimited: number;
    serverErrors: number;
    hung: number;
    late: number;
    slow: number;
    duplicated: number;
  };
}

export interface SentMessage {
  chatId: string;
  text: string;
  msgId: string;
}

export interface MessengerSimulator {
  readonly url: string;
  /** Base the HTTP adapter is given: `${url}/bot/v1`. */
  readonly apiBase: string;
  readonly port: number;
  readonly token: string;
  readonly botUserId: string;
  readonly store: MessengerStore;
  setFaults(f: Partial<FaultConfig>): void;
  /** Faults applied, one each, to the next API calls (before random ones). */
  script(...faults: ScriptedFault[]): void;
  /** A teacher adds someone in the messenger app, not via the hub (R-C7). */
  addMembersByHand(chatId: string, userIds: readonly string[]): void;
  removeMembersByHand(chatId: string, userIds: readonly string[]): void;
  counters(): CallCounters & StoreCounters;
  /** Direct messages the bot sent with /messages/sendText (notices, issue 14), oldest first. */
  readonly messages: SentMessage[];
  /** Forget counters, the change log, faults and script; keep chats (a new simulator is a clean slate). */
  resetCounters(): void;
  stop(): Promise<void>;
}


const encodeCursor = (userId: string) => Buffer.from(userId, 'utf8').toString('base64url');
const decodeCursor = (c: string) => Buffer.from(c, 'base64url').toString('utf8');

const wireMember = (userId: string, role: MemberRole) => ({
  userId,
  ...(role === 'creator' ? { creator: true, admin: true } : role === 'admin' ? { admin: true } : {}),
});

class BadParam extends Error {}
/** The bot was demoted by hand: the platform refuses its member changes. */
class NotAdmin extends Error {}

function parseMembers(raw: string | null): string[] {
  if (raw === null) throw new BadParam('Missing required parameter: members');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new BadParam('Invalid parameter: members');
  }
  if (!Array.isArray(parsed)) throw new BadParam('Invalid parameter: members');
  return parsed.map((m: unknown) => {
    const sn = typeof m === 'object' && m !== null ? (m as { sn?: unknown }).sn : undefined;
    if (typeof sn !== 'string' || sn === '') throw new BadParam('Invalid parameter: members');
    return sn;
  });
}

const newCounters = (): CallCounters => ({
  calls: 0,
  writeCalls: 0,
  writesApplied: 0,
  byMethod: { createChat: 0, 'members/add': 0, 'members/delete': 0, getMembers: 0 },
  faults: { rateLimited: 0, serverErrors: 0, hung: 0, late: 0, slow: 0, duplicated: 0 },
});

export async function startMessengerSimulator(opts: SimulatorOptions = {}): Promise<MessengerSimulator> {
  const token = opts.token ?? 'sim-token';
  const botUserId = opts.botUserId ?? 'hub-bot';
  const pageSize = opts.pageSize ?? 50;
  const maxMembers = opts.maxMembersPerCall ?? 100;
  const honourKeys = opts.honourIdempotencyKeys ?? true;
  const store = new MessengerStore(botUserId);
  let faults: FaultConfig = { ...NO_FAULTS, ...opts.faults };
  let random = seededRandom(faults.seed);
  let scripted: ScriptedFault[] = [];
  let counters = newCounters();
  const timers = new Set<NodeJS.Timeout>();

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  function pickFault(method: ApiMethod): ScriptedFault | undefined {
    const next = scripted.shift();
    if (next) return next;
    if (faults.methods.length > 0 && !faults.methods.includes(method)) return undefined;
    const r = random();
    let edge = 0;
    const table: [number, () => ScriptedFault][] = [
      [faults.rateLimitShare, () => ({ kind: '429' })],
      [faults.serverErrorShare, () => ({ kind: '503' })],
      [faults.hangShare, () => ({ kind: 'hang' })],
      [faults.lateShare, () => ({ kind: 'late' })],
      [faults.slowShare, () => ({ kind: 'slow' })],
      [faults.duplicateShare, () => ({ kind: 'duplicate' })],
    ];
    for (const [share, make] of table) {
      edge += share;
      if (r < edge) return make();
    }
    return undefined;
  }

  /** Runs one API method against the store; returns the JSON body (ok:false bodies included). */
  function apply(method: ApiMethod, q: URLSearchParams): Record<string, unknown> {
    if (WRITE_METHODS.has(method)) counters.writesApplied++;
    const chatId = q.get('chatId');
    if (method === 'createChat') {
      const name = q.get('name');
      if (!name) throw new BadParam('Missing required parameter: name');
      const { chatId: sn } = store.createChat(
        name,
        q.get('about') ?? '',
        honourKeys ? (q.get('idempotencyKey') ?? undefined) : undefined,
      );
      return { ok: true, sn };
    }
    if (!chatId) throw new BadParam('Missing required parameter: chatId');
    if (method === 'getMembers') {
      const cursor = q.get('cursor');
      if (opts.numericCursor) {
        const offset = cursor ? Number(cursor) : 0;
        const ids = store.memberIds(chatId);
        const slice = ids.slice(offset, offset + pageSize);
        const body: Record<string, unknown> = {
          ok: true,
          members: slice.map((userId) => wireMember(userId, store.chat(chatId).members.get(userId)!)),
        };
        if (offset + pageSize < ids.length) body.cursor = offset + pageSize;
        return body;
      }
      const { members, more } = store.page(chatId, cursor ? decodeCursor(cursor) : undefined, pageSize);
      const body: Record<string, unknown> = {
        ok: true,
        members: members.map((m) => wireMember(m.userId, m.role)),
      };
      if (more && members.length > 0) body.cursor = encodeCursor(members[members.length - 1]!.userId);
      return body;
    }
    const members = parseMembers(q.get('members'));
    if (members.length > maxMembers) throw new BadParam(`Too many members: at most ${maxMembers} per call`);
    if (!store.botCanManage(chatId)) throw new NotAdmin();
    if (method === 'members/add') store.add(chatId, members);
    else store.remove(chatId, members);
    return { ok: true };
  }

  function handleApi(method: ApiMethod, q: URLSearchParams, res: ServerResponse): void {
    counters.calls++;
    counters.byMethod[method]++;
    if (WRITE_METHODS.has(method)) counters.writeCalls++;
    const run = (): Record<string, unknown> => {
      if (q.get('token') !== token) return { ok: false, description: 'Invalid token' };
      try {
        return apply(method, q);
      } catch (e) {
        if (e instanceof ChatNotFound) return { ok: false, description: 'Chat not found' };
        if (e instanceof BadParam) return { ok: false, description: e.message };
        if (e instanceof NotAdmin) return { ok: false, description: 'Permission denied: the bot is not an admin of this chat' };
        throw e;
      }
    };
    const fault = pickFault(method);
    switch (fault?.kind) {
      case undefined:
        return send(res, 200, run());
      case '429': {
        counters.faults.rateLimited++;
        const secs = fault.retryAfterSeconds ?? faults.retryAfterSeconds;
        return send(
          res,
          429,
          { ok: false, description: 'Rate limit exceeded' },
          { 'retry-after': String(secs) },
        );
      }
      case '500':
      case '502':
      case '503':
        counters.faults.serverErrors++;
        return send(res, Number(fault.kind), { ok: false, description: 'Internal error' });
      case 'hang':
        counters.faults.hung++;
        return; // the socket stays open until the client gives up or the simulator stops
      case 'late': {
        counters.faults.late++;
        const body = run();
        return later(fault.delayMs ?? faults.lateMs, () => send(res, 200, body));
      }
      case 'slow':
        counters.faults.slow++;
        return later(fault.delayMs ?? faults.slowMs, () => send(res, 200, run()));
      case 'duplicate': {
        counters.faults.duplicated++;
        run();
        return send(res, 200, run());
      }
    }
  }

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? JSON.parse(text) : {};
  }

  // Admin door for tests and the dev stack; no token (the simulator binds to 127.0.0.1).
  async function handleAdmin(req: IncomingMessage, path: string, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && path === '/admin/state') return send(res, 200, sim.counters());
    if (req.method === 'GET' && path === '/admin/faults') return send(res, 200, faults);
    if (req.method === 'PUT' && path === '/admin/faults') {
      sim.setFaults((await readJson(req)) as Partial<FaultConfig>);
      return send(res, 200, faults);
    }
    if (req.method === 'POST' && path === '/admin/faults/script') {
      const body = (await readJson(req)) as { faults?: ScriptedFault[] };
      sim.script(...(body.faults ?? []));
      return send(res, 200, { queued: scripted.length });
    }
    if (req.method === 'POST' && path === '/admin/reset') {
      sim.resetCounters();
      return send(res, 200, { ok: true });
    }
    const m = /^\/admin\/chats\/([^/]+)\/members$/.exec(path);
    if (m) {
      const chatId = decodeURIComponent(m[1]!);
      if (!store.chats.has(chatId)) return send(res, 404, { ok: false, description: 'Chat not found' });
      if (req.method === 'GET') return send(res, 200, { members: store.memberIds(chatId) });
      const body = (await readJson(req)) as { userIds?: string[] };
      if (req.method === 'POST') sim.addMembersByHand(chatId, body.userIds ?? []);
      else if (req.method === 'DELETE') sim.removeMembersByHand(chatId, body.userIds ?? []);
      else return send(res, 405, { ok: false });
      return send(res, 200, { members: store.memberIds(chatId) });
    }
    if (req.method === 'GET' && path === '/admin/chats') {
      return send(res, 200, {
        chats: [...store.chats.values()].map((c) => ({
          chatId: c.chatId,
          title: c.title,
          members: c.members.size,
        })),
      });
    }
    return send(res, 404, { ok: false, description: 'Unknown admin path' });
  }

  const API_PREFIX = '/bot/v1/chats/';
  const messages: SentMessage[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname.startsWith('/admin/')) {
      handleAdmin(req, url.pathname, res).catch(() =>
        send(res, 400, { ok: false, description: 'Bad admin request' }),
      );
      return;
    }
    // /messages/sendText (VK Teams Bot API): a direct message to a user id; for notices (issue 14).
    if (url.pathname === '/bot/v1/messages/sendText') {
      const p = url.searchParams;
      if (p.get('token') !== token) return send(res, 401, { ok: false, description: 'Invalid token' });
      const chatId = p.get('chatId');
      const text = p.get('text');
      if (!chatId || !text) return send(res, 200, { ok: false, description: 'Missing required parameter' });
      const msgId = String(6_000_000_000_000 + messages.length + 1);
      messages.push({ chatId, text, msgId });
      return send(res, 200, { ok: true, msgId });
    }
    const method = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) : '';
    if (
      method === 'createChat' ||
      method === 'members/add' ||
      method === 'members/delete' ||
      method === 'getMembers'
    ) {
      // The bot API takes query parameters; a form body is accepted too, as the real one does for POST.
      if (req.method === 'POST') {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
          for (const [k, v] of body) url.searchParams.set(k, v);
          handleApi(method, url.searchParams, res);
        });
        return;
      }
      handleApi(method, url.searchParams, res);
      return;
    }
    send(res, 404, { ok: false, description: 'Unknown method' });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}`;

  const sim: MessengerSimulator = {
    url,
    apiBase: `${url}/bot/v1`,
    port,
    token,
    botUserId,
    store,
    messages,
    setFaults(f) {
      faults = { ...faults, ...f };
      if (f.seed !== undefined) random = seededRandom(f.seed);
    },
    script(...f) {
      scripted.push(...f);
    },
    addMembersByHand(chatId, userIds) {
      store.add(chatId, userIds, 'hand');
    },
    removeMembersByHand(chatId, userIds) {
      store.remove(chatId, userIds, 'hand');
    },
    counters() {
      return {
        ...counters,
        byMethod: { ...counters.byMethod },
        faults: { ...counters.faults },
        ...store.counters(),
      };
    },
    resetCounters() {
      counters = newCounters();
      store.clearLog();
      faults = { ...NO_FAULTS };
      random = seededRandom(faults.seed);
      scripted = [];
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return sim;
}

// CLI: `tsx adapters/messenger/simulator.ts --port 8090` for the dev stack.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8090' },
      host: { type: 'string', default: '127.0.0.1' },
      // Like the real platform: createChat ignores the idempotency key (run the hub with MESSENGER_IDEMPOTENT_CREATE=false).
      'ignore-idempotency-keys': { type: 'boolean', default: false },
    },
  });
  const sim = await startMessengerSimulator({
    port: Number(values.port),
    host: values.host,
    token: process.env.MESSENGER_TOKEN ?? 'sim-token',
    honourIdempotencyKeys: !values['ignore-idempotency-keys'],
  });
  process.stdout.write(`messenger simulator on ${sim.apiBase} (admin: ${sim.url}/admin/state)\n`);
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
