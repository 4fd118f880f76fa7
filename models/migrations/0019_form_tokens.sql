-- One-time form tokens: a create form carries a token made when it was
-- rendered, and the first post of it claims the token here before it writes
-- (token: a keyed hash of the form's token, address and values, so that the
-- same form with a field changed is a post of its own). A post of the same
-- form again (a retry after a lost response, a second click) finds the claim
-- and is answered with the first one's outcome rather than stored twice. No
-- trigger watches this table: claiming a token must not move the data
-- version. Tokens are forgotten after a day.

CREATE TABLE form_tokens (
  token TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL,
  created_at {{ts}} NOT NULL,
  done BOOLEAN NOT NULL DEFAULT FALSE,
  location TEXT NOT NULL DEFAULT ''
);
CREATE INDEX form_tokens_created ON form_tokens (created_at);
