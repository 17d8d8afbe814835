-- Up Migration
CREATE TABLE schools (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL,
  settlement  text NOT NULL,
  region      text NOT NULL,
  -- IANA zone: every time shown to people of this school is shown in it (Russia spans eleven zones).
  timezone    text NOT NULL DEFAULT 'Europe/Moscow',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schools_by_settlement ON schools (lower(settlement), lower(name));

CREATE TABLE classes (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  school_id   uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
  name        text NOT NULL,
  grade       smallint CHECK (grade BETWEEN 0 AND 12),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (school_id, name)
);

CREATE TABLE people (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  phone       text UNIQUE,          -- E.164; R-A1: one phone, one educational profile
  email       text UNIQUE,
  first_name  text NOT NULL,
  last_name   text NOT NULL,
  patronymic  text,
  gender      text CHECK (gender IN ('male', 'female')),
  birth_date  date,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (phone IS NOT NULL OR email IS NOT NULL)
);

-- Who holds which role where (R-A5: one account, several roles). Approvers (R-J4) come from here.
CREATE TABLE school_roles (
  person_id   uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  school_id   uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
  class_id    uuid REFERENCES classes (id) ON DELETE CASCADE,
  role        text NOT NULL CHECK (role IN ('admin', 'class_teacher', 'teacher', 'student', 'parent')),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX school_roles_unique ON school_roles (person_id, school_id, coalesce(class_id, '00000000-0000-0000-0000-000000000000'::uuid), role);

CREATE TABLE invites (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Only the SHA-256 of the token is kept: a database leak does not leak working links.
  token_hash        text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  school_id         uuid NOT NULL REFERENCES schools (id),
  class_id          uuid REFERENCES classes (id),
  role              text NOT NULL CHECK (role IN ('student', 'teacher')),
  created_by        text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  expires_at        timestamptz NOT NULL,
  status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'accepted', 'declined', 'revoked', 'expired')),
  status_changed_at timestamptz,
  CHECK (role <> 'student' OR class_id IS NOT NULL)
);
CREATE INDEX invites_by_school ON invites (school_id, created_at DESC);

CREATE TABLE audit_log (
  id            bigserial PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  actor         text NOT NULL,
  actor_role    text,
  action        text NOT NULL,
  subject_type  text NOT NULL,
  subject_id    text NOT NULL,
  reason        text,
  details       jsonb NOT NULL DEFAULT '{}'::jsonb,
  request_id    text
);
CREATE INDEX audit_by_subject ON audit_log (subject_type, subject_id, at);

-- Down Migration
DROP TABLE audit_log;
DROP TABLE invites;
DROP TABLE school_roles;
DROP TABLE people;
DROP TABLE classes;
DROP TABLE schools;
