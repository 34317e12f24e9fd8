-- Amur schema, version 16: leases. Work that must be done once for all the
-- nodes sharing a database (sending mail, delivering webhooks) runs only on
-- the node that holds its lease; a holder that stops renewing loses it when
-- it expires (docs/scaling.md).
CREATE TABLE leases (
  name        TEXT PRIMARY KEY,
  holder      TEXT NOT NULL,      -- the node (service::ThisNode)
  expires_at  INTEGER NOT NULL    -- ms since the epoch
);
