-- Up Migration
-- The real messenger has no idempotency key for createChat: a create whose answer was lost (timeout,
-- 5xx, worker killed before the id was stored) may have made a chat the hub does not know. The hub
-- notes, committed before each createChat, that one was sent; storing the chat id clears the note.
-- A note found still set with no chat id means an earlier create went unrecorded: the hub creates
-- again and warns in the run's report (`chat-created-again`), since a duplicate chat may exist.
ALTER TABLE managed_chats ADD COLUMN create_requested_at timestamptz;

-- Down Migration
ALTER TABLE managed_chats DROP COLUMN create_requested_at;
