-- Up Migration
-- Issue 7: a run's report says how hard the messenger was to talk to (calls, retries, 429s, 5xx,
-- timeouts, time waited), per school; the run's totals sum them. Added to by every apply attempt,
-- failed ones included, since their calls happened.
ALTER TABLE sync_run_schools
  ADD COLUMN messenger_calls          integer NOT NULL DEFAULT 0,
  ADD COLUMN messenger_retries        integer NOT NULL DEFAULT 0,
  ADD COLUMN messenger_rate_limited   integer NOT NULL DEFAULT 0,
  ADD COLUMN messenger_server_errors  integer NOT NULL DEFAULT 0,
  ADD COLUMN messenger_timeouts       integer NOT NULL DEFAULT 0,
  ADD COLUMN messenger_network_errors integer NOT NULL DEFAULT 0,
  ADD COLUMN messenger_waited_ms      integer NOT NULL DEFAULT 0;

-- Down Migration
ALTER TABLE sync_run_schools
  DROP COLUMN messenger_calls,
  DROP COLUMN messenger_retries,
  DROP COLUMN messenger_rate_limited,
  DROP COLUMN messenger_server_errors,
  DROP COLUMN messenger_timeouts,
  DROP COLUMN messenger_network_errors,
  DROP COLUMN messenger_waited_ms;
