// What the public VK API JSON schema (github.com/VKCOM/vk-api-schema, API 5.199, MIT) says about the
// methods the hub calls: token types, parameters, the errors each method lists. The adapter builds its
// requests from this table and the simulator checks them against it; test/contract/vk-api-schema.test.ts
// proves the table is exactly what the schema files say, so neither side can invent a parameter.

export const VK_API_VERSION = '5.199';

/** A chat's peer id is 2000000000 + its chat id (schema: messages.getConversationsById, peer_ids). */
export const CHAT_PEER_OFFSET = 2_000_000_000;

export type VkTokenType = 'user' | 'group';

export interface VkParam {
  name: string;
  type: 'integer' | 'string' | 'boolean' | 'array';
  required?: boolean;
  minimum?: number;
  maximum?: number;
  /** Type of an array's items, when the schema gives one. */
  items?: 'integer' | 'string';
}

export interface VkMethodSpec {
  /** `access_token_type` */
  tokenTypes: readonly VkTokenType[];
  parameters: readonly VkParam[];
  /** Codes of the method's own `errors` (global errors come on top). */
  errors: readonly number[];
}

export const VK_METHODS = {
  'messages.createChat': {
    tokenTypes: ['user', 'group'],
    parameters: [
      { name: 'user_ids', type: 'array', items: 'integer' },
      { name: 'title', type: 'string' },
      { name: 'group_id', type: 'integer', minimum: 0 },
    ],
    errors: [936],
  },
  'messages.editChat': {
    tokenTypes: ['user', 'group'],
    parameters: [
      { name: 'chat_id', type: 'integer', required: true, minimum: 0, maximum: 100000000 },
      { name: 'title', type: 'string' },
    ],
    errors: [925, 945, 946],
  },
  'messages.getConversationMembers': {
    tokenTypes: ['user', 'group'],
    parameters: [
      { name: 'peer_id', type: 'integer', required: true },
      { name: 'offset', type: 'integer', minimum: 0 },
      { name: 'count', type: 'integer', minimum: 1, maximum: 1000 },
      { name: 'extended', type: 'boolean' },
      { name: 'fields', type: 'array' },
      { name: 'group_id', type: 'integer', minimum: 0 },
      { name: 'member_ids', type: 'array', items: 'integer' },
    ],
    errors: [917, 927],
  },
  'messages.removeChatUser': {
    tokenTypes: ['user', 'group'],
    parameters: [
      { name: 'chat_id', type: 'integer', required: true, minimum: 0, maximum: 100000000 },
      { name: 'user_id', type: 'integer' },
      { name: 'member_id', type: 'integer' },
    ],
    errors: [925, 935, 936, 945, 946],
  },
  'messages.addChatUser': {
    // A community token cannot call it: the hub then invites with the chat's link instead.
    tokenTypes: ['user'],
    parameters: [
      { name: 'chat_id', type: 'integer', required: true, minimum: 0, maximum: 100000000 },
      { name: 'user_id', type: 'integer', minimum: 0 },
      { name: 'visible_messages_count', type: 'integer', minimum: 0, maximum: 1000 },
    ],
    errors: [103, 925, 939, 936, 945, 947, 946, 932],
  },
  'messages.getInviteLink': {
    tokenTypes: ['user', 'group'],
    parameters: [
      { name: 'peer_id', type: 'integer', required: true },
      { name: 'reset', type: 'boolean' },
      { name: 'group_id', type: 'integer', minimum: 0 },
    ],
    errors: [919, 931],
  },
  // The schema lists no parameters for execute; `code` (VKScript) is documented on dev.vk.com/method/execute.
  execute: { tokenTypes: ['user', 'group'], parameters: [], errors: [12] },
} as const satisfies Record<string, VkMethodSpec>;

export type VkMethod = keyof typeof VK_METHODS;

/** Error codes the schema marks `global` that the hub meets (errors.json). */
export const VK_ERRORS = {
  unknown: 1,
  unknownMethod: 3,
  auth: 5,
  tooManyPerSecond: 6,
  flood: 9,
  permission: 7,
  server: 10,
  runtime: 13,
  captcha: 14,
  access: 15,
  validation: 17,
  userDeleted: 18,
  groupAuth: 27,
  appAuth: 28,
  rateLimit: 29,
  privateProfile: 30,
  param: 100,
  limits: 103,
  invalidUserId: 113,
  tokenExpired: 1117,
  privacy: 902,
  chatNoAccess: 917,
  cantSeeInviteLink: 919,
  chatLeft: 922,
  chatNotAdmin: 925,
  chatNotExist: 927,
  cantChangeInviteLink: 931,
  groupPeerAccess: 932,
  userNotInChat: 935,
  contactNotFound: 936,
  messageRequestSent: 939,
  chatDisabled: 945,
  chatUnsupported: 946,
  memberNoGroupAccess: 947,
} as const;

/** Global codes (errors.json `"global": true`) the hub relies on; any method may answer them. */
export const VK_GLOBAL_ERRORS: ReadonlySet<number> = new Set([1, 3, 5, 6, 7, 9, 10, 13, 14, 15, 17, 18, 27, 28, 29, 30, 100, 113, 1117]);

/** Encodes a parameter value as the API takes it in a form body: arrays comma-separated, booleans 1/0. */
export function encodeParam(value: number | string | boolean | readonly (number | string)[]): string {
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}

/**
 * A form value read back by the parameter's schema type (the simulator's parsing, and the contract
 * test's): something that does not parse stays a string, so the type check then fails on it.
 */
export function decodeParam(p: VkParam | undefined, raw: string): unknown {
  const asInt = (v: string): unknown => (/^-?\d+$/.test(v) ? Number(v) : v);
  switch (p?.type) {
    case 'integer':
      return asInt(raw);
    case 'boolean':
      return raw === '1' ? true : raw === '0' ? false : raw;
    case 'array': {
      const parts = raw === '' ? [] : raw.split(',');
      return p.items === 'integer' ? parts.map(asInt) : parts;
    }
    default:
      return raw;
  }
}
