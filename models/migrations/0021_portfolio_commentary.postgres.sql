-- The portfolio commentary of a quarter: the key messages and the asks of
-- the board, written by an administrator and printed on the review pack's
-- summary page. One row per quarter, versioned like every record a form
-- edits; the pack reads it, so it moves the data version (migration 9).

CREATE TABLE portfolio_commentaries (
  id {{pk}}, quarter TEXT NOT NULL, key_messages TEXT NOT NULL DEFAULT '', asks TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1, created_at {{ts}}, updated_at {{ts}});
CREATE UNIQUE INDEX portfolio_commentaries_quarter ON portfolio_commentaries (quarter);

CREATE TRIGGER data_version_portfolio_commentaries AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON portfolio_commentaries FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
