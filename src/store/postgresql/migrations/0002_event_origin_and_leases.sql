-- Amur PostgreSQL schema, version 2 (SQLite's 0015 and 0016): which node
-- recorded each event, and the leases that let one node at a time send mail
-- and deliver webhooks (docs/scaling.md).
ALTER TABLE events ADD COLUMN origin TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE TABLE leases (
  name        TEXT COLLATE "C" PRIMARY KEY,
  holder      TEXT COLLATE "C" NOT NULL,
  expires_at  BIGINT NOT NULL
);
