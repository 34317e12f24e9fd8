-- Amur schema, version 9: the (hashed) network each vote came from, so that
-- one network cannot stuff a comment's votes with made-up voter ids.
ALTER TABLE votes ADD COLUMN network_hash TEXT NOT NULL DEFAULT '';
CREATE INDEX votes_network ON votes(comment_id, network_hash);
