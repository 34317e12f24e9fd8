-- Amur schema, version 4: disabled accounts, each page's last activity (for the
-- desk's page list, newest activity first), and the comment a ban was made from.
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;

ALTER TABLE pages ADD COLUMN active_at INTEGER NOT NULL DEFAULT 0;
UPDATE pages SET active_at = coalesce((SELECT max(at) FROM links WHERE links.page_id = pages.id),
                                      created_at);
CREATE INDEX pages_active ON pages(active_at, id);

ALTER TABLE bans ADD COLUMN comment_id INTEGER;
