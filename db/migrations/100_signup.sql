-- Up Migration
-- Identity accounts (VK ID) as far as the hub needs them: a phone with a password (R-A5). The dev
-- stack seeds them (POST /v1/dev/identity-accounts); production would ask the identity provider.
CREATE TABLE identity_accounts (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  phone              text UNIQUE,          -- E.164; NULL once released ("this is not me")
  password_hash      text NOT NULL,        -- scrypt$N$r$p$salt$hash (infra/passwords.ts)
  created_at         timestamptz NOT NULL DEFAULT now(),
  released_phone     text,
  phone_released_at  timestamptz
);

-- R-A7: the guardian journey restricts unconfirmed accounts; IF NOT EXISTS so that journey's own
-- migration may add the same column without a merge conflict.
ALTER TABLE people ADD COLUMN IF NOT EXISTS restricted boolean NOT NULL DEFAULT false;
ALTER TABLE people ADD COLUMN IF NOT EXISTS restricted_at timestamptz;
ALTER TABLE people ADD COLUMN IF NOT EXISTS restricted_reason text;
ALTER TABLE people
  ADD COLUMN identity_account_id uuid REFERENCES identity_accounts (id),
  -- workflow id/run of the signup that created the row: a retried activity finds its own row.
  ADD COLUMN created_by_signup text,
  -- "this is not me": a recycled number moves to the new holder; the old profile keeps it here.
  ADD COLUMN released_phone text,
  ADD COLUMN phone_released_at timestamptz;
ALTER TABLE people DROP CONSTRAINT people_check;
ALTER TABLE people ADD CONSTRAINT people_has_contact CHECK (phone IS NOT NULL OR email IS NOT NULL OR released_phone IS NOT NULL);

-- One-time codes handed to delivery (adapters/otp/outbox.ts). `code` is NULL unless HUB_DEV_OUTBOX.
CREATE TABLE otp_outbox (
  id                bigserial PRIMARY KEY,
  channel           text NOT NULL CHECK (channel IN ('sms', 'voice-call', 'email')),
  recipient         text NOT NULL,
  recipient_masked  text NOT NULL,
  purpose           text NOT NULL CHECK (purpose IN ('signup', 'password-reset')),
  code              text,
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX otp_outbox_by_recipient ON otp_outbox (recipient, id DESC);

-- Down Migration
DROP TABLE otp_outbox;
ALTER TABLE people DROP CONSTRAINT people_has_contact;
ALTER TABLE people ADD CONSTRAINT people_check CHECK (phone IS NOT NULL OR email IS NOT NULL);
ALTER TABLE people DROP COLUMN phone_released_at, DROP COLUMN released_phone, DROP COLUMN created_by_signup,
  DROP COLUMN identity_account_id, DROP COLUMN restricted_reason, DROP COLUMN restricted_at, DROP COLUMN restricted;
DROP TABLE identity_accounts;
