// Files an authority hands over (a folder or a .zip), opened one entry at a time as streams, and
// CSV rows read from them with csv-parse, so an export of any size is never held in memory.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isUtf8 } from 'node:buffer';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { parse, type Options as CsvOptions } from 'csv-parse';
import yauzl from 'yauzl';
import { JournalSourceError } from './errors.js';

export interface FileBundle {
  /** The entry whose base name matches (case-insensitively), or undefined. */
  open(name: string): Promise<Readable | undefined>;
  has(name: string): Promise<boolean>;
}

export function openBundle(path: string): FileBundle {
  return path.toLowerCase().endsWith('.zip') ? zipBundle(path) : folderBundle(path);
}

function folderBundle(dir: string): FileBundle {
  const find = async (name: string) => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (cause) {
      throw new JournalSourceError({ code: 'not-found', what: dir }, { cause });
    }
    const hit = names.find((n) => n.toLowerCase() === name.toLowerCase());
    return hit && (await stat(join(dir, hit))).isFile() ? join(dir, hit) : undefined;
  };
  return {
    has: async (name) => (await find(name)) !== undefined,
    open: async (name) => {
      const file = await find(name);
      return file ? createReadStream(file) : undefined;
    },
  };
}

function zipBundle(zipPath: string): FileBundle {
  const withZip = <T>(fn: (zip: yauzl.ZipFile, entries: yauzl.Entry[]) => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      yauzl.open(zipPath, { lazyEntries: true, autoClose: false }, (err, zip) => {
        if (err || !zip) return reject(new JournalSourceError({ code: 'not-found', what: zipPath }, { cause: err }));
        const entries: yauzl.Entry[] = [];
        zip.on('entry', (e: yauzl.Entry) => {
          entries.push(e);
          zip.readEntry();
        });
        zip.on('error', (e: unknown) => {
          zip.close();
          reject(e);
        });
        zip.on('end', () => {
          fn(zip, entries).then(resolve, reject);
        });
        zip.readEntry();
      });
    });
  const pick = (entries: yauzl.Entry[], name: string) => entries.find((e) => !e.fileName.endsWith('/') && basename(e.fileName).toLowerCase() === name.toLowerCase());
  return {
    has: (name) => withZip(async (zip, entries) => {
      zip.close();
      return pick(entries, name) !== undefined;
    }),
    open: (name) => withZip((zip, entries) => {
      const entry = pick(entries, name);
      if (!entry) {
        zip.close();
        return Promise.resolve(undefined);
      }
      return new Promise<Readable>((resolve, reject) => {
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) {
            // A damaged entry (its local header does not match the directory): the file is named.
            zip.close();
            return reject(new JournalSourceError({ code: 'bad-data', problem: 'bad-archive', file: basename(entry.fileName) }, { cause: err }));
          }
          stream.on('close', () => zip.close());
          resolve(stream);
        });
      });
    }),
  };
}

export interface CsvRow {
  /** 1-based line in the file (header = 1), as a spreadsheet shows it. */
  row: number;
  values: Record<string, string>;
}

/**
 * Passes bytes through unchanged, refusing the first line that is not UTF-8 (an export saved as
 * Windows-1251 or UTF-16): decoding it anyway would put replacement characters into names.
 * 0x0A never occurs inside a multi-byte sequence, so lines can be checked one by one.
 */
class Utf8Lines extends Transform {
  private line = 1;
  private carry: Buffer = Buffer.alloc(0);
  constructor(private readonly file: string) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const lastNewline = buf.lastIndexOf(0x0a);
    // Complete lines are checked now; the unfinished last one waits for the next chunk.
    const complete = lastNewline < 0 ? Buffer.alloc(0) : buf.subarray(0, lastNewline + 1);
    this.carry = lastNewline < 0 ? buf : buf.subarray(lastNewline + 1);
    const error = this.check(complete);
    if (error) return done(error);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    done(this.check(this.carry));
  }

  private check(lines: Buffer): JournalSourceError | null {
    if (isUtf8(lines)) {
      for (const byte of lines) if (byte === 0x0a) this.line++;
      return null;
    }
    for (let start = 0; start < lines.length; this.line++) {
      const end = lines.indexOf(0x0a, start);
      const line = lines.subarray(start, end < 0 ? lines.length : end);
      if (!isUtf8(line)) return new JournalSourceError({ code: 'bad-data', problem: 'bad-encoding', file: this.file, row: this.line });
      start = end < 0 ? lines.length : end + 1;
    }
    return null;
  }
}

/**
 * Streams rows as objects keyed by header. Blank header cells get placeholder names (some exports
 * end the header with empty columns). A parse failure becomes `bad-data` naming file and row.
 */
export async function* csvRows(stream: Readable, file: string, options: CsvOptions = {}): AsyncGenerator<CsvRow> {
  const checked = stream.pipe(new Utf8Lines(file));
  const parser = checked.pipe(
    parse({
      bom: true,
      columns: (header: string[]) => header.map((h, i) => h.trim() || `_${i}`),
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      info: true,
      ...options,
    }),
  );
  // pipe() does not pass errors on: an encoding refusal ends the parser with it.
  checked.once('error', (e) => parser.destroy(e));
  stream.once('error', (e) => parser.destroy(e));
  try {
    for await (const item of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      yield { row: item.info.lines, values: item.record };
    }
  } catch (cause) {
    if (cause instanceof JournalSourceError) throw cause;
    const line = (cause as { lines?: number }).lines;
    throw new JournalSourceError({ code: 'bad-data', problem: 'bad-csv', file, row: line, note: cause instanceof Error ? cause.message : undefined }, { cause });
  } finally {
    stream.destroy();
    checked.destroy();
  }
}

/** Requires the columns to be present in a parsed header row; names the first one missing. */
export function requireColumns(row: CsvRow, file: string, columns: readonly string[]): void {
  for (const c of columns) {
    if (!(c in row.values)) throw new JournalSourceError({ code: 'bad-data', problem: 'missing-column', file, row: 1, column: c });
  }
}

/**
 * A cursor over a streamed file for paged steps: pages continue the open stream while the caller
 * reads on in order; a resumed read (another cursor) reopens the file and skips to its row.
 */
export class RowPager<R, T> {
  private iter: AsyncGenerator<R> | undefined;
  private position = 0;
  constructor(
    private readonly open: () => Promise<AsyncGenerator<R> | undefined>,
    private readonly pageSize: number,
    private readonly map: (row: R) => T[],
  ) {}

  /** Ends the open read, if any (its file is closed); a later page reopens the file. */
  async close(): Promise<void> {
    const iter = this.iter;
    this.iter = undefined;
    this.position = 0;
    await iter?.return(undefined);
  }

  async page(cursor: string | null): Promise<{ items: T[]; next: string | null }> {
    const from = Number(cursor ?? 0);
    if (!this.iter || this.position !== from) {
      await this.iter?.return(undefined);
      this.iter = await this.open();
      this.position = 0;
      if (!this.iter) return { items: [], next: null };
      while (this.position < from) {
        if ((await this.iter.next()).done) return { items: [], next: null };
        this.position++;
      }
    }
    const items: T[] = [];
    for (let read = 0; read < this.pageSize; read++) {
      const n = await this.iter.next();
      if (n.done) {
        this.iter = undefined;
        return { items, next: null };
      }
      this.position++;
      items.push(...this.map(n.value));
    }
    return { items, next: String(this.position) };
  }
}

/** RowPager over one CSV file of a bundle (absent file: no rows). */
export function csvPager<T>(bundle: FileBundle, file: string, pageSize: number, map: (row: CsvRow) => T[], csvOptions: CsvOptions = {}): RowPager<CsvRow, T> {
  return new RowPager(async () => {
    const stream = await bundle.open(file);
    return stream ? csvRows(stream, file, csvOptions) : undefined;
  }, pageSize, map);
}
