-- Amur schema, version 5: each reader report also records the reporter's
-- network (hashed), so that hiding a comment takes reports from distinct
-- networks: one person minting reader ids cannot hide a comment alone.
ALTER TABLE reports ADD COLUMN network_hash TEXT NOT NULL DEFAULT '';
