-- Up Migration
-- "Sign in with VK ID" binds a person's messenger account (R-M1, R-A5; adapters/vk-id/README.md).
-- A started binding is kept until the person comes back from VK ID: only a digest of its OAuth
-- `state` is stored, and the PKCE verifier is not stored at all (it is derived from the state with
-- the server's secret), so these rows alone cannot finish anyone's binding. One use each.
CREATE TABLE vk_id_binding_requests (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  state_digest  text NOT NULL UNIQUE,
  person_id     uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
  -- where the person started: the signup's last step or their profile (audited with the binding)
  via           text NOT NULL CHECK (via IN ('signup', 'profile')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz
);
CREATE INDEX vk_id_binding_requests_person ON vk_id_binding_requests (person_id);

-- When the current messenger account was bound (people.messenger_user_id stays UNIQUE: one person per VK account).
ALTER TABLE people ADD COLUMN messenger_bound_at timestamptz;

-- A live journal link follows its person's messenger account: re-binding moves it to the new account,
-- unbinding leaves it without one (the person is pending in their chats until they bind again).
ALTER TABLE journal_links ALTER COLUMN messenger_user_id DROP NOT NULL;

-- Down Migration
DELETE FROM journal_links WHERE messenger_user_id IS NULL;
ALTER TABLE journal_links ALTER COLUMN messenger_user_id SET NOT NULL;
ALTER TABLE people DROP COLUMN messenger_bound_at;
DROP TABLE vk_id_binding_requests;
