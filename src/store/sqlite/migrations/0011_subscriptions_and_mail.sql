-- Amur schema, version 11: email subscriptions and the mail they cause
-- (docs/notifications.md). Notifications are made from the event log with a
-- durable cursor (a setting), gathered into messages, and sent from the
-- outbox; every table here is written by the single writer.

-- Who wants mail about what. A guest's subscription waits for its address
-- to be confirmed (double opt-in); a member's is confirmed at once.
CREATE TABLE subscriptions (
  id            INTEGER PRIMARY KEY,
  email         TEXT NOT NULL,                   -- lower-cased; never public
  user_id       INTEGER REFERENCES users(id),    -- set when a member subscribed
  kind          TEXT NOT NULL CHECK (kind IN ('thread', 'replies', 'moderation')),
  page_id       INTEGER REFERENCES pages(id),    -- set for 'thread' only
  confirmed     INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,
  confirmed_at  INTEGER
);
CREATE UNIQUE INDEX subscriptions_one ON subscriptions(email, kind, IFNULL(page_id, 0));
CREATE INDEX subscriptions_by_page ON subscriptions(page_id, kind, confirmed);
CREATE INDEX subscriptions_by_user ON subscriptions(user_id);

-- The secrets of links in mail: confirm an address, manage its
-- subscriptions, unsubscribe from one. Only the SHA-256 of a token is kept.
CREATE TABLE mail_tokens (
  token_hash       TEXT PRIMARY KEY,
  purpose          TEXT NOT NULL CHECK (purpose IN ('confirm', 'manage', 'unsubscribe')),
  email            TEXT NOT NULL,
  subscription_id  INTEGER REFERENCES subscriptions(id) ON DELETE SET NULL,
  created_at       INTEGER NOT NULL,
  expires_at       INTEGER NOT NULL,
  used_at          INTEGER
);
CREATE INDEX mail_tokens_by_expiry ON mail_tokens(expires_at);
CREATE INDEX mail_tokens_by_subscription ON mail_tokens(subscription_id);
CREATE INDEX mail_tokens_by_email ON mail_tokens(email, purpose);

-- One row per comment and recipient, ever: the unique index is what makes a
-- comment approved, rejected and approved again mail nobody twice.
CREATE TABLE notifications (
  id               INTEGER PRIMARY KEY,
  email            TEXT NOT NULL,
  comment_id       INTEGER NOT NULL,
  subscription_id  INTEGER,             -- null once the subscription is gone
  page_id          INTEGER NOT NULL,
  reason           TEXT NOT NULL CHECK (reason IN ('thread', 'replies', 'moderation')),
  created_at       INTEGER NOT NULL,
  mail_id          INTEGER              -- the message that carried it; null until composed
);
CREATE UNIQUE INDEX notifications_once
  ON notifications(email, comment_id, reason = 'moderation');
CREATE INDEX notifications_uncomposed ON notifications(id) WHERE mail_id IS NULL;

-- Messages to send, whole, with a Message-ID fixed when composed: a retry
-- sends the same bytes. The text is dropped once the server took it.
CREATE TABLE mail_outbox (
  id               INTEGER PRIMARY KEY,
  email            TEXT NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('confirm', 'notification', 'digest', 'moderation')),
  subscription_id  INTEGER,
  page_id          INTEGER,
  message_id       TEXT NOT NULL,
  message          TEXT,
  created_at       INTEGER NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT,
  sent_at          INTEGER,
  failed_at        INTEGER
);
CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at)
  WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_outbox_by_group ON mail_outbox(subscription_id, page_id, created_at);
CREATE INDEX mail_outbox_by_email ON mail_outbox(email, kind, created_at);
