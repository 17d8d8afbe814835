// What an upload's check read, as the upload answer shows it (issue 16 items 5, 6): counts per kind,
// whether a delta was applied as changes, and warnings named by file, row and column with a
// sentence in the reader's language.
import { csvWarningText } from '../adapters/journals/oneroster-csv/warnings.js';
import type { SyncRun } from '../db/repositories/sync-runs.js';
import type { CheckedExport } from '../sync/journal-exports.js';
import type { Lang } from './messages.js';

export function exportReadView(checked: CheckedExport, lang: Lang) {
  const i = checked.inspection;
  if (!i) return { appliedAsDelta: false };
  return {
    oneRosterVersion: i.version,
    /** A delta upload was merged into the previous export: what is kept is the full export it made. */
    appliedAsDelta: checked.mergedDelta,
    read: i.counts,
    warnings: i.warnings.map((w) => ({ ...w, message: csvWarningText(w, lang) })),
    warningsNotListed: i.warningsNotListed,
  };
}

/** What a run's check of its file export read, and the warnings, for the run's report (or null). */
export function runSourceView(source: SyncRun['progress']['source'], lang: Lang) {
  if (!source) return null;
  return {
    read: source.counts,
    warnings: source.warnings.map((w) => ({ ...w, message: csvWarningText(w, lang) })),
    warningsNotListed: source.warningsNotListed,
  };
}
