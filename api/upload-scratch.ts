// An upload's body streamed to a file in a scratch folder of its own, never held whole in memory,
// and cut off at a byte cap: refused from Content-Length before a byte is read, or at the first byte
// over the cap when the body comes chunked. The folder is removed when the work on it ends, accepted,
// refused or abandoned by the client.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Request } from 'express';

/** The body did not fit under the cap (413). */
export class BodyTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`body over ${maxBytes} bytes`);
    this.name = 'BodyTooLarge';
  }
}

/** The client went away before the body was complete. */
export class BodyAborted extends Error {
  constructor() {
    super('the client closed the request before its body was complete');
    this.name = 'BodyAborted';
  }
}

/** Writes the request body to `path`, at most `maxBytes` of it; resolves with the byte count. */
function bodyToFile(req: Request, path: string, maxBytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    let bytes = 0;
    let failed = false;
    const detach = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
    };
    // The request is paused, not destroyed: its socket must live to carry the 413 to the client.
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      detach();
      req.pause();
      req.unpipe();
      out.destroy();
      out.once('close', () => reject(error));
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) return fail(new BodyTooLarge(maxBytes));
      if (!out.write(chunk)) {
        req.pause();
        out.once('drain', () => !failed && req.resume());
      }
    };
    const onEnd = () => {
      detach();
      out.end();
    };
    const onAbort = () => fail(new BodyAborted());
    const onClose = () => {
      if (!req.complete) onAbort();
    };
    out.on('error', (error) => fail(error));
    out.on('close', () => !failed && resolve(bytes));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
  });
}

export interface ScratchBody {
  /** The upload's own folder (removed afterwards with everything in it). */
  dir: string;
  /** The body, as received. */
  path: string;
  bytes: number;
}

/**
 * Streams the body into a new folder under `scratch`, runs `work` on it, and removes the folder
 * whatever happens. Throws BodyTooLarge (before creating anything, when Content-Length says so) or
 * BodyAborted.
 */
export async function withScratchBody<T>(req: Request, opts: { scratch: string; maxBytes: number }, work: (body: ScratchBody) => Promise<T>): Promise<T> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > opts.maxBytes) throw new BodyTooLarge(opts.maxBytes);
  const dir = await mkdtemp(join(opts.scratch, 'hub-upload-'));
  try {
    const path = join(dir, 'body');
    const bytes = await bodyToFile(req, path, opts.maxBytes);
    return await work({ dir, path, bytes });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
