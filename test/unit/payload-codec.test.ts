// Issue 14 item 3: the payload codec (AES-256-GCM, key id in the metadata, keys rotate) and the keyed
// MAC of one-time codes, on their own.
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { codeMac, codeMacFromConfig } from '../../infra/code-mac.js';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, dataConverterFromConfig, parsePayloadKeys } from '../../infra/payload-codec.js';

const hex = () => randomBytes(32).toString('hex');
const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? []).toString('utf8');
const contact = { kind: 'phone', phone: '+79161234567' };

describe('payload codec (issue 14)', () => {
  it('encrypts: no byte of the value in clear, the key id in the metadata; the same keys read it back', async () => {
    const codec = new AesGcmPayloadCodec(parsePayloadKeys(`k1:${hex()}`));
    const plain = defaultPayloadConverter.toPayload(contact)!;
    const [sealed] = await codec.encode([plain]);
    expect(text(sealed!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed!.metadata![KEY_ID_METADATA])).toBe('k1');
    expect(Buffer.from(sealed!.data!).includes(Buffer.from('9161234567'))).toBe(false);
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(contact);
  });

  it('rotates: the first key encrypts, an older listed key still decrypts what it sealed', async () => {
    const k1 = hex();
    const old = new AesGcmPayloadCodec(parsePayloadKeys(`k1:${k1}`));
    const rotated = new AesGcmPayloadCodec(parsePayloadKeys(`k2:${hex()},k1:${k1}`));
    const [sealedByOld] = await old.encode([defaultPayloadConverter.toPayload('старое')!]);
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([sealedByOld!]))[0]!)).toBe('старое');
    const [sealedByNew] = await rotated.encode([defaultPayloadConverter.toPayload('новое')!]);
    expect(text(sealedByNew!.metadata![KEY_ID_METADATA])).toBe('k2');
    await expect(old.decode([sealedByNew!])).rejects.toThrow(/k2/);
  });

  it('refuses a tampered payload, a relabelled key id and a wrong key instead of decoding garbage', async () => {
    const key = hex();
    const codec = new AesGcmPayloadCodec(parsePayloadKeys(`a:${key},b:${key}`));
    const [sealed] = await codec.encode([defaultPayloadConverter.toPayload({ n: 1 })!]);
    const flipped = Buffer.from(sealed!.data!);
    flipped[20] = flipped[20]! ^ 1;
    await expect(codec.decode([{ ...sealed!, data: flipped }])).rejects.toThrow();
    const relabelled: Payload = { ...sealed!, metadata: { ...sealed!.metadata, [KEY_ID_METADATA]: Buffer.from('b') } };
    await expect(codec.decode([relabelled])).rejects.toThrow();
    const stranger = new AesGcmPayloadCodec(parsePayloadKeys(`a:${hex()}`));
    await expect(stranger.decode([sealed!])).rejects.toThrow();
  });

  it('lets payloads written before encryption was switched on through unchanged', async () => {
    const codec = new AesGcmPayloadCodec(parsePayloadKeys(`k1:${hex()}`));
    const plain = defaultPayloadConverter.toPayload('до шифрования')!;
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('reads HUB_PAYLOAD_KEYS strictly and is required by the processes', () => {
    expect(parsePayloadKeys(`k1:${randomBytes(32).toString('base64')}`).current.id).toBe('k1');
    expect(() => parsePayloadKeys('')).toThrow(/at least one/);
    expect(() => parsePayloadKeys(`k1:${randomBytes(16).toString('hex')}`)).toThrow(/32 bytes/);
    expect(() => parsePayloadKeys(`k1:${hex()},k1:${hex()}`)).toThrow(/twice/);
    expect(() => parsePayloadKeys(hex())).toThrow(/<id>:<key>/);
    expect(() => dataConverterFromConfig({})).toThrow(/HUB_PAYLOAD_KEYS is required/);
  });
});

describe('one-time code MAC (issue 14)', () => {
  it('R-A4: fits one journey and one code; unknown without the key', () => {
    const mac = codeMac(randomBytes(32));
    const m = mac.of('signup/abc', 'id1', '123456');
    expect(m).toMatch(/^[0-9a-f]{64}$/);
    expect(mac.of('signup/abc', 'id1', '123456')).toBe(m);
    expect(mac.of('signup/abc', 'id1', '123457')).not.toBe(m);
    expect(mac.of('signup/abc', 'id2', '123456')).not.toBe(m);
    expect(mac.of('signup/xyz', 'id1', '123456')).not.toBe(m);
    expect(codeMac(randomBytes(32)).of('signup/abc', 'id1', '123456')).not.toBe(m);
  });

  it('takes HUB_OTP_MAC_KEY, else a key derived from the signup secret (never that secret itself), else refuses', () => {
    const secret = 's'.repeat(40);
    const derived = codeMacFromConfig({ HUB_JWT_SECRET: secret });
    expect(derived.of('j', 'c', '000000')).toBe(codeMacFromConfig({ HUB_SIGNUP_SECRET: secret }).of('j', 'c', '000000'));
    expect(derived.of('j', 'c', '000000')).not.toBe(codeMac(Buffer.from(secret)).of('j', 'c', '000000'));
    const key = hex();
    expect(codeMacFromConfig({ HUB_OTP_MAC_KEY: key, HUB_JWT_SECRET: secret }).of('j', 'c', '1')).toBe(codeMac(Buffer.from(key, 'hex')).of('j', 'c', '1'));
    expect(() => codeMacFromConfig({})).toThrow(/HUB_OTP_MAC_KEY/);
  });
});
