-- Up Migration
-- Issue 13: with a VK community token the hub cannot add anyone to a chat (messages.addChatUser takes
-- user tokens only): it hands the person the chat's invite link and keeps the membership as `invited`
-- until a member listing shows the person inside (then `joined`). Only joined memberships count for
-- the mass-change guard; an invitation withdrawn before it was used removes nobody from a chat.
ALTER TABLE managed_memberships
  ADD COLUMN state       text NOT NULL DEFAULT 'joined' CHECK (state IN ('joined', 'invited')),
  ADD COLUMN invite_link text,
  ADD COLUMN invited_at  timestamptz;

-- Invitations waiting to be delivered to the person (until delivery exists, they wait here): one row
-- per chat, person and link, so a retried apply does not queue the same invitation twice.
CREATE TABLE messenger_invite_outbox (
  id                 bigserial PRIMARY KEY,
  chat_id            uuid NOT NULL REFERENCES managed_chats (id) ON DELETE CASCADE,
  messenger_user_id  text NOT NULL,
  invite_link        text NOT NULL,
  run_id             uuid,
  created_at         timestamptz NOT NULL DEFAULT now(),
  sent_at            timestamptz,
  UNIQUE (chat_id, messenger_user_id, invite_link)
);
CREATE INDEX messenger_invite_outbox_unsent ON messenger_invite_outbox (created_at) WHERE sent_at IS NULL;

-- How each planned add ended: added, invited (link handed out) or refused by the messenger (code and
-- sentence in `error`). NULL for removes and for adds not applied yet.
ALTER TABLE sync_run_changes ADD COLUMN outcome text CHECK (outcome IN ('added', 'invited', 'refused'));

-- Per chat of a run: invitations handed out, invited members still waiting, invited members seen
-- inside this run, people the messenger refused.
ALTER TABLE sync_run_chats
  ADD COLUMN applied_invites     integer NOT NULL DEFAULT 0,
  ADD COLUMN invited_waiting     integer NOT NULL DEFAULT 0,
  ADD COLUMN joined_from_invites integer NOT NULL DEFAULT 0,
  ADD COLUMN refused             integer NOT NULL DEFAULT 0;

-- The title the messenger was last given for a chat (at creation or by a rename), so that a title
-- changed in the journal is pushed once (VK API messages.editChat). NULL: not known yet.
ALTER TABLE managed_chats ADD COLUMN messenger_title text;

-- Down Migration
ALTER TABLE managed_chats DROP COLUMN messenger_title;
ALTER TABLE sync_run_chats
  DROP COLUMN applied_invites,
  DROP COLUMN invited_waiting,
  DROP COLUMN joined_from_invites,
  DROP COLUMN refused;
ALTER TABLE sync_run_changes DROP COLUMN outcome;
DROP TABLE messenger_invite_outbox;
ALTER TABLE managed_memberships DROP COLUMN state, DROP COLUMN invite_link, DROP COLUMN invited_at;
