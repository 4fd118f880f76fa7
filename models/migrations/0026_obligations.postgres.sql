-- The obligations register: each engagement's contractual duties, of the
-- vendor or of the company (clause, owner, a one-off due date or a
-- frequency from a first due date), versioned like every record a form
-- edits; and what was recorded of each occurrence (met with evidence, or
-- waived with a reason), one row a due date. An occurrence with no row is
-- due, or late once its date has passed. Health, the engagement page and
-- the pack read both, so they move the data version (migration 9).

CREATE TABLE obligations (
  id {{pk}}, engagement_id BIGINT NOT NULL REFERENCES engagements(id), party TEXT NOT NULL, title TEXT NOT NULL,
  clause TEXT NOT NULL DEFAULT '', owner TEXT NOT NULL DEFAULT '', frequency TEXT NOT NULL, first_due DATE NOT NULL, ends_on DATE,
  evidence_link TEXT NOT NULL DEFAULT '', version INTEGER NOT NULL DEFAULT 1, created_at {{ts}}, updated_at {{ts}});
CREATE INDEX obligations_engagement ON obligations (engagement_id);

CREATE TABLE obligation_occurrences (
  id {{pk}}, obligation_id BIGINT NOT NULL REFERENCES obligations(id), engagement_id BIGINT NOT NULL REFERENCES engagements(id),
  due_on DATE NOT NULL, status TEXT NOT NULL, met_on DATE, evidence TEXT NOT NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '',
  user_id BIGINT REFERENCES users(id), recorded_at {{ts}} NOT NULL, version INTEGER NOT NULL DEFAULT 1);
CREATE UNIQUE INDEX obligation_occurrences_due ON obligation_occurrences (obligation_id, due_on);
CREATE INDEX obligation_occurrences_engagement ON obligation_occurrences (engagement_id);

CREATE TRIGGER data_version_obligations AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON obligations FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_obligation_occurrences AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON obligation_occurrences FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
