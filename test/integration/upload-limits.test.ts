// Issue 17 item 6 "uploads: streamed to scratch, with caps on compressed size, total uncompressed size,
// compression ratio and entry count; a crafted zip bomb is refused quickly without filling disk or
// memory". The bombs are built here by hand (deflate blocks of zeros and hand-written ZIP headers) and
// sent to the real API over HTTP; while each one is in flight the process's memory and the bytes under
// the scratch folder are sampled. Every refusal is problem+json with its own type, stores nothing and
// leaves the previous good upload in place.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants, crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../api/auth.js';
import { InMemoryMessenger } from '../../adapters/messenger/in-memory.js';
import { projectRoot } from '../../infra/paths.js';
import { secretBox } from '../../infra/secrets.js';
import { journalFactory } from '../../sync/journal-factory.js';
import { useTestApi, type TestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const key = randomBytes(32);
const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool, journals: journalFactory(db.pool, secretBox(key)), messenger: new InMemoryMessenger() }));
const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'hub-upload-limits-')));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const secrets = { HUB_SECRETS_KEY: key.toString('base64'), JOURNAL_UPLOAD_SCRATCH_DIR: scratch };
/** The limits as shipped (100 MB body, 1 GB unpacked, ratio 200, 1000 entries). */
const api = useTestApi(db, temporal, secrets);
/** A 64 KB body cap and a 2 KB unpacked cap (the fixture zip is 2.4 KB packed, 4 KB unpacked). */
const tight = useTestApi(db, temporal, { ...secrets, JOURNAL_UPLOAD_MAX_BYTES: String(64 * 1024), JOURNAL_UPLOAD_ZIP_MAX_UNPACKED_BYTES: '2048' });

const operator: Principal = { sub: 'op-kazan', role: 'authority', schools: [], classes: [], region: '16' };
const goodZip = readFileSync(join(projectRoot, 'test', 'fixtures', 'oneroster', 'catalyst-v1p1', 'Test_full_data_set.zip'));
const MiB = 1024 * 1024;

interface ZipEntry {
  name: string;
  /** The bytes as stored in the archive. */
  packed: Buffer;
  method: 0 | 8;
  crc: number;
  /** The unpacked size both headers state (true or not). */
  statedSize: number;
}

/** A ZIP archive written by hand: local headers, data, central directory, end record; sizes as stated. */
function zipOf(entries: ZipEntry[]): Buffer {
  const parts: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(e.crc, 14);
    local.writeUInt32LE(e.packed.length, 18);
    local.writeUInt32LE(e.statedSize, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.method, 10);
    central.writeUInt32LE(e.crc, 16);
    central.writeUInt32LE(e.packed.length, 20);
    central.writeUInt32LE(e.statedSize, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    parts.push(local, name, e.packed);
    directory.push(central, name);
    offset += local.length + name.length + e.packed.length;
  }
  const dir = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dir, end]);
}

/**
 * `mib` MiB of zeros as one raw deflate stream of about 1 KB per MiB: one fully flushed block of a
 * MiB of zeros (self-contained, byte-aligned) repeated, then the final empty block.
 */
function deflatedZeros(mib: number): { packed: Buffer; crc: number; size: number } {
  const zeros = Buffer.alloc(MiB);
  const block = deflateRawSync(zeros, { finishFlush: constants.Z_FULL_FLUSH });
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = crc32(zeros, crc);
  return { packed: Buffer.concat([...Array<Buffer>(mib).fill(block), deflateRawSync(Buffer.alloc(0))]), crc, size: mib * MiB };
}

/** Bytes of every file under the scratch folder, and the folder's entries. */
function scratchUse(): { bytes: number; entries: string[] } {
  const entries = readdirSync(scratch, { recursive: true, encoding: 'utf8' });
  let bytes = 0;
  for (const e of entries) {
    try {
      const s = statSync(join(scratch, e));
      if (s.isFile()) bytes += s.size;
    } catch {
      // removed between the listing and the stat
    }
  }
  return { bytes, entries: readdirSync(scratch) };
}

/** Runs `send` while sampling this process's RSS (the API runs in it) and the scratch folder's bytes. */
async function watched<T>(send: () => Promise<T>): Promise<{ result: T; ms: number; rssGrowth: number; scratchPeak: number }> {
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  let scratchPeak = 0;
  const sample = () => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    scratchPeak = Math.max(scratchPeak, scratchUse().bytes);
  };
  const timer = setInterval(sample, 5);
  const started = performance.now();
  try {
    const result = await send();
    sample();
    return { result, ms: performance.now() - started, rssGrowth: rssPeak - rssBefore, scratchPeak };
  } finally {
    clearInterval(timer);
  }
}

async function connection(): Promise<string> {
  const res = await api.call('POST', '/v1/connections', { as: operator, body: { name: 'Выгрузка', kind: 'oneroster-csv', settings: {} } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function upload(id: string, body: Uint8Array | FormData, contentType?: string, opts: { via?: TestApi; lang?: string } = {}) {
  const via = opts.via ?? api;
  const headers: Record<string, string> = { authorization: `Bearer ${await via.tokens.sign(operator)}` };
  if (contentType) headers['content-type'] = contentType;
  if (opts.lang) headers['accept-language'] = opts.lang;
  const res = await fetch(`${via.baseUrl}/v1/connections/${id}/export`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
}

/**
 * A POST through node:http, so the test controls the body: `feed` writes it (honouring backpressure)
 * until it returns or the answer arrives. The answer is read even while the body is still going out.
 */
function rawPost(via: TestApi, path: string, headers: Record<string, string>, feed: (write: (chunk: Buffer) => Promise<boolean>, abort: () => void) => Promise<void>) {
  return new Promise<{ status: number; contentType: string; body: { type?: string; detail?: string }; written: number; connection: string }>((resolve, reject) => {
    let written = 0;
    let answered = false;
    const req = httpRequest(`${via.baseUrl}${path}`, { method: 'POST', headers }, (res) => {
      answered = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, contentType: res.headers['content-type'] ?? '', body: JSON.parse(text), written, connection: res.headers.connection ?? '' }),
      );
      res.on('error', reject);
    });
    req.on('error', (err) => {
      if (!answered) reject(err); // after the answer, the server closing our half-sent body is expected
    });
    const write = (chunk: Buffer) =>
      new Promise<boolean>((done) => {
        if (answered || req.destroyed) return done(false);
        written += chunk.length;
        if (req.write(chunk)) return done(true);
        const go = () => done(!answered);
        req.once('drain', go);
        const poll = setInterval(() => {
          if (answered || req.destroyed) {
            clearInterval(poll);
            req.off('drain', go);
            done(false);
          }
        }, 10);
        req.once('drain', () => clearInterval(poll));
      });
    feed(write, () => req.destroy()).then(
      () => !answered && !req.destroyed && req.end(),
      reject,
    );
  });
}

const storedExports = async (id: string) =>
  (await db.pool.query(`SELECT id, sha256, layout FROM journal_exports WHERE connection_id = $1`, [id])).rows as { id: string; sha256: string; layout: string }[];

describe('upload limits (issue 17 item 6)', () => {
  let id: string;
  let before: { id: string; sha256: string; layout: string }[];
  beforeAll(async () => {
    id = await connection();
    const good = await upload(id, goodZip, 'application/zip');
    expect(good.status).toBe(201);
    before = await storedExports(id);
    expect(before).toHaveLength(1);
  });

  it('issue 17.6: 10 MB of zeros deflated to ~10 KB is refused from the zip directory, fast, with no memory or disk spent on it', async () => {
    const zeros = deflatedZeros(10);
    expect(zeros.packed.length).toBeLessThan(16 * 1024);
    expect(inflateRawSync(zeros.packed).length).toBe(10 * MiB); // a real bomb, not a broken stream
    const bomb = zipOf([{ name: 'users.csv', packed: zeros.packed, method: 8, crc: zeros.crc, statedSize: zeros.size }]);

    const { result: res, ms, rssGrowth, scratchPeak } = await watched(() => upload(id, bomb, 'application/zip'));
    expect(res.status).toBe(422);
    expect(res.contentType).toContain('application/problem+json');
    expect(res.body.type).toBe('/problems/export-too-compressed');
    expect(res.body.detail).toContain('users.csv');
    expect(res.body.detail).toMatch(/сжат больше чем в 200 раз/);
    expect(ms).toBeLessThan(5_000);
    expect(rssGrowth).toBeLessThan(48 * MiB);
    expect(scratchPeak).toBeLessThanOrEqual(bomb.length); // the archive as sent, never what it unpacks to
    await expect.poll(() => scratchUse().entries, { timeout: 3_000 }).toEqual([]);
    expect(await storedExports(id)).toEqual(before);

    const english = await upload(id, bomb, 'application/zip', { lang: 'en' });
    expect(english.body.type).toBe('/problems/export-too-compressed');
    expect(english.body.detail).toMatch(/^File users\.csv in the ZIP archive is packed more than 200 times/);
  });

  it('issue 17.6: a zip whose headers understate 1 GB of zeros as 1 MB gets through the directory check and is stopped while inflating', async () => {
    const zeros = deflatedZeros(1024);
    expect(zeros.packed.length).toBeLessThan(1.1 * MiB);
    // Both headers claim a plain 1 MB file (ratio 1): nothing in the directory gives it away.
    const liar = zipOf([
      { name: 'manifest.csv', packed: Buffer.from('propertyName,value\n'), method: 0, crc: crc32('propertyName,value\n'), statedSize: 19 },
      { name: 'users.csv', packed: zeros.packed, method: 8, crc: zeros.crc, statedSize: zeros.packed.length },
    ]);

    const { result: res, ms, rssGrowth, scratchPeak } = await watched(() => upload(id, liar, 'application/zip'));
    expect(res.status).toBe(422);
    expect(res.body.type).toBe('/problems/export-invalid');
    expect(res.body.detail).toMatch(/users\.csv.*распаковывается не в тот размер/);
    expect(ms).toBeLessThan(5_000);
    expect(rssGrowth).toBeLessThan(48 * MiB);
    expect(scratchPeak).toBeLessThanOrEqual(liar.length);
    await expect.poll(() => scratchUse().entries, { timeout: 3_000 }).toEqual([]);
    expect(await storedExports(id)).toEqual(before);

    // The same bomb as the single part of a multipart form is held to the same limits.
    const form = new FormData();
    form.append('file', new Blob([liar], { type: 'application/zip' }), 'export.zip');
    const asPart = await upload(id, form);
    expect(asPart.status).toBe(422);
    expect(asPart.body.detail).toMatch(/users\.csv.*распаковывается не в тот размер/);
    await expect.poll(() => scratchUse().entries, { timeout: 3_000 }).toEqual([]);
    expect(await storedExports(id)).toEqual(before);
  });

  it('issue 17.6: more entries than JOURNAL_UPLOAD_ZIP_MAX_ENTRIES (1000) are refused before any is read', async () => {
    const entries: ZipEntry[] = Array.from({ length: 1001 }, (_, i) => {
      const content = Buffer.from(`sourcedId\nx${i}\n`);
      return { name: `part-${i}.csv`, packed: content, method: 0, crc: crc32(content), statedSize: content.length };
    });
    const res = await upload(id, zipOf(entries), 'application/zip');
    expect(res.status).toBe(422);
    expect(res.body.type).toBe('/problems/export-too-many-files');
    expect(res.body.detail).toBe('В ZIP-архиве выгрузки больше 1000 файлов. Ничего не сохранено.');
    // A real export padded to exactly 1000 entries is within the limit, and accepted.
    const csvDir = join(projectRoot, 'test', 'fixtures', 'oneroster', 'catalyst-v1p2');
    const real: ZipEntry[] = readdirSync(csvDir)
      .filter((n) => n.endsWith('.csv'))
      .map((name) => {
        const content = readFileSync(join(csvDir, name));
        return { name, packed: content, method: 0, crc: crc32(content), statedSize: content.length };
      });
    const other = await connection();
    const fits = await upload(other, zipOf([...real, ...entries.slice(0, 1000 - real.length)]), 'application/zip');
    expect(fits.status).toBe(201);
    await expect.poll(() => scratchUse().entries, { timeout: 3_000 }).toEqual([]);
    expect(await storedExports(id)).toEqual(before);
  });

  it('issue 17.6: an archive whose files unpack to more than JOURNAL_UPLOAD_ZIP_MAX_UNPACKED_BYTES together is refused (413)', async () => {
    const res = await upload(id, goodZip, 'application/zip', { via: tight, lang: 'en' });
    expect(res.status).toBe(413);
    expect(res.body.type).toBe('/problems/export-too-large-unpacked');
    expect(res.body.detail).toBe('The export ZIP archive unpacks to more than the allowed 0.002 MB. Nothing was stored.');
    expect(await storedExports(id)).toEqual(before);
  });

  it('issue 17.6: a body over JOURNAL_UPLOAD_MAX_BYTES is refused from its Content-Length before it is sent', async () => {
    const token = await tight.tokens.sign(operator);
    const chunk = Buffer.alloc(16 * 1024, 1);
    const res = await rawPost(tight, `/v1/connections/${id}/export`, { authorization: `Bearer ${token}`, 'content-type': 'application/zip', 'content-length': String(10 * MiB) }, async (write) => {
      await write(chunk); // then nothing more: the answer must come without the other 10 MB
    });
    expect(res.status).toBe(413);
    expect(res.contentType).toContain('application/problem+json');
    expect(res.body.type).toBe('/problems/export-too-large');
    expect(res.connection).toBe('close');
    expect(scratchUse().entries).toEqual([]);
    expect(await storedExports(id)).toEqual(before);
  });

  it('issue 17.6: a chunked body (no Content-Length) is cut off at JOURNAL_UPLOAD_MAX_BYTES and refused, not read to its end', async () => {
    const token = await tight.tokens.sign(operator);
    const chunk = Buffer.alloc(16 * 1024, 1);
    const budget = 256 * MiB;
    const { result: res, rssGrowth } = await watched(() =>
      rawPost(tight, `/v1/connections/${id}/export`, { authorization: `Bearer ${token}`, 'content-type': 'application/zip', 'transfer-encoding': 'chunked' }, async (write) => {
        for (let sent = 0; sent < budget; sent += chunk.length) if (!(await write(chunk))) return;
      }),
    );
    expect(res.status).toBe(413);
    expect(res.body.type).toBe('/problems/export-too-large');
    expect(res.written).toBeLessThan(budget); // the server stopped reading; the client could not push it all
    expect(rssGrowth).toBeLessThan(48 * MiB);
    await expect.poll(() => scratchUse().entries, { timeout: 3_000 }).toEqual([]);
    expect(await storedExports(id)).toEqual(before);
  });

  it('issue 17.6: a client that goes away mid-upload leaves nothing in the scratch folder and stores nothing', async () => {
    const token = await api.tokens.sign(operator);
    const sent = rawPost(api, `/v1/connections/${id}/export`, { authorization: `Bearer ${token}`, 'content-type': 'application/zip', 'content-length': String(4 * MiB) }, async (write, abort) => {
      await write(goodZip.subarray(0, 1024));
      await write(Buffer.alloc(256 * 1024));
      // The server has begun writing the body to scratch: then the client vanishes.
      await expect.poll(() => scratchUse().bytes, { timeout: 3_000 }).toBeGreaterThan(0);
      abort();
    });
    await expect(sent).rejects.toThrow();
    await expect.poll(() => scratchUse().entries, { timeout: 3_000 }).toEqual([]);
    expect(await storedExports(id)).toEqual(before);
  });

  it('issue 17.6: a normal export is still accepted under the shipped limits and replaces the previous one', async () => {
    const other = await connection();
    const res = await upload(other, goodZip, 'application/zip');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ layout: 'zip', bytes: goodZip.length });
    expect(await storedExports(other)).toHaveLength(1);
    expect(scratchUse().entries).toEqual([]);
  });
});
