-- The register as it stood at each quarter's end, stored (register/snapshot.go). A
-- past register, its movement and the quarterly review replayed every risk's
-- history since the day, and the pack does it three times; a day's snapshot rows
-- make that a read of one index range. risk_snapshot_days lists the days whose
-- rows are all written: only those are read.
--
-- A snapshot holds the columns the register filters, sorts and counts by
-- (snapshotColumns; a test checks they agree), not the long texts (reference,
-- title, description, mitigation, the reason for an acceptance): those change
-- rarely and take four fifths of a risk's row, so they are read from the live
-- row and rolled back through their own changes, found through the partial
-- index changes_risk_texts. (A closure's reason and who accepted a risk are
-- short and change with every closure and acceptance: the snapshot has them.)
--
-- A day's rows are read by their key alone: SQLite keeps them in it (WITHOUT
-- ROWID), which PostgreSQL has no words for; the two tables are otherwise the same.

-- sqlite only
CREATE TABLE risk_snapshots (day DATE NOT NULL, risk_id BIGINT NOT NULL, engagement_id BIGINT, category TEXT,
  inherent_likelihood INTEGER, inherent_impact INTEGER, inherent_score INTEGER,
  residual_likelihood INTEGER, residual_impact INTEGER, residual_score INTEGER,
  response TEXT, owner_id BIGINT, status TEXT, next_review DATE, raised_on DATE, closed_on DATE, closed_reason TEXT,
  accepted_by TEXT, accept_expiry DATE,
  PRIMARY KEY (day, risk_id)) WITHOUT ROWID;
-- postgres only
CREATE TABLE risk_snapshots (day DATE NOT NULL, risk_id BIGINT NOT NULL, engagement_id BIGINT, category TEXT,
  inherent_likelihood INTEGER, inherent_impact INTEGER, inherent_score INTEGER,
  residual_likelihood INTEGER, residual_impact INTEGER, residual_score INTEGER,
  response TEXT, owner_id BIGINT, status TEXT, next_review DATE, raised_on DATE, closed_on DATE, closed_reason TEXT,
  accepted_by TEXT, accept_expiry DATE,
  PRIMARY KEY (day, risk_id));

CREATE TABLE risk_snapshot_days (day DATE PRIMARY KEY, risks BIGINT NOT NULL, built_at {{ts}} NOT NULL);
CREATE INDEX changes_risk_texts ON changes (entity, at, entity_id)
  WHERE entity = 'risk' AND field IN ('ref', 'title', 'description', 'mitigation', 'accept_justification');
