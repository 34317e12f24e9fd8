-- Amur schema, version 6: comments by creation time, for warming the
-- near-duplicate index at start-up (ListCommentsSince: the last hour's
-- comments without scanning the table). The rowid (id) is the index's
-- implicit last column, so "ORDER BY created_at DESC, id DESC" reads it as is.
CREATE INDEX comments_created_at ON comments(created_at);
