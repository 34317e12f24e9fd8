-- Amur schema, version 13: erasure and inline positions (issue 13).
-- Links written from now on are format 2: their hash covers a hash of the
-- version's content (author name and Markdown), so the content can be erased
-- and the chain still checked. Existing links stay format 1 and verify as
-- before; a page's format-1 links are rewritten as format 2 when one of its
-- comments is first erased (docs/integrity.md).
ALTER TABLE links ADD COLUMN format INTEGER NOT NULL DEFAULT 1;
ALTER TABLE links ADD COLUMN content_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE links ADD COLUMN erased INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN erased_at INTEGER;
ALTER TABLE comments ADD COLUMN position_start INTEGER;
ALTER TABLE comments ADD COLUMN position_end INTEGER;
