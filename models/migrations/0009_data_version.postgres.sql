-- The data version: a number that every committed write of a table the
-- dashboard or the risk register reads makes larger, moved by triggers in the
-- writer's own transaction. Whoever writes (forms, imports, the `portfolio user`
-- command, another app instance on the same PostgreSQL) moves it, and it moves
-- exactly when the write commits. A reader that reads the version before its
-- data may cache the data under that version and serve it again while the
-- version reads the same (data_version.go): a version can only be older than
-- the data cached with it, never newer.
--
-- Covered: the tables the dashboard and the register read (engagements,
-- engagement_managers for the register's rights, vendors for its vendor filter,
-- users for owners' names, risks, milestones, readiness_items for the transfers'
-- readiness, fx_rates, settings for bands, fiscal year and reporting currency)
-- and the aggregate tables read instead of base rows (engagement_totals,
-- cost_month_totals, sla_month_totals, risk_cell_totals, risk_cells). Writers of
-- cost records and SLA results add their deltas to the totals in their own
-- transaction (aggregates.go), so those million-row tables need no trigger here
-- (migration 13 added them for the review pack). risk_cells is written with the
-- risks, but also by RebuildAggregates, the repair of a wrong total.
-- Not covered: the history (changes), written only beside a covered write,
-- lessons, reviews and packs (migration 13), the sign-in throttles.
-- A table added later needs a migration of its own.
--
-- PostgreSQL runs writers side by side, and one counter row would make every
-- writer wait for the previous one's commit. So there are 32 counter rows
-- (shards 0–31), the version being their sum (a sum of counters that only grow
-- grows with each commit and is read in one snapshot), and one statement trigger
-- per table that adds one to a row no other transaction holds (SKIP LOCKED; when
-- all 32 are taken, a row of the backend's own, keyed by its process id, which
-- only it writes: waiting there for another writer's commit could deadlock),
-- once per transaction: a transaction-local setting remembers it did (rolled
-- back with a rolled-back savepoint, like the update). A writer thus never waits
-- on a counter row, and cannot deadlock on one.

CREATE TABLE data_version (shard INTEGER PRIMARY KEY, n BIGINT NOT NULL DEFAULT 0);
INSERT INTO data_version (shard, n) SELECT s, CASE WHEN s = 0 THEN 1 ELSE 0 END FROM generate_series(0, 31) s;
ALTER TABLE data_version SET (fillfactor = 10, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);

CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE s integer; BEGIN
  IF current_setting('portfolio.data_version_bumped', true) = 'y' THEN RETURN NULL; END IF
  ; SELECT shard INTO s FROM data_version ORDER BY (shard + pg_backend_pid()) % 32 LIMIT 1 FOR UPDATE SKIP LOCKED
  ; IF s IS NULL THEN
      INSERT INTO data_version (shard, n) VALUES (32 + pg_backend_pid(), 1) ON CONFLICT (shard) DO UPDATE SET n = data_version.n + 1
  ; ELSE
      UPDATE data_version SET n = n + 1 WHERE shard = s
  ; END IF
  ; PERFORM set_config('portfolio.data_version_bumped', 'y', true)
  ; RETURN NULL
; END $$;

CREATE TRIGGER data_version_engagements AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON engagements FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_engagement_managers AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON engagement_managers FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_vendors AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON vendors FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_users AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_risks AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON risks FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_milestones AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON milestones FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_readiness_items AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON readiness_items FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_fx_rates AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON fx_rates FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_settings AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON settings FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_engagement_totals AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON engagement_totals FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_cost_month_totals AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON cost_month_totals FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_sla_month_totals AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sla_month_totals FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_risk_cell_totals AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON risk_cell_totals FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_risk_cells AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON risk_cells FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
