-- Up Migration
-- A planned change the messenger refused for good (chat gone, bot not admin): kept with its reason,
-- not retried in the same run, counted in the chat's report.
ALTER TABLE sync_run_changes ADD COLUMN error text;
DROP INDEX sync_run_changes_todo;
CREATE INDEX sync_run_changes_todo ON sync_run_changes (run_id, school_external_id, chat_id, op) WHERE applied_at IS NULL AND error IS NULL;

-- Down Migration
DROP INDEX sync_run_changes_todo;
CREATE INDEX sync_run_changes_todo ON sync_run_changes (run_id, school_external_id, chat_id, op) WHERE applied_at IS NULL;
ALTER TABLE sync_run_changes DROP COLUMN error;
