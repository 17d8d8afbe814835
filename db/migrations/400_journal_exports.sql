-- Up Migration
-- File exports an authority operator uploaded for a file-based journal connection (OneRoster CSV,
-- EPOS, ESH): kept in PostgreSQL so every worker replica reads the same bytes. One current export
-- per connection; a new upload replaces it in one transaction (readers see the old or the new one).
CREATE TABLE journal_exports (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  connection_id  uuid NOT NULL REFERENCES journal_connections (id) ON DELETE CASCADE,
  -- zip: one .zip the adapter opens; files: the CSV files of one folder; jsonl: one EPOS file.
  layout         text NOT NULL CHECK (layout IN ('zip', 'files', 'jsonl')),
  byte_size      bigint NOT NULL CHECK (byte_size > 0),
  -- SHA-256 over the files in name order (name, NUL, content): names the export in the worker's cache.
  sha256         text NOT NULL,
  uploaded_by    text NOT NULL,
  uploaded_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX journal_exports_one_per_connection ON journal_exports (connection_id);

CREATE TABLE journal_export_files (
  export_id  uuid NOT NULL REFERENCES journal_exports (id) ON DELETE CASCADE,
  -- A base name only (no folders): checked by the API before it is stored.
  name       text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$'),
  content    bytea NOT NULL,
  PRIMARY KEY (export_id, name)
);

-- Down Migration
DROP TABLE journal_export_files;
DROP TABLE journal_exports;
