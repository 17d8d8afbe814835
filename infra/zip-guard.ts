// A ZIP archive from outside, checked against limits before anything reads it for its content: a zip
// bomb (a few kilobytes that unpack to gigabytes, or thousands of entries) is refused without the
// unpacked bytes ever being kept in memory or written to disk.
// Two passes: the central directory first (entry count, declared sizes and ratios: refused before a
// byte is inflated), then every entry inflated into nothing while its bytes are counted, aborted the
// moment it passes what its header declared or what the limits allow (a header may lie).
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

export interface ZipLimits {
  /** Entries in the central directory (folders included). */
  maxEntries: number;
  /** All entries together, unpacked. */
  maxUnpackedBytes: number;
  /** Unpacked size / packed size of one entry. */
  maxRatio: number;
}

/**
 * Entries below this unpacked size are never refused for their ratio: a small file compresses in odd
 * ways (a header-only CSV, a manifest of repeated words) and cannot hurt anyone.
 */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

export type ZipRefusalReason = 'not-zip' | 'damaged' | 'empty' | 'too-many-entries' | 'too-large-unpacked' | 'too-compressed' | 'entry-damaged' | 'size-lies';

/** Why an archive is refused; `entry` names the file inside when one is to blame. */
export class ZipRefusal extends Error {
  constructor(
    readonly reason: ZipRefusalReason,
    readonly entry?: string,
  ) {
    super(entry ? `${reason}: ${entry}` : reason);
    this.name = 'ZipRefusal';
  }
}

const tooCompressed = (unpacked: number, packed: number, maxRatio: number) => unpacked > RATIO_FLOOR_BYTES && unpacked > maxRatio * Math.max(packed, 1);

async function startsLikeZip(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await file.read(head, 0, 4, 0);
    return bytesRead === 4 && head.toString('latin1') === 'PK\x03\x04';
  } finally {
    await file.close();
  }
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // Sizes are checked here, by counting, not by yauzl (which would call a lie "damaged" only after the fact).
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: false }, (err, zip) =>
      err || !zip ? reject(new ZipRefusal('damaged')) : resolve(zip),
    );
  });
}

/** The central directory's entries, checked against the limits as they are read. */
function directory(zip: yauzl.ZipFile, limits: ZipLimits): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    let declared = 0;
    const stop = (refusal: ZipRefusal) => {
      zip.removeAllListeners('entry');
      reject(refusal);
    };
    zip.on('entry', (e: yauzl.Entry) => {
      if (entries.length >= limits.maxEntries) return stop(new ZipRefusal('too-many-entries'));
      declared += e.uncompressedSize;
      if (declared > limits.maxUnpackedBytes) return stop(new ZipRefusal('too-large-unpacked', e.fileName));
      if (tooCompressed(e.uncompressedSize, e.compressedSize, limits.maxRatio)) return stop(new ZipRefusal('too-compressed', e.fileName));
      entries.push(e);
      zip.readEntry();
    });
    zip.on('error', () => reject(new ZipRefusal('damaged')));
    zip.on('end', () => resolve(entries));
    zip.readEntry();
  });
}

/** Inflates one entry into nothing, counting; refuses as soon as the count passes a limit or the header. */
function inflateCounting(zip: yauzl.ZipFile, e: yauzl.Entry, budget: number, limits: ZipLimits): Promise<number> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(e, (err, stream?: Readable) => {
      if (err || !stream) return reject(new ZipRefusal('entry-damaged', e.fileName));
      let count = 0;
      let settled = false;
      const stop = (refusal: ZipRefusal) => {
        if (settled) return;
        settled = true;
        stream.destroy();
        reject(refusal);
      };
      stream.on('data', (chunk: Buffer) => {
        count += chunk.length;
        if (count > budget) stop(new ZipRefusal('too-large-unpacked', e.fileName));
        else if (tooCompressed(count, e.compressedSize, limits.maxRatio)) stop(new ZipRefusal('too-compressed', e.fileName));
        else if (count > e.uncompressedSize) stop(new ZipRefusal('size-lies', e.fileName));
      });
      stream.on('error', () => stop(new ZipRefusal('entry-damaged', e.fileName)));
      stream.on('end', () => {
        if (settled) return;
        settled = true;
        if (count !== e.uncompressedSize) reject(new ZipRefusal('size-lies', e.fileName));
        else resolve(count);
      });
    });
  });
}

/**
 * Refuses (ZipRefusal) an archive that breaks a limit, is damaged, or holds no file. Reads the file at
 * `path` a piece at a time: memory stays at a few inflate windows whatever the archive claims.
 */
export async function checkZipLimits(path: string, limits: ZipLimits): Promise<{ files: number; unpackedBytes: number }> {
  if (!(await startsLikeZip(path))) throw new ZipRefusal('not-zip');
  const zip = await openZip(path);
  try {
    // The end-of-directory record states the count: a directory of a million entries is not even walked.
    if (zip.entryCount > limits.maxEntries) throw new ZipRefusal('too-many-entries');
    const entries = await directory(zip, limits);
    const files = entries.filter((e) => !e.fileName.endsWith('/'));
    if (files.length === 0) throw new ZipRefusal('empty');
    let unpacked = 0;
    for (const e of files) unpacked += await inflateCounting(zip, e, limits.maxUnpackedBytes - unpacked, limits);
    return { files: files.length, unpackedBytes: unpacked };
  } finally {
    zip.close();
  }
}
