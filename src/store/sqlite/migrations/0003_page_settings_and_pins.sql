-- Amur schema, version 3: per-page pre-moderation and pinned comments.
ALTER TABLE pages ADD COLUMN premoderate INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
CREATE INDEX comments_author_email ON comments(author_email COLLATE NOCASE);
CREATE INDEX comments_client_address ON comments(client_address);
