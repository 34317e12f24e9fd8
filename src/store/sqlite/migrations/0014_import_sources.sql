-- Amur schema, version 14: what imports brought in (amur import; docs/operations.md).
-- One row per item of a source (a WordPress comment, a Disqus post, a record of
-- an Amur export), naming what it became, so re-running an import, or
-- resuming one that stopped, skips what is already there.
CREATE TABLE import_sources (
  source     TEXT NOT NULL,     -- "wordpress:<site>", "disqus:<forum>", "amur:<export id>"
  source_id  TEXT NOT NULL,     -- the item's id in that source
  target_id  INTEGER NOT NULL,  -- the comment (or page) it became
  PRIMARY KEY (source, source_id)
) WITHOUT ROWID;
