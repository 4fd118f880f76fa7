-- The risk register at 250,000 risks: keyset paging, counts from a table maintained
-- by triggers, full-text search.
--
-- An index in each sort order of the register (the key, then id, named
-- explicitly for PostgreSQL, whose indexes do not end in the row id as SQLite's
-- do): a page is a seek into one of them and a walk of 50 entries at any depth
-- (keyset paging, risks_page.go), instead of an OFFSET that reads every row
-- before it. The engagement and owner sorts walk engagements by code / users by
-- name and each one's risks by id; the ref sort has its unique index already.
-- Each index carries the status and the category too, after the id (so the
-- order is unchanged): the live register's status test and the most used filter
-- then read the index alone, which is what makes a jump to a page in the middle
-- (an OFFSET from the nearer end) skip index entries rather than rows. Live risks
-- without a review date (normally none: the forms set one) have a partial index
-- of their own, so the review sort's stretch of them does not walk past every
-- closed risk.
--
-- risk_cells: the number of risks per status, category and inherent and residual
-- likelihood × impact, plus the same per status over every category (the empty
-- category): the register's count and both heat maps of any filter made of
-- status, category, band, appetite and cell read a few hundred of these rows
-- instead of counting the risks. Triggers keep it true in the same transaction
-- as every write, whoever writes (forms, quick actions, imports, seeds), and on
-- PostgreSQL across every app instance sharing the database.
--
-- SQLite has row triggers only: each adds or takes one from the cells a risk
-- leaves and enters. Search of ref, title and description is an FTS4 table maintained
-- by triggers, as the lessons' is (0005_sla_bot_lessons.sqlite.sql); LIKE '%…%'
-- read every row.

CREATE INDEX risks_order_residual ON risks (residual_score, inherent_score, id, status, category);
CREATE INDEX risks_order_inherent ON risks (inherent_score, id, status, category);
CREATE INDEX risks_order_title ON risks (title, id, status, category);
CREATE INDEX risks_order_category ON risks (category, id, status);
CREATE INDEX risks_order_status ON risks (status, id, category);
CREATE INDEX risks_order_review ON risks (next_review, id, status, category);
CREATE INDEX risks_order_raised ON risks (raised_on, id, status, category);
CREATE INDEX risks_order_engagement ON risks (engagement_id, id, status, category);
CREATE INDEX risks_order_owner ON risks (owner_id, id, status, category);
CREATE INDEX users_name ON users (name, id);
CREATE INDEX risks_live_unreviewed ON risks (id) WHERE next_review IS NULL AND status <> 'closed';

CREATE TABLE risk_cells (
  status TEXT NOT NULL, category TEXT NOT NULL,
  inherent_likelihood INTEGER NOT NULL, inherent_impact INTEGER NOT NULL,
  residual_likelihood INTEGER NOT NULL, residual_impact INTEGER NOT NULL,
  n BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact));
INSERT INTO risk_cells (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, n)
  SELECT status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, COUNT(*)
  FROM risks GROUP BY status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact;
INSERT INTO risk_cells (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, n)
  SELECT status, '', inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, COUNT(*)
  FROM risks GROUP BY status, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact;

CREATE TRIGGER risk_cells_ai AFTER INSERT ON risks BEGIN INSERT INTO risk_cells (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, n) VALUES (new.status, '', new.inherent_likelihood, new.inherent_impact, new.residual_likelihood, new.residual_impact, 1) ON CONFLICT (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact) DO UPDATE SET n = n + 1; INSERT INTO risk_cells (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, n) VALUES (new.status, new.category, new.inherent_likelihood, new.inherent_impact, new.residual_likelihood, new.residual_impact, 1) ON CONFLICT (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact) DO UPDATE SET n = n + 1; END;
CREATE TRIGGER risk_cells_ad AFTER DELETE ON risks BEGIN UPDATE risk_cells SET n = n - 1 WHERE status = old.status AND category = '' AND inherent_likelihood = old.inherent_likelihood AND inherent_impact = old.inherent_impact AND residual_likelihood = old.residual_likelihood AND residual_impact = old.residual_impact; UPDATE risk_cells SET n = n - 1 WHERE status = old.status AND category = old.category AND inherent_likelihood = old.inherent_likelihood AND inherent_impact = old.inherent_impact AND residual_likelihood = old.residual_likelihood AND residual_impact = old.residual_impact; END;
CREATE TRIGGER risk_cells_au AFTER UPDATE OF status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact ON risks WHEN old.status IS NOT new.status OR old.category IS NOT new.category OR old.inherent_likelihood IS NOT new.inherent_likelihood OR old.inherent_impact IS NOT new.inherent_impact OR old.residual_likelihood IS NOT new.residual_likelihood OR old.residual_impact IS NOT new.residual_impact BEGIN UPDATE risk_cells SET n = n - 1 WHERE status = old.status AND category = '' AND inherent_likelihood = old.inherent_likelihood AND inherent_impact = old.inherent_impact AND residual_likelihood = old.residual_likelihood AND residual_impact = old.residual_impact; INSERT INTO risk_cells (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, n) VALUES (new.status, '', new.inherent_likelihood, new.inherent_impact, new.residual_likelihood, new.residual_impact, 1) ON CONFLICT (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact) DO UPDATE SET n = n + 1; UPDATE risk_cells SET n = n - 1 WHERE status = old.status AND category = old.category AND inherent_likelihood = old.inherent_likelihood AND inherent_impact = old.inherent_impact AND residual_likelihood = old.residual_likelihood AND residual_impact = old.residual_impact; INSERT INTO risk_cells (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, n) VALUES (new.status, new.category, new.inherent_likelihood, new.inherent_impact, new.residual_likelihood, new.residual_impact, 1) ON CONFLICT (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact) DO UPDATE SET n = n + 1; END;

CREATE VIRTUAL TABLE risks_fts USING fts4(content="risks", ref, title, description, tokenize=unicode61);
CREATE TRIGGER risks_fts_bu BEFORE UPDATE OF ref, title, description ON risks BEGIN DELETE FROM risks_fts WHERE docid = old.id; END;
CREATE TRIGGER risks_fts_bd BEFORE DELETE ON risks BEGIN DELETE FROM risks_fts WHERE docid = old.id; END;
CREATE TRIGGER risks_fts_au AFTER UPDATE OF ref, title, description ON risks BEGIN INSERT INTO risks_fts (docid, ref, title, description) VALUES (new.id, new.ref, new.title, new.description); END;
CREATE TRIGGER risks_fts_ai AFTER INSERT ON risks BEGIN INSERT INTO risks_fts (docid, ref, title, description) VALUES (new.id, new.ref, new.title, new.description); END;
INSERT INTO risks_fts (risks_fts) VALUES ('rebuild');
