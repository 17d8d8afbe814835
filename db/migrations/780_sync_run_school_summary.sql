-- Up Migration
-- Issue 16 item 6: a run's report says what it read from the journal per kind (classes, students,
-- teachers, staff, parents, enrollments, guardian links) and what it will do (chats to create,
-- adds, removes, people pending an invitation), with the messenger's read calls apart from its
-- write calls. One JSON object per school line; the API sums them for the run.
ALTER TABLE sync_run_schools ADD COLUMN summary jsonb NOT NULL DEFAULT '{}'::jsonb;

-- Down Migration
ALTER TABLE sync_run_schools DROP COLUMN summary;
