-- Amur schema, version 2: accounts, sessions, reader reports, bans, the audit log,
-- and the moderation columns of comments.
CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  email          TEXT NOT NULL UNIQUE,   -- stored lower-cased
  name           TEXT NOT NULL,
  role           TEXT NOT NULL CHECK (role IN ('member', 'moderator', 'admin')),
  password_hash  TEXT NOT NULL,          -- argon2id, libsodium's crypto_pwhash_str
  created_at     INTEGER NOT NULL
);

CREATE TABLE sessions (
  token_hash  TEXT PRIMARY KEY,          -- SHA-256 of the session token
  user_id     INTEGER NOT NULL REFERENCES users(id),
  csrf_token  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  expires_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_user ON sessions(user_id);

ALTER TABLE comments ADD COLUMN author_user_id INTEGER REFERENCES users(id);
ALTER TABLE comments ADD COLUMN moderation_reasons TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN moderation_score REAL NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN report_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX comments_state_id ON comments(state, id);
CREATE INDEX comments_reported ON comments(report_count) WHERE report_count > 0;

CREATE TABLE reports (
  comment_id     INTEGER NOT NULL REFERENCES comments(id),
  reporter_hash  TEXT NOT NULL,
  reason         TEXT NOT NULL,
  note           TEXT NOT NULL DEFAULT '',
  created_at     INTEGER NOT NULL,
  PRIMARY KEY (comment_id, reporter_hash)
) WITHOUT ROWID;

CREATE TABLE bans (
  id             INTEGER PRIMARY KEY,
  client_address TEXT NOT NULL DEFAULT '',  -- the author's network address
  email_hash     TEXT NOT NULL DEFAULT '',  -- SHA-256 of the lower-cased email
  user_id        INTEGER,
  reason         TEXT NOT NULL DEFAULT '',
  created_by     TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER                    -- NULL: permanent
);

-- Append-only: rows are inserted, never updated or deleted.
CREATE TABLE audit (
  seq         INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  comment_id  INTEGER,
  reason      TEXT NOT NULL DEFAULT '',
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
