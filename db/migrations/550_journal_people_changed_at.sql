-- A nightly run no longer rewrites every journal person it reads: only rows whose facts changed are
-- written (db/repositories/roster-sync.ts replaceJournalPeople). The column therefore tells when the
-- facts last changed, not when they were last read, and is named for that.
ALTER TABLE journal_people RENAME COLUMN seen_at TO changed_at;
