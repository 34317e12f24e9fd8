-- Amur schema, version 1.
CREATE TABLE pages (
  id          INTEGER PRIMARY KEY,
  key         TEXT NOT NULL UNIQUE,
  title       TEXT,
  url         TEXT,
  closed      INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL,
  chain_head  TEXT NOT NULL,
  chain_len   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE comments (
  id               INTEGER PRIMARY KEY,
  page_id          INTEGER NOT NULL REFERENCES pages(id),
  parent_id        INTEGER REFERENCES comments(id),
  depth            INTEGER NOT NULL,
  author_name      TEXT,
  author_email     TEXT,
  is_guest         INTEGER NOT NULL DEFAULT 1,
  author_role      TEXT,
  body_markdown    TEXT NOT NULL,
  body_html        TEXT NOT NULL,
  state            TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  edited_at        INTEGER,
  edited_by        TEXT,
  upvotes          INTEGER NOT NULL DEFAULT 0,
  downvotes        INTEGER NOT NULL DEFAULT 0,
  hash             TEXT NOT NULL,
  edit_token_hash  TEXT NOT NULL DEFAULT '',
  client_address   TEXT NOT NULL DEFAULT '',
  quote_exact      TEXT,
  quote_prefix     TEXT,
  quote_suffix     TEXT
);
CREATE INDEX comments_page_state ON comments(page_id, state, id);
CREATE INDEX comments_parent ON comments(parent_id);

-- The per-page hash chain: one row per version of a comment.
CREATE TABLE links (
  page_id        INTEGER NOT NULL REFERENCES pages(id),
  seq            INTEGER NOT NULL,
  comment_id     INTEGER NOT NULL REFERENCES comments(id),
  n              INTEGER NOT NULL,
  parent_id      INTEGER,
  author_name    TEXT,
  state          TEXT NOT NULL,
  body_markdown  TEXT NOT NULL,
  at             INTEGER NOT NULL,
  editor         TEXT,
  prev_hash      TEXT NOT NULL,
  hash           TEXT NOT NULL,
  PRIMARY KEY (page_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX links_comment ON links(comment_id, n);

CREATE TABLE votes (
  comment_id  INTEGER NOT NULL REFERENCES comments(id),
  voter_hash  TEXT NOT NULL,
  value       INTEGER NOT NULL CHECK (value IN (-1, 1)),
  PRIMARY KEY (comment_id, voter_hash)
) WITHOUT ROWID;

CREATE TABLE settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
) WITHOUT ROWID;
