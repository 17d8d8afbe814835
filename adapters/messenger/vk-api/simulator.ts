// A VK API (messages.*) the project ships, built from the same schema table as the adapter
// (schema.ts, proved equal to VKCOM/vk-api-schema by test/contract/vk-api-schema.test.ts): methods,
// token types, parameters and each method's error codes. A community token calling a user-only method
// (messages.addChatUser) is refused with code 27, as the real API refuses it. Per-token request limits
// (3/s user, 20/s community) answer code 6 when exceeded. Faults: codes 6, 9, 5, HTTP 5xx, hangs, late
// and slow answers. Start with startVkApiSimulator({ port }) or `tsx adapters/messenger/vk-api/simulator.ts`.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { seededRandom } from '../../../infra/seeded-random.js';
import { ChatNotFound, MessengerStore, type StoreCounters } from '../store.js';
import { VK_REQUESTS_PER_SECOND } from './rate-limiter.js';
import { CHAT_PEER_OFFSET, decodeParam, VK_API_VERSION, VK_ERRORS as E, VK_METHODS, type VkMethod, type VkTokenType } from './schema.js';

export type VkSimToken = { token: string; type: 'group'; groupId: number } | { token: string; type: 'user'; userId: number };

export type VkScriptedFault =
  | { kind: 'vk-error'; code: number }
  | { kind: '500' | '502' | '503' }
  | { kind: 'hang' }
  | { kind: 'late'; delayMs?: number }
  | { kind: 'slow'; delayMs?: number };

export interface VkFaultConfig {
  /** Share of requests answered with code 6 (too many requests per second). */
  tooManyShare: number;
  /** Share answered with code 9 (flood control). */
  floodShare: number;
  /** Share answered HTTP 503. */
  serverErrorShare: number;
  /** Share never answered. */
  hangShare: number;
  /** Only these methods are faulted; empty = all. */
  methods: string[];
  seed: number;
}

export const NO_VK_FAULTS: VkFaultConfig = {
  tooManyShare: 0,
  floodShare: 0,
  serverErrorShare: 0,
  hangShare: 0,
  methods: [],
  seed: 1,
};

/** One request, or one call inside an `execute`, as the simulator saw and answered it (contract test). */
export interface VkExchange {
  method: string;
  /** Form values as sent; for a call inside `execute`, its JSON arguments. */
  params: Record<string, unknown>;
  tokenType?: VkTokenType;
  inner: boolean;
  /** The whole answer body, or for an inner call `{response}` / `{error}`. */
  body: unknown;
}

export interface VkApiSimulatorOptions {
  port?: number;
  host?: string;
  tokens?: VkSimToken[];
  /** Refuse requests over the per-token limit with code 6 (default true). */
  enforceRateLimits?: boolean;
  requestsPerSecond?: Partial<Record<VkTokenType, number>>;
  faults?: Partial<VkFaultConfig>;
  onExchange?: (x: VkExchange) => void;
}

export interface VkApiSimulator {
  readonly url: string;
  /** The adapter's base: `${url}/method`. */
  readonly apiBase: string;
  readonly store: MessengerStore;
  readonly groupToken: VkSimToken & { type: 'group' };
  readonly userToken: VkSimToken & { type: 'user' };
  /** Member id of the community in its chats: -group_id. */
  readonly communityMemberId: string;
  setFaults(f: Partial<VkFaultConfig>): void;
  /** Applied, one each, to the next requests (before random ones). */
  script(...faults: VkScriptedFault[]): void;
  /** Applied, one each, to the next calls inside an `execute`: that call answers false with this code. */
  scriptInner(...codes: number[]): void;
  /** A person follows the chat's invite link in the app. */
  joinByLink(link: string, userId: string): void;
  /** The current invite link of a chat (as getInviteLink would answer). */
  inviteLinkOf(chatId: string): string;
  /** Adds that VK refuses for this person, with this code (from addChatUser's listed errors). */
  refuseAddsOf(userId: string, code: number): void;
  /** The token is revoked (or restored): requests with it answer 5. */
  revokeToken(token: string, revoked?: boolean): void;
  /** The chat is disabled in VK: writes answer 945. */
  disableChat(chatId: string): void;
  addMembersByHand(chatId: string, userIds: readonly string[]): void;
  counters(): SimCounters & StoreCounters;
  resetCounters(): void;
  stop(): Promise<void>;
}

export interface SimCounters {
  /** HTTP requests received (an execute is one). */
  requests: number;
  /** Method calls, calls inside executes included. */
  byMethod: Record<string, number>;
  /** Error codes answered, by code. */
  errors: Record<string, number>;
  /** Requests refused with code 6 because the token went over its limit (not scripted faults). */
  overLimit: number;
}

const newCounters = (): SimCounters => ({ requests: 0, byMethod: {}, errors: {}, overLimit: 0 });

class VkFail extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const MESSAGES: Record<number, string> = {
  [E.auth]: 'User authorization failed: invalid access_token (4).',
  [E.tooManyPerSecond]: 'Too many requests per second',
  [E.flood]: 'Flood control',
  [E.groupAuth]: 'Group authorization failed: method is unavailable with group auth.',
  [E.param]: 'One of the parameters specified was missing or invalid',
  [E.runtime]: 'Runtime error occurred during code invocation',
  [E.unknownMethod]: 'Unknown method passed',
  [E.chatNoAccess]: "You don't have access to this chat",
  [E.cantSeeInviteLink]: "You can't see invite link for this chat",
  [E.chatNotAdmin]: 'You are not admin of this chat',
  [E.chatNotExist]: 'Chat does not exist',
  [E.userNotInChat]: 'User not found in chat',
  [E.contactNotFound]: 'Contact not found',
  [E.chatDisabled]: 'Chat was disabled',
};
const fail = (code: number, detail?: string): VkFail =>
  new VkFail(code, `${MESSAGES[code] ?? `Error ${code}`}${detail ? `: ${detail}` : ''}`);

/** `return [API.a.b({...}), API.c.d({...})];` — the only VKScript form the hub sends (client.ts). */
export function parseExecuteCode(code: string): Array<{ method: string; args: Record<string, unknown> }> {
  const m = /^\s*return\s*\[([\s\S]*)\]\s*;?\s*$/.exec(code);
  if (!m) throw fail(12, 'only `return [API.method({...}), ...];` is supported by the simulator');
  const calls: Array<{ method: string; args: Record<string, unknown> }> = [];
  const src = m[1]!;
  let i = 0;
  while (i < src.length) {
    const head = /^\s*,?\s*API\.([\w.]+)\(/.exec(src.slice(i));
    if (!head) {
      if (src.slice(i).trim() === '') break;
      throw fail(12, 'unexpected VKScript');
    }
    i += head[0].length;
    // The argument is one JSON object: find its end, minding strings.
    let depth = 0;
    let inString = false;
    const start = i;
    for (; i < src.length; i++) {
      const c = src[i]!;
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
      } else if (c === '"') inString = true;
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) break;
    }
    const args = JSON.parse(src.slice(start, i + 1)) as Record<string, unknown>;
    i++;
    if (src[i] !== ')') throw fail(12, 'unexpected VKScript');
    i++;
    calls.push({ method: head[1]!, args });
  }
  return calls;
}

export async function startVkApiSimulator(opts: VkApiSimulatorOptions = {}): Promise<VkApiSimulator> {
  const tokens = opts.tokens ?? [
    { token: 'sim-group-token', type: 'group', groupId: 1001 },
    { token: 'sim-user-token', type: 'user', userId: 5001 },
  ];
  const groupToken = tokens.find((t) => t.type === 'group') as VkSimToken & { type: 'group' };
  const userToken = tokens.find((t) => t.type === 'user') as VkSimToken & { type: 'user' };
  const actorOf = (t: VkSimToken) => (t.type === 'group' ? String(-t.groupId) : String(t.userId));
  const store = new MessengerStore(groupToken ? actorOf(groupToken) : 'hub-bot', 100_000, (n) => String(n));
  const limits = { ...VK_REQUESTS_PER_SECOND, ...opts.requestsPerSecond };
  const enforce = opts.enforceRateLimits ?? true;
  let faults: VkFaultConfig = { ...NO_VK_FAULTS, ...opts.faults };
  let random = seededRandom(faults.seed);
  let scripted: VkScriptedFault[] = [];
  let scriptedInner: number[] = [];
  let counters = newCounters();
  const recent = new Map<string, number[]>();
  const links = new Map<string, string>();
  const refusals = new Map<string, number>();
  const disabled = new Set<string>();
  const revoked = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();

  const linkOf = (chatId: string, reset = false): string => {
    let l = links.get(chatId);
    if (!l || reset) links.set(chatId, (l = `https://vk.me/join/${randomBytes(12).toString('base64url')}`));
    return l;
  };

  function overLimit(t: VkSimToken): boolean {
    const now = Date.now();
    const stamps = (recent.get(t.token) ?? []).filter((s) => s > now - 1000);
    stamps.push(now);
    recent.set(t.token, stamps);
    return stamps.length > limits[t.type];
  }

  /** Parameters checked against the schema table: required, type, minimum, maximum. */
  function checkParams(method: VkMethod, raw: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const p of VK_METHODS[method].parameters) {
      const v = raw[p.name];
      if (v === undefined || v === '') {
        if ('required' in p && p.required) throw fail(E.param, `${p.name} is a required parameter`);
        continue;
      }
      const value = typeof v === 'string' ? decodeParam(p, v) : v;
      const bad =
        (p.type === 'integer' && !Number.isInteger(value)) ||
        (p.type === 'boolean' && typeof value !== 'boolean') ||
        (p.type === 'array' && !Array.isArray(value)) ||
        ('minimum' in p && typeof value === 'number' && value < p.minimum) ||
        ('maximum' in p && typeof value === 'number' && value > p.maximum);
      if (bad) throw fail(E.param, `${p.name} is invalid`);
      out[p.name] = value;
    }
    return out;
  }

  const chatOf = (chatId: number): string => {
    const id = String(chatId);
    if (!store.chats.has(id)) throw new ChatNotFound(id);
    return id;
  };

  /** One method call as the token's account; returns `response` or throws VkFail. */
  function run(t: VkSimToken, method: string, raw: Record<string, unknown>): unknown {
    if (!Object.hasOwn(VK_METHODS, method) || method === 'execute') throw fail(E.unknownMethod, method);
    const m = method as VkMethod;
    counters.byMethod[m] = (counters.byMethod[m] ?? 0) + 1;
    if (!(VK_METHODS[m].tokenTypes as readonly string[]).includes(t.type)) throw fail(E.groupAuth);
    const p = checkParams(m, raw);
    const actor = actorOf(t);
    if (t.type === 'group' && p.group_id !== undefined && p.group_id !== t.groupId) throw fail(E.param, 'group_id');
    const admin = (chatId: string) => store.botCanManage(chatId, actor);
    switch (m) {
      case 'messages.createChat': {
        if (t.type === 'group' && p.group_id === undefined) throw fail(E.param, 'group_id is required with a community token');
        const { chatId } = store.createChat(String(p.title ?? ''), '', undefined, actor);
        const added = ((p.user_ids as number[] | undefined) ?? []).map(String);
        store.add(chatId, added);
        return { chat_id: Number(chatId), peer_ids: added.map(Number) };
      }
      case 'messages.editChat': {
        let chat: string;
        try {
          chat = chatOf(p.chat_id as number);
        } catch {
          throw fail(E.chatNotAdmin);
        }
        if (disabled.has(chat)) throw fail(E.chatDisabled);
        if (!admin(chat)) throw fail(E.chatNotAdmin);
        store.chat(chat).title = String(p.title ?? '');
        return 1;
      }
      case 'messages.getConversationMembers': {
        let chat: string;
        try {
          chat = chatOf((p.peer_id as number) - CHAT_PEER_OFFSET);
        } catch {
          throw fail(E.chatNotExist);
        }
        if (!store.chat(chat).members.has(actor) || disabled.has(chat)) throw fail(E.chatNoAccess);
        const ids = store.memberIds(chat);
        const offset = (p.offset as number | undefined) ?? 0;
        const count = (p.count as number | undefined) ?? 20;
        const roles = store.chat(chat).members;
        return {
          count: ids.length,
          items: ids.slice(offset, offset + count).map((id) => ({
            member_id: Number(id),
            ...(roles.get(id) === 'creator' ? { is_owner: true, is_admin: true } : roles.get(id) === 'admin' ? { is_admin: true } : {}),
            ...(admin(chat) && roles.get(id) !== 'creator' ? { can_kick: true } : {}),
          })),
        };
      }
      case 'messages.removeChatUser':
      case 'messages.addChatUser': {
        let chat: string;
        try {
          chat = chatOf(p.chat_id as number);
        } catch {
          throw fail(E.chatNotAdmin);
        }
        if (disabled.has(chat)) throw fail(E.chatDisabled);
        if (!admin(chat)) throw fail(E.chatNotAdmin);
        const user = String(p.user_id ?? p.member_id ?? '');
        if (user === '') throw fail(E.param, 'user_id is required');
        if (m === 'messages.removeChatUser') {
          const role = store.chat(chat).members.get(user);
          if (role === undefined) throw fail(E.userNotInChat);
          if (role === 'creator') throw fail(E.chatNotAdmin);
          store.remove(chat, [user]);
          return 1;
        }
        const refusal = refusals.get(user);
        if (refusal !== undefined) throw fail(refusal);
        store.add(chat, [user]);
        return 1;
      }
      case 'messages.getInviteLink': {
        let chat: string;
        try {
          chat = chatOf((p.peer_id as number) - CHAT_PEER_OFFSET);
        } catch {
          throw fail(E.cantSeeInviteLink);
        }
        if (!admin(chat) || disabled.has(chat)) throw fail(E.cantSeeInviteLink);
        return { link: linkOf(chat, p.reset === true) };
      }
    }
    throw fail(E.unknownMethod, method);
  }

  const requestParams = (method: string, params: Record<string, unknown>) => [
    { key: 'method', value: method },
    { key: 'oauth', value: '1' },
    ...Object.entries(params).map(([key, value]) => ({ key, value: String(value) })),
  ];
  const errorBody = (method: string, params: Record<string, unknown>, e: VkFail) => {
    counters.errors[e.code] = (counters.errors[e.code] ?? 0) + 1;
    return { error: { error_code: e.code, error_msg: e.message, request_params: requestParams(method, params) } };
  };

  function answer(t: VkSimToken | undefined, method: string, form: Record<string, string>): unknown {
    if (!t) return errorBody(method, form, fail(E.auth));
    if (enforce && overLimit(t)) {
      counters.overLimit++;
      return errorBody(method, form, fail(E.tooManyPerSecond));
    }
    try {
      if (method !== 'execute') return { response: run(t, method, form) };
      counters.byMethod.execute = (counters.byMethod.execute ?? 0) + 1;
      const calls = parseExecuteCode(form.code ?? '');
      if (calls.length > 25) throw fail(E.runtime, 'too many API calls');
      const response: unknown[] = [];
      const execute_errors: Array<{ method: string; error_code: number; error_msg: string }> = [];
      for (const c of calls) {
        try {
          const injected = scriptedInner.shift();
          if (injected !== undefined) throw fail(injected);
          const r = run(t, c.method, c.args);
          response.push(r);
          opts.onExchange?.({ method: c.method, params: c.args, tokenType: t.type, inner: true, body: { response: r } });
        } catch (e) {
          if (!(e instanceof VkFail)) throw e;
          counters.errors[e.code] = (counters.errors[e.code] ?? 0) + 1;
          response.push(false);
          execute_errors.push({ method: c.method, error_code: e.code, error_msg: e.message });
          opts.onExchange?.({
            method: c.method,
            params: c.args,
            tokenType: t.type,
            inner: true,
            body: { error: { error_code: e.code, error_msg: e.message } },
          });
        }
      }
      return execute_errors.length > 0 ? { response, execute_errors } : { response };
    } catch (e) {
      if (e instanceof VkFail) return errorBody(method, form, e);
      throw e;
    }
  }

  function pickFault(method: string): VkScriptedFault | undefined {
    const next = scripted.shift();
    if (next) return next;
    if (faults.methods.length > 0 && !faults.methods.includes(method)) return undefined;
    const r = random();
    let edge = 0;
    const table: [number, VkScriptedFault][] = [
      [faults.tooManyShare, { kind: 'vk-error', code: E.tooManyPerSecond }],
      [faults.floodShare, { kind: 'vk-error', code: E.flood }],
      [faults.serverErrorShare, { kind: '503' }],
      [faults.hangShare, { kind: 'hang' }],
    ];
    for (const [share, f] of table) if (r < (edge += share)) return f;
    return undefined;
  }

  const send = (res: ServerResponse, status: number, body: unknown) => {
    if (res.writableEnded || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  function handleApi(req: IncomingMessage, method: string, form: Record<string, string>, res: ServerResponse): void {
    counters.requests++;
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const given = bearer ?? form.access_token;
    const token = revoked.has(given ?? '') ? undefined : tokens.find((t) => t.token === given);
    const { access_token: _hidden, ...params } = form;
    const exchange = (body: unknown) =>
      opts.onExchange?.({ method, params, tokenType: token?.type, inner: false, body });
    const reply = (status: number, body: unknown) => {
      if (status === 200) exchange(body);
      send(res, status, body);
    };
    const fault = pickFault(method);
    switch (fault?.kind) {
      case undefined:
        return reply(200, answer(token, method, params));
      case 'vk-error':
        return reply(200, errorBody(method, params, fail(fault.code)));
      case '500':
      case '502':
      case '503':
        return send(res, Number(fault.kind), { error: 'Internal Server Error' });
      case 'hang':
        return;
      case 'late': {
        const body = answer(token, method, params);
        return later(fault.delayMs ?? 2_000, () => reply(200, body));
      }
      case 'slow':
        return later(fault.delayMs ?? 200, () => reply(200, answer(token, method, params)));
    }
  }

  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    void (async () => {
      const text = req.method === 'POST' ? await readBody(req) : '';
      if (url.pathname.startsWith('/admin/')) return handleAdmin(req, url.pathname, text, res);
      const m = /^\/method\/([\w.]+)$/.exec(url.pathname);
      if (!m) return send(res, 404, { error: 'not found' });
      const form: Record<string, string> = Object.fromEntries(url.searchParams);
      for (const [k, v] of new URLSearchParams(text)) form[k] = v;
      if (form.v !== undefined && form.v !== VK_API_VERSION) return send(res, 200, errorBody(m[1]!, form, fail(E.param, 'v')));
      handleApi(req, m[1]!, form, res);
    })().catch(() => send(res, 500, { error: 'simulator failure' }));
  });

  function handleAdmin(req: IncomingMessage, path: string, text: string, res: ServerResponse): void {
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    if (req.method === 'GET' && path === '/admin/state') return send(res, 200, sim.counters());
    if (req.method === 'POST' && path === '/admin/faults/script') {
      sim.script(...((body.faults as VkScriptedFault[]) ?? []));
      return send(res, 200, { queued: scripted.length });
    }
    if (req.method === 'POST' && path === '/admin/join') {
      sim.joinByLink(String(body.link), String(body.userId));
      return send(res, 200, { ok: true });
    }
    if (req.method === 'GET' && path === '/admin/chats')
      return send(res, 200, {
        chats: [...store.chats.values()].map((c) => ({ chatId: c.chatId, title: c.title, members: store.memberIds(c.chatId) })),
      });
    return send(res, 404, { error: 'unknown admin path' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${opts.host ?? '127.0.0.1'}:${port}`;

  const sim: VkApiSimulator = {
    url,
    apiBase: `${url}/method`,
    store,
    groupToken,
    userToken,
    communityMemberId: groupToken ? actorOf(groupToken) : '',
    setFaults(f) {
      faults = { ...faults, ...f };
      if (f.seed !== undefined) random = seededRandom(f.seed);
    },
    script(...f) {
      scripted.push(...f);
    },
    scriptInner(...codes) {
      scriptedInner.push(...codes);
    },
    joinByLink(link, userId) {
      const chat = [...links.entries()].find(([, l]) => l === link)?.[0];
      if (!chat) throw new Error('no chat has this invite link');
      store.add(chat, [userId], 'hand');
    },
    inviteLinkOf: (chatId) => linkOf(chatId),
    refuseAddsOf(userId, code) {
      refusals.set(userId, code);
    },
    revokeToken(token, isRevoked = true) {
      if (isRevoked) revoked.add(token);
      else revoked.delete(token);
    },
    disableChat(chatId) {
      disabled.add(chatId);
    },
    addMembersByHand(chatId, userIds) {
      store.add(chatId, userIds, 'hand');
    },
    counters: () => ({ ...counters, byMethod: { ...counters.byMethod }, errors: { ...counters.errors }, ...store.counters() }),
    resetCounters() {
      counters = newCounters();
      store.clearLog();
      faults = { ...NO_VK_FAULTS };
      random = seededRandom(faults.seed);
      scripted = [];
      scriptedInner = [];
      recent.clear();
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

// CLI: `tsx adapters/messenger/vk-api/simulator.ts --port 8091` for the dev stack.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8091' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  const sim = await startVkApiSimulator({ port: Number(values.port), host: values.host });
  process.stdout.write(`VK API simulator on ${sim.apiBase} (admin: ${sim.url}/admin/state)\n`);
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
