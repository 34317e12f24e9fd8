-- Amur schema, version 8: the audit entries of one comment, found without a
-- scan (GET /comments/{id}/versions asks which versions a moderator replaced).
CREATE INDEX audit_comment ON audit(comment_id) WHERE comment_id IS NOT NULL;
