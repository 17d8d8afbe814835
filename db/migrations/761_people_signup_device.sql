-- Up Migration
-- R-G5: the browser that signed a person up, as a SHA-256 of the device cookie the signup set, so the
-- child's own parent link opened in that browser is refused even under another account.
ALTER TABLE people ADD COLUMN signup_device_hash text CHECK (signup_device_hash ~ '^[0-9a-f]{64}$');

-- Down Migration
ALTER TABLE people DROP COLUMN signup_device_hash;
