-- Amur schema, version 12: comments published but flagged for a moderator
-- (a suspect term, a targeted-abuse signal, the classifier's score, a report
-- from a reader whose comments were approved before). The flagged queue lists
-- approved comments with flagged = 1; a decision clears it.
ALTER TABLE comments ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0;
-- Published comments flagged for a suspect term before this version.
UPDATE comments SET flagged = 1
  WHERE state = 'approved' AND (',' || moderation_reasons || ',') LIKE '%,suspect_term,%';
CREATE INDEX comments_flagged ON comments(id) WHERE flagged = 1;
