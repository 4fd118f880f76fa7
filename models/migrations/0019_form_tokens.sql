-- One-time form tokens: a create form carries a token made when it was
-- rendered, and the first post of it claims the token here before it writes.
-- A post of the same form again (a retry after a lost response, a second
-- click) finds the token and is answered with the first one's outcome rather
-- than stored twice; a post of it with other content (the user went back and
-- changed a field) is a new request, so each token keeps a digest of what its
-- first post sent. No trigger watches this table: claiming a token must not
-- move the data version. Tokens are forgotten after a day.

CREATE TABLE form_tokens (
  token TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL,
  digest TEXT NOT NULL,
  created_at {{ts}} NOT NULL,
  done BOOLEAN NOT NULL DEFAULT FALSE,
  location TEXT NOT NULL DEFAULT ''
);
CREATE INDEX form_tokens_created ON form_tokens (created_at);
