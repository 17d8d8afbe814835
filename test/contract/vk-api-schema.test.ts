// Issue 13 item 2: the VK API adapter and its simulator are held to the public VK API JSON schema
// (VKCOM/vk-api-schema 5.199, test/fixtures/vk-api-schema, MIT), so they cannot agree on a shape the real
// API does not have. Every request the adapter sends (and every call inside an `execute`) is validated
// against its method's parameters and token types; every answer the simulator gives against the method's
// response definitions, or, for an error, against base_error with a code the method (or errors.json as
// global) lists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectMembers, MessengerError } from '../../adapters/messenger/port.js';
import { RequestLimiter } from '../../adapters/messenger/vk-api/rate-limiter.js';
import { VkApiMessenger } from '../../adapters/messenger/vk-api/messenger.js';
import { VK_METHODS, type VkTokenType } from '../../adapters/messenger/vk-api/schema.js';
import { startVkApiSimulator, type VkApiSimulator, type VkExchange } from '../../adapters/messenger/vk-api/simulator.js';
import { errorCode, loadVkSchema, refFromMethods, type VkSchema } from '../helpers/vk-api-schema.js';

let schema: VkSchema;
let sim: VkApiSimulator;
const exchanges: VkExchange[] = [];

beforeAll(async () => {
  schema = loadVkSchema();
  sim = await startVkApiSimulator({ onExchange: (x) => exchanges.push(x) });
});
afterAll(async () => {
  await sim.stop();
});

const methodOf = (name: string) => {
  const m = schema.methods.find((x) => x.name === name);
  if (!m) throw new Error(`the schema has no method ${name}`);
  return m;
};

/** The JSON schema of a method's parameters, built from methods.json alone (not from the adapter's table). */
function paramsSchema(name: string): object {
  const m = methodOf(name);
  const properties: Record<string, object> = { v: { type: 'string' } };
  const required: string[] = [];
  for (const p of m.parameters ?? []) {
    const { name: pName, type, minimum, maximum, items, maxItems } = p as Record<string, unknown>;
    const itemType = (items as { type?: string } | undefined)?.type;
    properties[pName as string] = {
      type,
      ...(minimum !== undefined ? { minimum } : {}),
      ...(maximum !== undefined ? { maximum } : {}),
      ...(maxItems !== undefined ? { maxItems } : {}),
      ...(itemType ? { items: { type: itemType } } : {}),
    };
    if (p.required === true) required.push(pName as string);
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

/** Form text read by methods.json's types (what a server must do with a form body). */
function typedForm(name: string, form: Record<string, unknown>): Record<string, unknown> {
  const params = new Map((methodOf(name).parameters ?? []).map((p) => [p.name, p]));
  const asInt = (v: string): unknown => (/^-?\d+$/.test(v) ? Number(v) : v);
  return Object.fromEntries(
    Object.entries(form).map(([k, raw]) => {
      const p = params.get(k);
      if (typeof raw !== 'string' || !p) return [k, raw];
      if (p.type === 'integer') return [k, asInt(raw)];
      if (p.type === 'boolean') return [k, raw === '1' ? true : raw === '0' ? false : raw];
      if (p.type === 'array') {
        const itemType = (p.items as { type?: string } | undefined)?.type;
        return [k, raw.split(',').map((x) => (itemType === 'integer' ? asInt(x) : x))];
      }
      return [k, raw];
    }),
  );
}

function allowedErrorCodes(name: string): Set<number> {
  const own = (methodOf(name).errors ?? []).map((e) => errorCode(schema, e.$ref));
  const global = Object.values(schema.errors).filter((e) => e.global).map((e) => e.code);
  return new Set([...own, ...global]);
}

/** Problems with one exchange; empty when it is what the schema describes. */
function check(x: VkExchange): string[] {
  const problems: string[] = [];
  const where = `${x.inner ? 'execute → ' : ''}${x.method}`;
  const m = methodOf(x.method);
  if (x.tokenType && !m.access_token_type.includes(x.tokenType))
    problems.push(`${where}: sent with a ${x.tokenType} token; the schema allows ${m.access_token_type.join(', ')}`);
  if (x.method !== 'execute') {
    const validate = schema.ajv.compile(paramsSchema(x.method));
    if (!validate(x.inner ? x.params : typedForm(x.method, x.params)))
      problems.push(`${where} request: ${schema.ajv.errorsText(validate.errors)}`);
  } else if (typeof x.params.code !== 'string') problems.push('execute without code');
  const body = x.body as { response?: unknown; error?: Record<string, unknown>; execute_errors?: Array<Record<string, unknown>> };
  if (body.error) {
    // base_error's `inner_type` is the schema's code-generation discriminator, which the API does not
    // send; it is supplied here so that every other property is checked as the schema writes it.
    const base = schema.validator('base/objects.json#/definitions/base_error');
    if (!base({ inner_type: 'base_error', ...body.error })) problems.push(`${where} error: ${schema.ajv.errorsText(base.errors)}`);
    const code = body.error.error_code as number;
    if (!allowedErrorCodes(x.method).has(code)) problems.push(`${where}: error ${code} is neither the method's nor global`);
  } else if (x.method === 'execute') {
    // execute's response is "not defined yet" in the schema (base_undefined_response): its calls are
    // checked one by one as inner exchanges; the errors list is checked here.
    for (const e of body.execute_errors ?? []) {
      const base = schema.validator('base/objects.json#/definitions/base_error');
      if (!base({ inner_type: 'base_error', ...e })) problems.push(`execute_errors: ${schema.ajv.errorsText(base.errors)}`);
    }
  } else {
    const refs = Object.values(m.responses).map((r) => refFromMethods(r.$ref));
    const fits = refs.some((ref) => schema.validator(ref)(body));
    if (!fits) {
      const v = schema.validator(refs[0]!);
      v(body);
      problems.push(`${where} response fits none of ${refs.join(', ')}: ${schema.ajv.errorsText(v.errors)}`);
    }
  }
  return problems;
}

describe('VK API contract (issue 13 item 2): adapter and simulator against the public schema', () => {
  it('the adapter\'s method table (token types, parameters, listed errors) is exactly what messages/methods.json says', () => {
    for (const [name, spec] of Object.entries(VK_METHODS)) {
      const m = methodOf(name);
      expect([...spec.tokenTypes].sort(), `${name} token types`).toEqual([...m.access_token_type].sort());
      const fromSchema = (m.parameters ?? []).map((p) => {
        const itemType = (p.items as { type?: string } | undefined)?.type;
        return {
          name: p.name,
          type: p.type,
          ...(p.required === true ? { required: true } : {}),
          ...(p.minimum !== undefined ? { minimum: p.minimum } : {}),
          ...(p.maximum !== undefined ? { maximum: p.maximum } : {}),
          ...(itemType ? { items: itemType } : {}),
        };
      });
      expect(spec.parameters, `${name} parameters`).toEqual(fromSchema);
      expect([...spec.errors].sort(), `${name} errors`).toEqual((m.errors ?? []).map((e) => errorCode(schema, e.$ref)).sort());
    }
  });

  it.each(['user', 'group'] as const)('every request and answer of a full workout (%s token) fits the schema: create, rename, add, list over pages, remove, refusals, faults', async (tokenType: VkTokenType) => {
    exchanges.length = 0;
    const token = tokenType === 'user' ? sim.userToken : sim.groupToken;
    const m = new VkApiMessenger({
      apiBase: sim.apiBase,
      token: token.token,
      tokenType,
      groupId: sim.groupToken.groupId,
      pageSize: 7,
      floodRetryAfterMs: 20,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
      requestTimeoutMs: 500,
      limiter: new RequestLimiter(tokenType === 'user' ? 3 : 20),
    });
    const people = Array.from({ length: 30 }, (_, i) => String(200_000 + i));
    const chat = await m.createChat({ title: '7А', idempotencyKey: 'contract/7a' });
    await m.renameChat(chat, '7А класс');
    sim.refuseAddsOf(people[3]!, 947);
    sim.script({ kind: 'vk-error', code: 6 }, { kind: '503' });
    sim.scriptInner(9);
    const added = await m.addMembers(chat, people);
    if (tokenType === 'user') {
      expect(added.refused).toEqual([{ userId: people[3], code: '947', reason: expect.any(String) }]);
    } else {
      for (const p of people) sim.joinByLink(added.invited[0]!.inviteLink, p);
    }
    expect((await collectMembers(m, chat)).length).toBeGreaterThan(7);
    await m.removeMembers(chat, [people[0]!, '999999']);
    const gone = await m.addMembers('424242', [people[1]!]).catch((e: unknown) => e);
    expect((gone as MessengerError).code).toBe('not-found');
    sim.script({ kind: 'vk-error', code: 5 });
    const auth = await collectMembers(m, chat).catch((e: unknown) => e);
    expect((auth as MessengerError).code).toBe('auth-failed');

    const seen = new Set(exchanges.map((x) => x.method));
    const writes = tokenType === 'user' ? ['messages.addChatUser'] : ['messages.getInviteLink'];
    for (const method of ['messages.createChat', 'messages.editChat', 'messages.getConversationMembers', 'messages.removeChatUser', 'execute', ...writes])
      expect(seen, method).toContain(method);
    const codes = new Set(exchanges.map((x) => (x.body as { error?: { error_code: number } }).error?.error_code).filter(Boolean));
    for (const code of [6, 5, 935, 927, ...(tokenType === 'user' ? [9, 947, 925] : [])]) expect(codes, `error ${code}`).toContain(code);
    expect(exchanges.flatMap(check)).toEqual([]);
  });

  it('R-token rule: a community token calling messages.addChatUser is refused with code 27 (user tokens only, per access_token_type), in a body the schema describes', async () => {
    exchanges.length = 0;
    const chat = sim.store.createChat('8А', '', undefined, sim.communityMemberId).chatId;
    const res = await fetch(`${sim.apiBase}/messages.addChatUser`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.groupToken.token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ chat_id: chat, user_id: '300001', v: '5.199' }).toString(),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { error: { error_code: number } };
    expect(body.error.error_code).toBe(27);
    expect(sim.store.memberIds(chat)).not.toContain('300001');
    // The request itself breaks the token rule, so only the answer's shape is checked here.
    const base = schema.validator('base/objects.json#/definitions/base_error');
    expect(base({ inner_type: 'base_error', ...body.error })).toBe(true);
  });

  it('the check itself catches a wrong shape: an invented parameter, a wrong type, an unlisted error code, a bad response', () => {
    const bad: VkExchange[] = [
      { method: 'messages.removeChatUser', params: { chat_id: '1', user: '5', v: '5.199' }, inner: false, tokenType: 'group', body: { response: 1 } },
      { method: 'messages.getConversationMembers', params: { peer_id: 'abc', v: '5.199' }, inner: false, tokenType: 'group', body: { response: { items: [] } } },
      { method: 'messages.getInviteLink', params: { peer_id: '2000000001' }, inner: false, tokenType: 'group', body: { error: { error_code: 927, error_msg: 'x' } } },
      { method: 'messages.addChatUser', params: { chat_id: 1, user_id: 5 }, inner: true, tokenType: 'group', body: { response: 1 } },
      { method: 'messages.getConversationMembers', params: { peer_id: '2000000001', v: '5.199' }, inner: false, tokenType: 'group', body: { response: { count: 1, items: [{ is_admin: true }] } } },
      { method: 'messages.createChat', params: { title: 'x', v: '5.199' }, inner: false, tokenType: 'user', body: { response: 17 } },
    ];
    const problems = bad.map(check);
    expect(problems.every((p) => p.length > 0)).toBe(true);
  });
});
