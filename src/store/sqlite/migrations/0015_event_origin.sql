-- Amur schema, version 15: which node recorded each event, so that a node
-- sharing the database with others can tell their writes from its own
-- (docs/scaling.md). Events recorded before carry ''.
ALTER TABLE events ADD COLUMN origin TEXT NOT NULL DEFAULT '';
