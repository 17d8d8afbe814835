-- Up Migration
-- R-L5: a journal link is made only on a proof the hub verified itself. A verification (the person's
-- own journal sign-in, their own Gosuslugi sign-in, or a school-issued linking code) leaves one
-- short-lived, single-use proof bound to the person and to the journal identity it verified; the
-- link request carries only its id. Nothing a client sends can stand in for one.
CREATE TABLE journal_proofs (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  person_id           uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  connection_id       uuid NOT NULL REFERENCES journal_connections (id) ON DELETE CASCADE,
  external_person_id  text NOT NULL,
  method              text NOT NULL CHECK (method IN ('journal-login', 'dnevnik-oauth', 'esia', 'linking-code')),
  -- What the verification returned that the link rules compare (birth date from ESIA; children a
  -- parent's journal sign-in listed). Never a password, token or code.
  facts               jsonb NOT NULL DEFAULT '{}',
  created_at          timestamptz NOT NULL DEFAULT now(),
  expires_at          timestamptz NOT NULL,
  used_at             timestamptz
);
CREATE INDEX journal_proofs_by_person ON journal_proofs (person_id, created_at);

-- One-time linking codes a school admin or class teacher issues for one journal person, for
-- sources without an end-user sign-in. Only the SHA-256 of the code is kept.
CREATE TABLE journal_linking_codes (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  connection_id       uuid NOT NULL REFERENCES journal_connections (id) ON DELETE CASCADE,
  external_person_id  text NOT NULL,
  school_id           uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
  code_hash           text NOT NULL UNIQUE,
  issued_by           text NOT NULL,
  issued_role         text NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  expires_at          timestamptz NOT NULL,
  -- Wrong codes tried against this journal person while the code was open: at the limit it is void.
  failed_attempts     integer NOT NULL DEFAULT 0,
  used_at             timestamptz,
  used_by             uuid REFERENCES people (id) ON DELETE SET NULL,
  voided_at           timestamptz
);
CREATE INDEX journal_linking_codes_open ON journal_linking_codes (connection_id, external_person_id) WHERE used_at IS NULL AND voided_at IS NULL;

-- A redirect sign-in under way (Gosuslugi OpenID Connect, Dnevnik OAuth): the person, the journal
-- identity it is meant to prove, the nonce the ID token must carry. The state is a bearer value the
-- browser brings back, so only its SHA-256 is kept; single use, short-lived.
CREATE TABLE journal_sign_ins (
  state_hash          text PRIMARY KEY,
  person_id           uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  connection_id       uuid NOT NULL REFERENCES journal_connections (id) ON DELETE CASCADE,
  external_person_id  text,
  method              text NOT NULL CHECK (method IN ('dnevnik-oauth', 'esia')),
  nonce               text NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  expires_at          timestamptz NOT NULL,
  used_at             timestamptz
);

-- Down Migration
DROP TABLE journal_sign_ins;
DROP TABLE journal_linking_codes;
DROP TABLE journal_proofs;
