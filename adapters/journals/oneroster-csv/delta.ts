// A OneRoster CSV delta applied as changes to the full export before it (issue 16 item 5). A delta
// file holds only the rows that changed; read as a school it would make everyone it leaves out
// gone. So an uploaded delta is merged into the previous export, row by sourcedId: a row the delta
// has replaces the old one (a `tobedeleted` / `inactive` row stays, so the read ends that fact: a
// removal), a new id is added, every id the delta does not name is unchanged. A file the delta
// manifest calls `bulk` replaces the old file; `absent` keeps it. The result is a full export.
import { JournalSourceError } from '../errors.js';
import { csvRows, type CsvRow, type FileBundle } from '../files.js';

export interface MergedFile {
  name: string;
  content: Buffer;
}

const cell = (v: string | undefined) => (v === undefined || v === '' ? '' : /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const line = (values: Array<string | undefined>) => `${values.map(cell).join(',')}\r\n`;

async function manifestOf(bundle: FileBundle): Promise<Array<[string, string]>> {
  const stream = await bundle.open('manifest.csv');
  if (!stream) throw new JournalSourceError({ code: 'bad-data', problem: 'missing-file', file: 'manifest.csv' });
  const out: Array<[string, string]> = [];
  for await (const r of csvRows(stream, 'manifest.csv')) out.push([r.values.propertyName ?? '', r.values.value ?? '']);
  return out;
}

/** Every row of a file, or [] when the bundle has none; the header's columns in order. */
async function readFile(bundle: FileBundle, name: string): Promise<{ header: string[]; rows: CsvRow[] } | undefined> {
  const stream = await bundle.open(name);
  if (!stream) return undefined;
  const rows: CsvRow[] = [];
  for await (const r of csvRows(stream, name)) rows.push(r);
  return { header: rows[0] ? Object.keys(rows[0].values).filter((c) => !/^_\d+$/.test(c)) : [], rows };
}

/** Whether a manifest says the export is a delta (any file in `delta` mode). */
export async function isDeltaExport(bundle: FileBundle): Promise<boolean> {
  return (await manifestOf(bundle)).some(([k, v]) => k.startsWith('file.') && v === 'delta');
}

/** The full export `base` becomes with the changes of `delta`, as CSV files (manifest all bulk). */
export async function mergeDelta(base: FileBundle, delta: FileBundle): Promise<MergedFile[]> {
  const baseManifest = await manifestOf(base);
  if (baseManifest.some(([k, v]) => k.startsWith('file.') && v === 'delta')) {
    throw new JournalSourceError({ code: 'bad-data', problem: 'delta-export', file: 'manifest.csv', note: 'the previous export is a delta too' });
  }
  const deltaManifest = new Map(await manifestOf(delta));
  const files = new Map<string, string>();
  for (const [k, v] of baseManifest) if (k.startsWith('file.') && v !== 'absent' && v !== '') files.set(k.slice(5), 'keep');
  for (const [k, v] of deltaManifest) if (k.startsWith('file.') && (v === 'bulk' || v === 'delta')) files.set(k.slice(5), v);

  const out: MergedFile[] = [];
  for (const [file, how] of files) {
    const name = `${file}.csv`;
    let how2 = how;
    const changes = how === 'keep' ? undefined : await readFile(delta, name);
    if (how !== 'keep' && !changes) throw new JournalSourceError({ code: 'bad-data', problem: 'missing-file', file: name });
    // A delta file with no rows changes nothing.
    if (how === 'delta' && changes!.rows.length === 0) how2 = 'keep';
    const old = how2 === 'bulk' ? undefined : await readFile(base, name);
    if (how2 === 'keep' && !old) continue;
    const header = [...(old?.header ?? [])];
    for (const c of how2 === 'keep' ? [] : (changes?.header ?? [])) if (!header.includes(c)) header.push(c);
    const body: string[] = [line(header)];
    if (how2 === 'delta' && changes && !changes.header.includes('sourcedId')) {
      throw new JournalSourceError({ code: 'bad-data', problem: 'missing-column', file: name, row: 1, column: 'sourcedId' });
    }
    const changed = new Map<string, CsvRow>();
    if (how2 === 'delta') {
      for (const r of changes!.rows) {
        const id = r.values.sourcedId;
        if (!id) throw new JournalSourceError({ code: 'bad-data', problem: 'empty-value', file: name, row: r.row, column: 'sourcedId' });
        changed.set(id, r);
      }
    }
    const written = new Set<string>();
    for (const r of how2 === 'bulk' ? changes!.rows : (old?.rows ?? [])) {
      const replacement = changed.get(r.values.sourcedId ?? '');
      const row = replacement ?? r;
      if (replacement) written.add(replacement.values.sourcedId!);
      body.push(line(header.map((c) => row.values[c])));
    }
    for (const [id, r] of changed) if (!written.has(id)) body.push(line(header.map((c) => r.values[c])));
    out.push({ name, content: Buffer.from(body.join('')) });
  }
  const manifest = new Map(baseManifest);
  for (const [k, v] of deltaManifest) if (!k.startsWith('file.')) manifest.set(k, v);
  for (const k of manifest.keys()) if (k.startsWith('file.')) manifest.set(k, 'absent');
  for (const f of out) manifest.set(`file.${f.name.replace(/\.csv$/, '')}`, 'bulk');
  out.unshift({ name: 'manifest.csv', content: Buffer.from(line(['propertyName', 'value']) + [...manifest].map(([k, v]) => line([k, v])).join('')) });
  return out;
}
