-- The portfolio commentary of a quarter: the key messages and the asks of
-- the board, written by an administrator and printed on the review pack's
-- summary page. One row per quarter, versioned like every record a form
-- edits; the pack reads it, so it moves the data version (migration 9).

CREATE TABLE portfolio_commentaries (
  id {{pk}}, quarter TEXT NOT NULL, key_messages TEXT NOT NULL DEFAULT '', asks TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1, created_at {{ts}}, updated_at {{ts}});
CREATE UNIQUE INDEX portfolio_commentaries_quarter ON portfolio_commentaries (quarter);

CREATE TRIGGER data_version_portfolio_commentaries_insert AFTER INSERT ON portfolio_commentaries BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_portfolio_commentaries_update AFTER UPDATE ON portfolio_commentaries BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_portfolio_commentaries_delete AFTER DELETE ON portfolio_commentaries BEGIN UPDATE data_version SET n = n + 1; END;
