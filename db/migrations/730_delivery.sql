-- Up Migration
-- Issue 14: codes and notices actually leave the hub.

-- Every hand-over of a one-time code to a gateway, sent or refused (adapters/otp/recording.ts).
-- No code and no clear address here: support sees that a code went (or why it did not), not what.
CREATE TABLE otp_deliveries (
  id                bigserial PRIMARY KEY,
  channel           text NOT NULL CHECK (channel IN ('sms', 'voice-call', 'email')),
  recipient_masked  text NOT NULL,
  purpose           text NOT NULL,
  gateway           text NOT NULL,
  status            text NOT NULL CHECK (status IN ('sent', 'failed')),
  reason            text,            -- DeliveryFailureReason when failed
  gateway_code      text,            -- SMS.ru status_code, SMTP reply code, 'timeout'
  gateway_id        text,            -- SMS.ru sms_id, SMTP Message-ID
  created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX otp_deliveries_failed ON otp_deliveries (created_at DESC) WHERE status = 'failed';

-- The notice dispatcher (notices/dispatcher.ts, docs/notices.md) drains `notifications`.
ALTER TABLE notifications
  ADD COLUMN attempts         integer NOT NULL DEFAULT 0,
  ADD COLUMN next_attempt_at  timestamptz,
  ADD COLUMN claimed_until    timestamptz,   -- a dispatcher holds it until then; a killed one lets go by expiry
  ADD COLUMN last_error       text,
  ADD COLUMN gave_up_at       timestamptz;
DROP INDEX notifications_unsent;
CREATE INDEX notifications_due ON notifications (coalesce(next_attempt_at, created_at)) WHERE sent_at IS NULL AND gave_up_at IS NULL;
CREATE INDEX notifications_given_up ON notifications (gave_up_at DESC) WHERE gave_up_at IS NOT NULL;

-- One row per notice and recipient, written BEFORE the send and marked after: a recipient already
-- 'sent' is never sent again; one left 'sending' by a killed dispatcher is sent once more.
CREATE TABLE notification_deliveries (
  notification_id   bigint NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
  recipient_key     text NOT NULL,    -- person:<id> or authority:<address hash>
  channel           text NOT NULL CHECK (channel IN ('sms', 'email', 'messenger')),
  address_masked    text NOT NULL,
  status            text NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
  attempts          integer NOT NULL DEFAULT 0,
  gateway_id        text,
  error             text,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (notification_id, recipient_key)
);

-- Down Migration
DROP TABLE notification_deliveries;
DROP INDEX notifications_given_up;
DROP INDEX notifications_due;
ALTER TABLE notifications DROP COLUMN gave_up_at, DROP COLUMN last_error, DROP COLUMN claimed_until,
  DROP COLUMN next_attempt_at, DROP COLUMN attempts;
CREATE INDEX notifications_unsent ON notifications (created_at) WHERE sent_at IS NULL;
DROP TABLE otp_deliveries;
