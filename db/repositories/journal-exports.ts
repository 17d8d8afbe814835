// Uploaded file exports of file-based journal connections (migration 400). One current export per
// connection; replacing it is one transaction, so a sync reads either the old files or the new ones.
import { createHash } from 'node:crypto';
import type { ExportCounts } from '../../adapters/journals/inspectable.js';
import type { CsvWarning } from '../../adapters/journals/oneroster-csv/warnings.js';
import { inTransaction, type Pool, type Queryable } from '../../infra/postgres.js';

export type ExportLayout = 'zip' | 'files' | 'jsonl';

export interface ExportFile {
  name: string;
  content: Buffer;
}

export interface JournalExport {
  id: string;
  connectionId: string;
  layout: ExportLayout;
  byteSize: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: Date;
  files: { name: string; bytes: number }[];
  /** What the upload check read and warned about (migration 781), or null. */
  inspection: ExportInspectionSummary | null;
}

/** Counts and warnings of an upload check, as kept with the export. */
export interface ExportInspectionSummary {
  counts: ExportCounts;
  warnings: CsvWarning[];
  warningsNotListed: number;
}

/** SHA-256 over the files in name order (name, NUL, content), as the table documents. */
export function exportDigest(files: readonly ExportFile[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => a.name.localeCompare(b.name))) h.update(f.name).update('\0').update(f.content);
  return h.digest('hex');
}

const columns = `e.id, e.connection_id AS "connectionId", e.layout, e.byte_size::float8 AS "byteSize", e.sha256,
  e.uploaded_by AS "uploadedBy", e.uploaded_at AS "uploadedAt", e.inspection,
  coalesce((SELECT json_agg(json_build_object('name', f.name, 'bytes', octet_length(f.content)) ORDER BY f.name)
              FROM journal_export_files f WHERE f.export_id = e.id), '[]'::json) AS files`;

export async function replaceExport(
  pool: Pool,
  input: { connectionId: string; layout: ExportLayout; files: readonly ExportFile[]; uploadedBy: string; inspection?: ExportInspectionSummary },
): Promise<JournalExport> {
  const byteSize = input.files.reduce((n, f) => n + f.content.length, 0);
  const id = await inTransaction(pool, async (tx) => {
    await tx.query(`DELETE FROM journal_exports WHERE connection_id = $1`, [input.connectionId]);
    const { rows } = await tx.query(
      `INSERT INTO journal_exports (connection_id, layout, byte_size, sha256, uploaded_by, inspection) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [input.connectionId, input.layout, byteSize, exportDigest(input.files), input.uploadedBy, input.inspection ? JSON.stringify(input.inspection) : null],
    );
    const exportId = (rows[0] as { id: string }).id;
    for (const f of input.files) {
      await tx.query(`INSERT INTO journal_export_files (export_id, name, content) VALUES ($1, $2, $3)`, [exportId, f.name, f.content]);
    }
    return exportId;
  });
  return (await findExportById(pool, id))!;
}

export async function findExportById(db: Queryable, id: string): Promise<JournalExport | undefined> {
  const { rows } = await db.query(`SELECT ${columns} FROM journal_exports e WHERE e.id = $1`, [id]);
  return rows[0] as JournalExport | undefined;
}

export async function findCurrentExport(db: Queryable, connectionId: string): Promise<JournalExport | undefined> {
  const { rows } = await db.query(`SELECT ${columns} FROM journal_exports e WHERE e.connection_id = $1`, [connectionId]);
  return rows[0] as JournalExport | undefined;
}

/** The files themselves, one at a time (an export may be large: never all rows in one result). */
export async function* readExportFiles(db: Queryable, exportId: string, names: readonly string[]): AsyncGenerator<ExportFile> {
  for (const name of names) {
    const { rows } = await db.query(`SELECT content FROM journal_export_files WHERE export_id = $1 AND name = $2`, [exportId, name]);
    const row = rows[0] as { content: Buffer } | undefined;
    if (row) yield { name, content: row.content };
  }
}
