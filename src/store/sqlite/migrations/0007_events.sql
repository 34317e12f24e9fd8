-- Amur schema, version 7: the event log. One row per thing that happened,
-- written in the same transaction as the change itself (the transactional
-- outbox). seq never goes back and is never reused (AUTOINCREMENT), so a
-- reader's cursor stays meaningful after old rows are pruned.
CREATE TABLE events (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  at          INTEGER NOT NULL,            -- ms since the epoch
  type        TEXT NOT NULL,               -- "comment.created", ...
  page_key    TEXT,                        -- null for events about no page
  comment_id  INTEGER,
  actor       TEXT NOT NULL,               -- "guest", "user:12", "system", "reports"
  visibility  TEXT NOT NULL CHECK (visibility IN ('public', 'staff')),
  data        TEXT NOT NULL                -- a JSON object
);
CREATE INDEX events_at ON events(at);
