-- Reminders (models/remind). Each user's choice of email digest (no row:
-- the defaults, a daily digest and no monthly portfolio digest); the
-- digests composed, which are the sent log: one a user a day, so that
-- nothing is sent twice for the same item and day, whichever instance
-- composes it and however often; the days whose digests were composed; the
-- in-app notices, one live row a user and item; and the leases that elect
-- the one instance that composes and sends. No trigger watches these
-- tables: no cached page reads them.

CREATE TABLE reminder_prefs (
  user_id BIGINT PRIMARY KEY REFERENCES users(id), digest TEXT NOT NULL DEFAULT 'daily',
  monthly BOOLEAN NOT NULL DEFAULT FALSE, updated_at {{ts}});

CREATE TABLE reminder_digests (
  id {{pk}}, user_id BIGINT NOT NULL REFERENCES users(id), day DATE NOT NULL, content TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_try_at {{ts}} NOT NULL,
  claimed_at {{ts}}, sent_at {{ts}}, last_error TEXT NOT NULL DEFAULT '', created_at {{ts}} NOT NULL);
CREATE UNIQUE INDEX reminder_digests_day ON reminder_digests (user_id, day);
CREATE INDEX reminder_digests_due ON reminder_digests (status, next_try_at);

CREATE TABLE reminder_runs (day DATE PRIMARY KEY, composed_at {{ts}} NOT NULL, digests INTEGER NOT NULL DEFAULT 0);

CREATE TABLE notices (
  id {{pk}}, user_id BIGINT NOT NULL REFERENCES users(id), item_key TEXT NOT NULL, kind TEXT NOT NULL,
  title TEXT NOT NULL, what TEXT NOT NULL, link TEXT NOT NULL, due_on DATE, overdue BOOLEAN NOT NULL DEFAULT FALSE,
  created_at {{ts}} NOT NULL, read_at {{ts}}, resolved_at {{ts}});
CREATE UNIQUE INDEX notices_live ON notices (user_id, item_key) WHERE resolved_at IS NULL;
CREATE INDEX notices_unread ON notices (user_id) WHERE resolved_at IS NULL AND read_at IS NULL;

CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at {{ts}} NOT NULL);
