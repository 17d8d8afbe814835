// What an authority operator may upload as a journal export, read from the raw request body:
// a .zip (OneRoster CSV, ESH), a JSON Lines file (EPOS), or multipart/form-data with the CSV files of
// one export (or a single .zip / .jsonl part). Everything is checked before anything is stored.
import { basename } from 'node:path';
import yauzl from 'yauzl';
import type { ExportFile, ExportLayout } from '../db/repositories/journal-exports.js';
import { LAYOUTS, type FileKind } from '../sync/journal-exports.js';
import { fill, words, type Params, type Words } from '../i18n/index.js';
import { Problem } from './problem.js';

export const ZIP_TYPES = ['application/zip', 'application/x-zip-compressed'] as const;
export const JSONL_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines'] as const;
export const MULTIPART = 'multipart/form-data';
/** Every request body type the upload route takes (OpenAPI and the JSON-only guard read this). */
export const UPLOAD_TYPES = [...ZIP_TYPES, ...JSONL_TYPES, MULTIPART] as const;

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const mediaType = (contentType: string | undefined): string => (contentType ?? '').split(';')[0]!.trim().toLowerCase();

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

/** Opens the archive far enough to list it: a broken or empty zip is refused here, not at 2 a.m. */
function checkZip(content: Buffer): Promise<void> {
  if (content.subarray(0, 4).toString('latin1') !== 'PK\x03\x04') {
    return Promise.reject(invalid('notZip'));
  }
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(content, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(invalid('zipDamaged'));
      let files = 0;
      zip.on('entry', (e: yauzl.Entry) => {
        if (!e.fileName.endsWith('/')) files++;
        zip.readEntry();
      });
      zip.on('error', () => reject(invalid('zipDamaged')));
      zip.on('end', () => (files > 0 ? resolve() : reject(invalid('zipEmpty'))));
      zip.readEntry();
    });
  });
}

async function multipartFiles(contentType: string, body: Buffer): Promise<ExportFile[]> {
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw invalid('multipartUnreadable');
  }
  const files: ExportFile[] = [];
  for (const value of form.values()) {
    if (typeof value === 'string') continue; // plain form fields carry no export
    const name = basename(value.name.replace(/\\/g, '/'));
    if (!SAFE_NAME.test(name)) throw invalid('badFileName', { name: name.slice(0, 100) });
    if (files.some((f) => f.name.toLowerCase() === name.toLowerCase())) throw invalid('fileTwice', { name });
    files.push({ name, content: Buffer.from(await value.arrayBuffer()) });
  }
  return files;
}

/** The upload as files in one of the kind's layouts, or a problem saying what is wrong with it. */
export async function readUpload(kind: FileKind, contentType: string | undefined, body: Buffer): Promise<{ layout: ExportLayout; files: ExportFile[] }> {
  const type = mediaType(contentType);
  const layouts = LAYOUTS[kind];
  if (!acceptedTypes(kind).includes(type)) throw new Problem(415, 'export-wrong-type', { accepted: acceptedTypes(kind).join(', ') });
  if (body.length === 0) throw invalid('fileEmpty');

  let files: ExportFile[];
  if (type === MULTIPART) files = await multipartFiles(contentType!, body);
  else files = [{ name: layouts.includes('jsonl') ? 'export.jsonl' : 'export.zip', content: body }];
  if (files.length === 0) throw invalid('noFiles');
  if (files.some((f) => f.content.length === 0)) throw invalid('oneFileEmpty');

  const ext = (f: ExportFile) => f.name.toLowerCase().split('.').pop();
  if (layouts.includes('jsonl')) {
    if (files.length !== 1 || ext(files[0]!) !== 'jsonl') throw invalid('oneJsonl');
    return { layout: 'jsonl', files };
  }
  if (files.length === 1 && ext(files[0]!) === 'zip') {
    await checkZip(files[0]!.content);
    return { layout: 'zip', files: [{ name: 'export.zip', content: files[0]!.content }] };
  }
  if (files.every((f) => ext(f) === 'csv')) return { layout: 'files', files };
  throw invalid('zipOrCsv');
}
