// Temporal payload encryption (issue 14 item 3): every workflow input, result, update argument,
// activity argument and memo leaves the process as AES-256-GCM ciphertext, so whoever reads history
// (the Temporal UI, tctl, a database dump of the Temporal store) sees no phone, e-mail or profile.
// The pattern is temporalio/samples-typescript `encryption/` (the whole Payload, protobuf-encoded,
// is the plaintext; the key id travels in the metadata). Differences: node:crypto instead of
// WebCrypto, a key ring from config so keys can rotate (the first key encrypts, every listed key
// decrypts), and the key id bound into the ciphertext as additional authenticated data.
// Search attributes and workflow ids are NOT passed through codecs: callers keep phones out of them.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';

const ProtoPayload = proto.temporal.api.common.v1.Payload;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface PayloadKey {
  id: string;
  key: Buffer;
}

/** The keys a process knows; `current` encrypts, any of `all` decrypts. */
export interface PayloadKeyRing {
  current: PayloadKey;
  all: ReadonlyMap<string, Buffer>;
}

/**
 * HUB_PAYLOAD_KEYS: `id:key[,id:key…]`, each key 32 bytes as 64 hex characters or base64/base64url.
 * The first one encrypts new payloads; the others stay listed while histories written under them live.
 */
export function parsePayloadKeys(raw: string): PayloadKeyRing {
  const keys: PayloadKey[] = raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const colon = part.indexOf(':');
      const id = colon > 0 ? part.slice(0, colon) : '';
      const text = part.slice(colon + 1);
      if (!/^[A-Za-z0-9._-]{1,32}$/.test(id)) throw new Error('HUB_PAYLOAD_KEYS: each entry is <id>:<key>, id of letters, digits, . _ -');
      const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64url');
      if (key.length !== 32) throw new Error(`HUB_PAYLOAD_KEYS: key ${id} must be 32 bytes (64 hex characters or base64)`);
      return { id, key };
    });
  const [current] = keys;
  if (!current) throw new Error('HUB_PAYLOAD_KEYS: at least one key is required');
  const all = new Map<string, Buffer>();
  for (const k of keys) {
    if (all.has(k.id)) throw new Error(`HUB_PAYLOAD_KEYS: key id ${k.id} is listed twice`);
    all.set(k.id, k.key);
  }
  return { current, all };
}

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const text = (b: Uint8Array | null | undefined): string | undefined => (b ? Buffer.from(b).toString('utf8') : undefined);

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly ring: PayloadKeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.ring.current;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      // The key id is authenticated: a payload relabelled with another id fails instead of decoding.
      cipher.setAAD(Buffer.from(id, 'utf8'));
      const plain = ProtoPayload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id) }, data: new Uint8Array(data) };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // Histories written before encryption was switched on (and payloads of other tools) pass as they are.
      if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const id = text(payload.metadata?.[KEY_ID_METADATA]);
      const key = id === undefined ? undefined : this.ring.all.get(id);
      if (!key || id === undefined) throw new Error(`payload encrypted under key "${id ?? '?'}", which HUB_PAYLOAD_KEYS does not list`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new Error('encrypted payload too short');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(id, 'utf8'));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return ProtoPayload.decode(plain);
    });
  }
}

/** What Client and Worker.create take as `dataConverter`: the default converter, then encryption. */
export function encryptingDataConverter(ring: PayloadKeyRing): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(ring)] };
}

/** From config; throws when no key is set, so no process talks to Temporal in clear by accident. */
export function dataConverterFromConfig(config: { HUB_PAYLOAD_KEYS?: string | undefined }): DataConverter {
  if (!config.HUB_PAYLOAD_KEYS) {
    throw new Error('HUB_PAYLOAD_KEYS is required: workflow payloads (phones, e-mails, profiles) are encrypted before they reach Temporal');
  }
  return encryptingDataConverter(parsePayloadKeys(config.HUB_PAYLOAD_KEYS));
}
