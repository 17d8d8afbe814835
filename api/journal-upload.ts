// What an authority operator may upload as a journal export: a .zip (OneRoster CSV, ESH), a JSON Lines
// file (EPOS), or multipart/form-data with the CSV files of one export (or a single .zip / .jsonl part).
// The body is streamed to a scratch folder under a byte cap (api/upload-scratch.ts), a zip is held to
// the archive limits (infra/zip-guard.ts) before anything reads its content, and everything is checked
// before anything is stored. The scratch folder is gone when this returns, whatever the outcome.
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import type { Request } from 'express';
import type { ExportFile, ExportLayout } from '../db/repositories/journal-exports.js';
import type { Config } from '../infra/config.js';
import { checkZipLimits, ZipRefusal, type ZipLimits } from '../infra/zip-guard.js';
import { LAYOUTS, type FileKind } from '../sync/journal-exports.js';
import { fill, words, type Params, type Words } from '../i18n/index.js';
import type { MessageCode } from './messages.js';
import { Problem } from './problem.js';
import { BodyAborted, BodyTooLarge, withScratchBody } from './upload-scratch.js';

export const ZIP_TYPES = ['application/zip', 'application/x-zip-compressed'] as const;
export const JSONL_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines'] as const;
export const MULTIPART = 'multipart/form-data';
/** Every request body type the upload route takes (OpenAPI and the JSON-only guard read this). */
export const UPLOAD_TYPES = [...ZIP_TYPES, ...JSONL_TYPES, MULTIPART] as const;
/** The problem types the upload route answers with, besides the ones every route has (OpenAPI lists them). */
export const UPLOAD_PROBLEMS: ReadonlyArray<readonly [number, MessageCode]> = [
  [413, 'export-too-large'],
  [413, 'export-too-large-unpacked'],
  [415, 'export-wrong-type'],
  [422, 'export-invalid'],
  [422, 'export-too-many-files'],
  [422, 'export-too-compressed'],
];

export interface UploadLimits {
  /** Where bodies are streamed to (a folder per upload, removed afterwards). */
  scratch: string;
  /** The body as sent (compressed, for a zip). */
  maxBytes: number;
  zip: ZipLimits;
}

export const uploadLimitsFromConfig = (config: Config): UploadLimits => ({
  scratch: config.JOURNAL_UPLOAD_SCRATCH_DIR ?? tmpdir(),
  maxBytes: config.JOURNAL_UPLOAD_MAX_BYTES,
  zip: {
    maxEntries: config.JOURNAL_UPLOAD_ZIP_MAX_ENTRIES,
    maxUnpackedBytes: config.JOURNAL_UPLOAD_ZIP_MAX_UNPACKED_BYTES,
    maxRatio: config.JOURNAL_UPLOAD_ZIP_MAX_RATIO,
  },
});

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const mediaType = (contentType: string | undefined): string => (contentType ?? '').split(';')[0]!.trim().toLowerCase();
/** Megabytes to one decimal; a cap under a megabyte (tests, tiny setups) keeps two significant digits, not "0". */
const megabytes = (bytes: number) => {
  const mb = bytes / 1024 / 1024;
  return mb >= 1 ? Math.round(mb * 10) / 10 : Number(mb.toPrecision(2));
};

/** The types this kind of connection takes, as the 415 problem lists them. */
export function acceptedTypes(kind: FileKind): string[] {
  return LAYOUTS[kind].includes('jsonl') ? [...JSONL_TYPES, MULTIPART] : [...ZIP_TYPES, MULTIPART];
}

/** The reason an export is refused, in both languages (problem export-invalid picks the reader's). */
export const exportReason = (key: keyof Words['upload'], params: Params = {}) => ({
  reasonRu: `${fill(words('ru').upload[key], params)}.`,
  reasonEn: `${fill(words('en').upload[key], params)}.`,
});
const invalid = (key: keyof Words['upload'], params: Params = {}) => new Problem(422, 'export-invalid', exportReason(key, params));

/** The body is not read any further: the connection closes after the answer instead of draining it. */
const closing = { connection: 'close' };

/** A zip refused by the guard, as the problem the operator reads (the file inside named when one is to blame). */
function zipProblem(refusal: ZipRefusal, limits: ZipLimits): Problem {
  const name = basename(refusal.entry ?? '').slice(0, 100);
  switch (refusal.reason) {
    case 'not-zip':
      return invalid('notZip');
    case 'damaged':
      return invalid('zipDamaged');
    case 'empty':
      return invalid('zipEmpty');
    case 'entry-damaged':
      return invalid('entryDamaged', { name });
    case 'size-lies':
      return invalid('entrySizeLies', { name });
    case 'too-many-entries':
      return new Problem(422, 'export-too-many-files', { max: limits.maxEntries });
    case 'too-large-unpacked':
      return new Problem(413, 'export-too-large-unpacked', { maxMb: megabytes(limits.maxUnpackedBytes) });
    case 'too-compressed':
      return new Problem(422, 'export-too-compressed', { name, maxRatio: limits.maxRatio });
  }
}

async function checkZip(path: string, limits: ZipLimits): Promise<void> {
  try {
    await checkZipLimits(path, limits);
  } catch (error) {
    throw error instanceof ZipRefusal ? zipProblem(error, limits) : error;
  }
}

/**
 * The parts of a multipart body read back from its scratch file. No streaming multipart parser is
 * installed, so the parser (undici's FormData) holds the body in memory: at most the byte cap.
 */
async function multipartFiles(contentType: string, path: string, maxFiles: number): Promise<ExportFile[]> {
  let form: FormData;
  try {
    const body = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw invalid('multipartUnreadable');
  }
  const files: ExportFile[] = [];
  for (const value of form.values()) {
    if (typeof value === 'string') continue; // plain form fields carry no export
    if (files.length >= maxFiles) throw new Problem(422, 'export-too-many-files', { max: maxFiles });
    const name = basename(value.name.replace(/\\/g, '/'));
    if (!SAFE_NAME.test(name)) throw invalid('badFileName', { name: name.slice(0, 100) });
    if (files.some((f) => f.name.toLowerCase() === name.toLowerCase())) throw invalid('fileTwice', { name });
    files.push({ name, content: Buffer.from(await value.arrayBuffer()) });
  }
  return files;
}

/** The body received in `dir` as files in one of the kind's layouts. */
async function layoutOf(kind: FileKind, type: string, contentType: string, body: { dir: string; path: string; bytes: number }, limits: UploadLimits) {
  const layouts = LAYOUTS[kind];
  if (body.bytes === 0) throw invalid('fileEmpty');
  const ext = (name: string) => name.toLowerCase().split('.').pop();

  if (type !== MULTIPART) {
    if (layouts.includes('jsonl')) return { layout: 'jsonl' as const, files: [{ name: 'export.jsonl', content: await readFile(body.path) }] };
    await checkZip(body.path, limits.zip);
    return { layout: 'zip' as const, files: [{ name: 'export.zip', content: await readFile(body.path) }] };
  }

  const files = await multipartFiles(contentType, body.path, limits.zip.maxEntries);
  if (files.length === 0) throw invalid('noFiles');
  if (files.some((f) => f.content.length === 0)) throw invalid('oneFileEmpty');
  if (layouts.includes('jsonl')) {
    if (files.length !== 1 || ext(files[0]!.name) !== 'jsonl') throw invalid('oneJsonl');
    return { layout: 'jsonl' as const, files };
  }
  if (files.length === 1 && ext(files[0]!.name) === 'zip') {
    const zipPath = join(body.dir, 'export.zip');
    await writeFile(zipPath, files[0]!.content, { mode: 0o600 });
    await checkZip(zipPath, limits.zip);
    return { layout: 'zip' as const, files: [{ name: 'export.zip', content: files[0]!.content }] };
  }
  if (files.every((f) => ext(f.name) === 'csv')) return { layout: 'files' as const, files };
  throw invalid('zipOrCsv');
}

/** The upload as files in one of the kind's layouts, or a problem saying what is wrong with it. */
export async function readUpload(kind: FileKind, req: Request, limits: UploadLimits): Promise<{ layout: ExportLayout; files: ExportFile[] }> {
  const contentType = req.headers['content-type'];
  const type = mediaType(contentType);
  if (!acceptedTypes(kind).includes(type)) throw new Problem(415, 'export-wrong-type', { accepted: acceptedTypes(kind).join(', ') }, {}, closing);
  try {
    return await withScratchBody(req, limits, (body) => layoutOf(kind, type, contentType!, body, limits));
  } catch (error) {
    if (error instanceof BodyTooLarge) throw new Problem(413, 'export-too-large', { maxMb: megabytes(limits.maxBytes) }, {}, closing);
    if (error instanceof BodyAborted) throw new Problem(400, 'upload-aborted', {}, {}, closing);
    throw error;
  }
}
