-- Up Migration
-- Counters of rate-limiter-flexible's PostgreSQL store (api/rate-limit.ts): every API replica
-- reads and writes the same rows, so a limit holds across replicas. Columns as the library expects.
CREATE TABLE rate_limits (
  key     varchar(255) PRIMARY KEY,
  points  integer NOT NULL DEFAULT 0,
  expire  bigint
);

-- Support reads audit entries by actor and time too (who revealed what, when).
CREATE INDEX audit_by_actor ON audit_log (actor, at);

-- Down Migration
DROP INDEX audit_by_actor;
DROP TABLE rate_limits;
