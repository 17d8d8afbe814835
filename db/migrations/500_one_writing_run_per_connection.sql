-- At most one run that writes (not a dry run) per connection is live at a time: two writers would
-- plan against the same chats and apply each other's changes twice. A run still open when this
-- migration runs is kept if it is the newest of its connection; older open ones are closed.
UPDATE sync_runs r
   SET status = 'failed', error = 'closed by migration 500: a newer run of the connection was open', finished_at = now()
 WHERE NOT r.dry_run
   AND r.status IN ('running', 'awaiting-confirmation')
   AND EXISTS (
     SELECT 1 FROM sync_runs n
      WHERE n.connection_id = r.connection_id AND NOT n.dry_run
        AND n.status IN ('running', 'awaiting-confirmation')
        AND (n.started_at, n.id) > (r.started_at, r.id)
   );

CREATE UNIQUE INDEX sync_runs_one_writer ON sync_runs (connection_id)
  WHERE NOT dry_run AND status IN ('running', 'awaiting-confirmation');
