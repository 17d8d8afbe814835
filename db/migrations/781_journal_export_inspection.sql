-- Up Migration
-- Issue 16 items 5, 6: what the upload check read from an export (counts per kind) and its warnings
-- (file, row, column), kept with the export so each run's report carries them without reading the
-- whole export again. Null for exports checked before this existed and for kinds not checked whole.
ALTER TABLE journal_exports ADD COLUMN inspection jsonb;

-- Down Migration
ALTER TABLE journal_exports DROP COLUMN inspection;
