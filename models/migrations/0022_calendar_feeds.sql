-- Each user's private calendar feed: a secret in the feed's address, kept
-- here only as its SHA-256 so that a copy of the database does not hand out
-- the feeds. One live feed a user: a new one revokes the old, and revoking
-- keeps the row (revoked_at) so that the address answers 404 ever after. No
-- trigger watches this table: no cached page reads it.

CREATE TABLE calendar_feeds (
  id {{pk}}, user_id BIGINT NOT NULL REFERENCES users(id), token_hash TEXT NOT NULL,
  created_at {{ts}} NOT NULL, revoked_at {{ts}});
CREATE UNIQUE INDEX calendar_feeds_token ON calendar_feeds (token_hash);
CREATE INDEX calendar_feeds_user ON calendar_feeds (user_id);
CREATE UNIQUE INDEX calendar_feeds_live ON calendar_feeds (user_id) WHERE revoked_at IS NULL;
