-- Up Migration
-- Journal connections and chat reconciliation (R-C1..R-C7), journal linking (R-L1..R-L4).
-- docs/reconcile.md explains the tables' roles; Temporal holds the runs' progress, these hold the
-- evidence (what the hub applied, what each run reported).

-- The person's messenger account (VK ID / Сферум user id). Set when the person has one (R-L1).
ALTER TABLE people ADD COLUMN messenger_user_id text UNIQUE;

-- A journal system an authority connected, for one or many schools (ARCHITECTURE "Data").
CREATE TABLE journal_connections (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                text NOT NULL,
  kind                text NOT NULL CHECK (kind IN ('oneroster-csv', 'oneroster-rest', 'eljur', 'dnevnik', 'epos-file', 'esh-file')),
  -- Non-secret adapter settings (base URL, folder, vendor name); secrets go in credentials_enc.
  settings            jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- AES-256-GCM under HUB_SECRETS_KEY (infra/secrets.ts): 'v1.<iv>.<tag>.<ciphertext>', base64url.
  credentials_enc     text,
  region              text,
  -- Cron and IANA zone of the nightly run; NULL = SYNC_CRON / SYNC_TIMEZONE.
  cron                text,
  timezone            text,
  -- enabled = configured to run at all (on demand and nightly); paused = nightly runs skipped for now.
  enabled             boolean NOT NULL DEFAULT true,
  paused              boolean NOT NULL DEFAULT false,
  -- R-C7 strict mode for every school of the connection (a school may override it).
  strict_mode         boolean NOT NULL DEFAULT false,
  -- Mass-change guard share (0..1); NULL = ROSTER_MASS_REMOVAL_SHARE.
  mass_removal_share  numeric CHECK (mass_removal_share IS NULL OR (mass_removal_share >= 0 AND mass_removal_share <= 1)),
  created_by          text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX journal_connections_by_region ON journal_connections (region);

-- Which of the journal's schools the connection reconciles, and the hub school each one is.
CREATE TABLE journal_connection_schools (
  connection_id       uuid NOT NULL REFERENCES journal_connections (id) ON DELETE CASCADE,
  school_external_id  text NOT NULL,
  school_id           uuid REFERENCES schools (id) ON DELETE SET NULL,
  -- NULL = the connection's strict_mode.
  strict_mode         boolean,
  enabled             boolean NOT NULL DEFAULT true,
  PRIMARY KEY (connection_id, school_external_id)
);

-- One reconciliation run (a reconcileWorkflow execution; continue-as-new keeps the workflow id).
CREATE TABLE sync_runs (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  connection_id       uuid NOT NULL REFERENCES journal_connections (id) ON DELETE CASCADE,
  workflow_id         text NOT NULL UNIQUE,
  kind                text NOT NULL CHECK (kind IN ('nightly', 'on-demand')),
  scope_school_external_id text,
  scope_person_id     uuid REFERENCES people (id) ON DELETE SET NULL,
  dry_run             boolean NOT NULL DEFAULT false,
  -- planned = a dry run finished (its report is what would have been applied).
  status              text NOT NULL DEFAULT 'running'
                        CHECK (status IN ('running', 'awaiting-confirmation', 'applied', 'planned', 'discarded', 'failed')),
  -- Schools done / total, rows read, changes applied so far (updated as the run goes).
  progress            jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Totals when finished: rowsRead, chats, adds, removes, pending, errors, handKept.
  totals              jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Milliseconds per phase, summed over schools: read, plan, apply.
  timings             jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Mass-change guard verdict when the run stopped for a human (schools over the threshold).
  guard               jsonb,
  requested_by        text,
  decided_by          text,
  decided_at          timestamptz,
  error               text,
  started_at          timestamptz NOT NULL DEFAULT now(),
  finished_at         timestamptz
);
CREATE INDEX sync_runs_by_connection ON sync_runs (connection_id, started_at DESC);
CREATE INDEX sync_runs_open ON sync_runs (status) WHERE status IN ('running', 'awaiting-confirmation');

-- The per-chat report of a run (ARCHITECTURE "Reconciliation" step 5).
CREATE TABLE sync_run_chats (
  run_id              uuid NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
  school_external_id  text NOT NULL,
  chat_key            text NOT NULL,
  title               text NOT NULL,
  adds                integer NOT NULL DEFAULT 0,
  removes             integer NOT NULL DEFAULT 0,
  pending             integer NOT NULL DEFAULT 0,
  hand_kept           integer NOT NULL DEFAULT 0,
  errors              integer NOT NULL DEFAULT 0,
  -- Adds/removes actually applied (equal to adds/removes once a run applied; 0 in dry runs).
  applied_adds        integer NOT NULL DEFAULT 0,
  applied_removes     integer NOT NULL DEFAULT 0,
  error_detail        jsonb,
  PRIMARY KEY (run_id, school_external_id, chat_key)
);

-- Per school of a run: phase timings and guard numbers.
CREATE TABLE sync_run_schools (
  run_id              uuid NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
  school_external_id  text NOT NULL,
  status              text NOT NULL DEFAULT 'reading'
                        CHECK (status IN ('reading', 'planned', 'held', 'applying', 'applied', 'discarded', 'failed')),
  rows_read           integer NOT NULL DEFAULT 0,
  managed_members     integer NOT NULL DEFAULT 0,
  removes             integer NOT NULL DEFAULT 0,
  read_ms             integer NOT NULL DEFAULT 0,
  plan_ms             integer NOT NULL DEFAULT 0,
  apply_ms            integer NOT NULL DEFAULT 0,
  warnings            jsonb NOT NULL DEFAULT '[]'::jsonb,
  PRIMARY KEY (run_id, school_external_id)
);

-- Pages of a school's roster read this run (streamed in, read back by the planner, then dropped).
CREATE UNLOGGED TABLE roster_staging (
  run_id              uuid NOT NULL,
  school_external_id  text NOT NULL,
  record_key          text NOT NULL,
  record              jsonb NOT NULL,
  PRIMARY KEY (run_id, school_external_id, record_key)
);

-- What the journal says about people, kept from the last run: linking checks (R-L3) read it.
CREATE TABLE journal_people (
  connection_id       uuid NOT NULL REFERENCES journal_connections (id) ON DELETE CASCADE,
  school_external_id  text NOT NULL,
  external_id         text NOT NULL,
  roles               text[] NOT NULL DEFAULT '{}',
  display_name        text,
  birth_date          date,
  -- External ids of this student's guardians, as the journal lists them.
  guardian_ids        text[] NOT NULL DEFAULT '{}',
  seen_at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (connection_id, school_external_id, external_id)
);
CREATE INDEX journal_people_by_external_id ON journal_people (connection_id, external_id);

-- R-L1: a journal identity linked to a hub person and their messenger account.
CREATE TABLE journal_links (
  id                  bigserial PRIMARY KEY,
  connection_id       uuid NOT NULL REFERENCES journal_connections (id) ON DELETE CASCADE,
  external_person_id  text NOT NULL,
  person_id           uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  messenger_user_id   text NOT NULL,
  linked_at           timestamptz NOT NULL DEFAULT now(),
  linked_by           text,
  unlinked_at         timestamptz,
  unlink_reason       text
);
-- One live link per journal identity; history stays.
CREATE UNIQUE INDEX journal_links_live ON journal_links (connection_id, external_person_id) WHERE unlinked_at IS NULL;
CREATE INDEX journal_links_by_person ON journal_links (person_id) WHERE unlinked_at IS NULL;

-- The messenger chats the hub manages, found again by their stable key (docs/chats.md).
CREATE TABLE managed_chats (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  connection_id       uuid NOT NULL REFERENCES journal_connections (id) ON DELETE CASCADE,
  school_external_id  text NOT NULL,
  chat_key            text NOT NULL,
  kind                text NOT NULL CHECK (kind IN ('class', 'parents', 'staff', 'subject')),
  title               text NOT NULL,
  -- NULL until created in the messenger (createChat with idempotency key <connection>/<school>/<key>).
  messenger_chat_id   text UNIQUE,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (connection_id, school_external_id, chat_key)
);

-- The run's planned changes, one row per membership; applied_at is set in the same transaction
-- that updates managed_memberships, right after the messenger accepted the batch.
CREATE TABLE sync_run_changes (
  id                  bigserial PRIMARY KEY,
  run_id              uuid NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
  school_external_id  text NOT NULL,
  chat_id             uuid NOT NULL REFERENCES managed_chats (id) ON DELETE CASCADE,
  op                  text NOT NULL CHECK (op IN ('add', 'remove')),
  messenger_user_id   text NOT NULL,
  applied_at          timestamptz,
  UNIQUE (run_id, chat_id, op, messenger_user_id)
);
CREATE INDEX sync_run_changes_todo ON sync_run_changes (run_id, school_external_id, chat_id, op) WHERE applied_at IS NULL;

-- R-C7: the memberships the hub itself applied; only these are ever removed (outside strict mode).
CREATE TABLE managed_memberships (
  chat_id             uuid NOT NULL REFERENCES managed_chats (id) ON DELETE CASCADE,
  messenger_user_id   text NOT NULL,
  added_at            timestamptz NOT NULL DEFAULT now(),
  added_by_run        uuid,
  PRIMARY KEY (chat_id, messenger_user_id)
);
CREATE INDEX managed_memberships_by_user ON managed_memberships (messenger_user_id);

-- R-C6 / R-L2: desired members not linked yet ("will be added automatically after linking").
CREATE TABLE pending_members (
  chat_id             uuid NOT NULL REFERENCES managed_chats (id) ON DELETE CASCADE,
  external_person_id  text NOT NULL,
  since               timestamptz NOT NULL DEFAULT now(),
  run_id              uuid,
  PRIMARY KEY (chat_id, external_person_id)
);
CREATE INDEX pending_members_by_person ON pending_members (external_person_id);

-- Down Migration
DROP TABLE pending_members;
DROP TABLE sync_run_changes;
DROP TABLE managed_memberships;
DROP TABLE managed_chats;
DROP TABLE journal_links;
DROP TABLE journal_people;
DROP TABLE roster_staging;
DROP TABLE sync_run_schools;
DROP TABLE sync_run_chats;
DROP TABLE sync_runs;
DROP TABLE journal_connection_schools;
DROP TABLE journal_connections;
ALTER TABLE people DROP COLUMN messenger_user_id;
