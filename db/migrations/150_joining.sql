-- Up Migration
-- Joining a school (R-J1, R-J4, R-J5) and parent confirmation (R-G1..R-G7).

-- Search folding that does not depend on the database's locale: Cyrillic capitals are mapped by
-- hand (a C-locale cluster's lower() leaves them alone) and ё is read as е, as people type it.
CREATE FUNCTION hub_fold(t text) RETURNS text
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT lower(translate(t, 'АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯё', 'абвгдеежзийклмнопрстуфхцчшщъыьэюяе')) $$;

CREATE INDEX schools_directory ON schools (hub_fold(settlement), hub_fold(name));

-- R-A7: an account whose parent confirmation is overdue is restricted until a parent confirms.
ALTER TABLE people
  ADD COLUMN IF NOT EXISTS restricted     boolean NOT NULL DEFAULT false,
  ADD COLUMN IF NOT EXISTS restricted_at  timestamptz;

-- Read model of applicationWorkflow (the workflow is the source of truth for the journey).
CREATE TABLE applications (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id   uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  school_id   uuid NOT NULL REFERENCES schools (id),
  class_id    uuid REFERENCES classes (id),
  role        text NOT NULL CHECK (role IN ('student', 'teacher')),
  via         text NOT NULL CHECK (via IN ('invite', 'directory')),
  invite_id   uuid REFERENCES invites (id),
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  decided_at  timestamptz,
  decided_by  text,
  reason      text,
  CHECK (role <> 'student' OR class_id IS NOT NULL)
);
-- One open application per person and school: the database backs the workflow id's uniqueness.
CREATE UNIQUE INDEX applications_one_pending ON applications (person_id, school_id) WHERE status = 'pending';
CREATE INDEX applications_by_school ON applications (school_id, status, created_at);

-- Outbox: reminders and escalations written by activities, delivered by whatever sends messages.
CREATE TABLE notifications (
  id              bigserial PRIMARY KEY,
  dedupe_key      text NOT NULL UNIQUE,   -- an activity retry writes one row, not two
  kind            text NOT NULL,
  recipient_kind  text NOT NULL CHECK (recipient_kind IN ('school_approvers', 'authority', 'person')),
  recipient_id    text NOT NULL,
  payload         jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);
CREATE INDEX notifications_unsent ON notifications (created_at) WHERE sent_at IS NULL;

-- R-J1 "my organisation is not listed": a request the authority can act on.
CREATE TABLE school_requests (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  region       text,
  settlement   text NOT NULL,
  school_name  text NOT NULL,
  role         text NOT NULL CHECK (role IN ('student', 'teacher')),
  class_name   text,
  comment      text,
  status       text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'in_progress', 'done', 'declined')),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX school_requests_by_region ON school_requests (region, created_at DESC);

-- R-G2: a child's parent link. Only the SHA-256 of the token is kept.
CREATE TABLE parent_links (
  token_hash  text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  child_id    uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX parent_links_by_child ON parent_links (child_id);

-- R-G3, R-G7: who confirmed whom. Two per child at most (also enforced by guardianWorkflow).
CREATE TABLE guardianships (
  child_id      uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  parent_id     uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  confirmed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (child_id, parent_id),
  CHECK (child_id <> parent_id)
);
CREATE INDEX guardianships_by_parent ON guardianships (parent_id);

-- R-G6: evidence of consent. The text itself lives in the code under its version; its hash pins it.
CREATE TABLE consents (
  id            bigserial PRIMARY KEY,
  child_id      uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  parent_id     uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  text_version  text NOT NULL,
  text_hash     text NOT NULL CHECK (text_hash ~ '^[0-9a-f]{64}$'),
  given_at      timestamptz NOT NULL DEFAULT now(),
  request_id    text,
  corrections   jsonb NOT NULL DEFAULT '{}'::jsonb,
  UNIQUE (child_id, parent_id, text_version)
);

-- Down Migration
DROP TABLE consents;
DROP TABLE guardianships;
DROP TABLE parent_links;
DROP TABLE school_requests;
DROP TABLE notifications;
DROP TABLE applications;
-- people.restricted and restricted_at are also created by 100_signup, which drops them.
DROP INDEX schools_directory;
DROP FUNCTION hub_fold(text);
