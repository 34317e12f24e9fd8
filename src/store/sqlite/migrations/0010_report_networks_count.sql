-- Amur schema, version 10: the number of distinct networks that reported a
-- comment, kept beside the number of distinct readers. The reported queue
-- counts networks: reader ids cost nothing to make up.
ALTER TABLE comments ADD COLUMN report_networks INTEGER NOT NULL DEFAULT 0;
UPDATE comments SET report_networks =
  (SELECT COUNT(DISTINCT network_hash) FROM reports WHERE reports.comment_id = comments.id)
  WHERE report_count > 0;
CREATE INDEX comments_reported_networks ON comments(report_networks) WHERE report_networks > 0;
