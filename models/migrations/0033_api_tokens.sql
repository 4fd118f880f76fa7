-- Personal access tokens for the JSON API (/api/v1): named, read or write,
-- with an expiry, the time last used and a revocation. The secret is shown
-- once when made and kept here only as its SHA-256, looked up by that hash.
-- Revoking keeps the row (revoked_at, by whom) so the list shows it and the
-- token answers 401 ever after. No trigger watches this table: no cached read uses it (a
-- request reads its token and owner afresh, so a revocation, a disabled owner
-- or a lowered role takes effect at the next request).

CREATE TABLE api_tokens (
  id {{pk}}, user_id BIGINT NOT NULL REFERENCES users(id), name TEXT NOT NULL, scope TEXT NOT NULL,
  token_hash TEXT NOT NULL, created_at {{ts}} NOT NULL, expires_at {{ts}} NOT NULL,
  last_used_at {{ts}}, revoked_at {{ts}}, revoked_by BIGINT REFERENCES users(id));
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
