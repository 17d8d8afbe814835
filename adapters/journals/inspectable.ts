// Sources whose upload can be checked whole before it is kept (OneRoster CSV today): every file,
// row and reference read, counts per kind, warnings. Others are checked by reading a first page.
import type { ExportInspection } from './oneroster-csv/inspect.js';
import type { JournalSource } from './port.js';

export type { ExportCounts, ExportInspection } from './oneroster-csv/inspect.js';

export interface InspectableSource {
  inspectExport(): Promise<ExportInspection>;
}

export function canInspect(source: JournalSource): source is JournalSource & InspectableSource {
  return typeof (source as Partial<InspectableSource>).inspectExport === 'function';
}
