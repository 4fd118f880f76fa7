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
-- PostgreSQL's triggers run once per statement over its transition tables: a
-- bulk insert of 500 risks is one grouped upsert, not 1,000 updates of a few hot
-- rows (each a dead row version until vacuum), and the counter rows are locked
-- in key order, so two writers cannot deadlock on them. The table keeps room for
-- in-page (HOT) updates and is vacuumed after every 2,000 dead rows rather than
-- a fifth of the table. In the function, semicolons start lines: one that ends
-- a line would end the statement (doc.go).
--
-- Search of ref, title and description is a GIN expression index over
-- models.RiskSearchDocPG, which queries repeat to use it (a test checks this
-- file holds it verbatim); LIKE '%…%' read every row.

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

ALTER TABLE risk_cells SET (fillfactor = 50, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000);
CREATE FUNCTION risk_cells_apply() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO risk_cells (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, n)
    SELECT status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, SUM(d) FROM (
      SELECT status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, d FROM (SELECT status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, 1 AS d FROM new_rows) r
      UNION ALL SELECT status, '', inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, d FROM (SELECT status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, 1 AS d FROM new_rows) a
    ) x GROUP BY status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact HAVING SUM(d) <> 0 ORDER BY status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact
    ON CONFLICT (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact) DO UPDATE SET n = risk_cells.n + excluded.n
  ; ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO risk_cells (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, n)
    SELECT status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, SUM(d) FROM (
      SELECT status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, d FROM (SELECT status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, -1 AS d FROM old_rows) r
      UNION ALL SELECT status, '', inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, d FROM (SELECT status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, -1 AS d FROM old_rows) a
    ) x GROUP BY status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact HAVING SUM(d) <> 0 ORDER BY status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact
    ON CONFLICT (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact) DO UPDATE SET n = risk_cells.n + excluded.n
  ; ELSE
    INSERT INTO risk_cells (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, n)
    SELECT status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, SUM(d) FROM (
      SELECT status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, d FROM (SELECT status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, 1 AS d FROM new_rows
      UNION ALL SELECT status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, -1 AS d FROM old_rows) r
      UNION ALL SELECT status, '', inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, d FROM (SELECT status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, 1 AS d FROM new_rows
      UNION ALL SELECT status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, -1 AS d FROM old_rows) a
    ) x GROUP BY status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact HAVING SUM(d) <> 0 ORDER BY status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact
    ON CONFLICT (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact) DO UPDATE SET n = risk_cells.n + excluded.n
  ; END IF
  ; RETURN NULL
; END $$;
CREATE TRIGGER risk_cells_insert AFTER INSERT ON risks REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION risk_cells_apply();
CREATE TRIGGER risk_cells_update AFTER UPDATE ON risks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION risk_cells_apply();
CREATE TRIGGER risk_cells_delete AFTER DELETE ON risks REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION risk_cells_apply();

CREATE INDEX risks_search ON risks USING gin ((to_tsvector('simple', regexp_replace(ref || ' ' || title || ' ' || description, '[[:punct:][:space:]]+', ' ', 'g'))));
