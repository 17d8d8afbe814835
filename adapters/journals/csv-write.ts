// Minimal RFC 4180 writing for the exports the simulators and tests produce.
import { writeFile } from 'node:fs/promises';

export function csvLine(values: readonly (string | number | boolean | undefined | null)[], delimiter = ','): string {
  return values
    .map((v) => {
      const s = v === undefined || v === null ? '' : String(v);
      return s.includes(delimiter) || s.includes('"') || s.includes('\n') ? `"${s.replaceAll('"', '""')}"` : s;
    })
    .join(delimiter);
}

/** Header plus rows; `duplicate` writes every data row twice (a fault some exporters have). */
export async function writeCsv(path: string, header: readonly string[], rows: readonly (readonly unknown[])[], opts: { delimiter?: string; duplicate?: boolean } = {}): Promise<void> {
  const d = opts.delimiter ?? ',';
  const lines = [csvLine(header, d)];
  for (const r of rows) {
    const line = csvLine(r as (string | number | boolean | undefined | null)[], d);
    lines.push(line);
    if (opts.duplicate) lines.push(line);
  }
  await writeFile(path, `${lines.join('\n')}\n`, 'utf8');
}
