-- The risk version: the data version split in two. The risk register's tables
-- (risks, risk_cells, mitigation_actions, changes) are written many times a minute, each
-- quick action on a risk writing several of them; values cached from the other
-- tables (the vendors' spend, contract notices, costs, service levels) need
-- not be loaded again after such a write. So these tables' triggers now move a
-- counter of their own, risk_version, and every other table's still moves
-- data_version. The data version is the sum of both, moved by every write as
-- before; data_version alone is the version of the other tables, and a cached
-- value that reads none of these tables is cached at it (package cache).
--
-- PostgreSQL: 32 counter rows and a statement trigger adding one once per
-- transaction to a row no other transaction holds, as data_version's (migration 9
-- says why); its own once-per-transaction setting, so that a transaction
-- writing a risk and an engagement moves both counters.

CREATE TABLE risk_version (shard INTEGER PRIMARY KEY, n BIGINT NOT NULL DEFAULT 0);
INSERT INTO risk_version (shard, n) SELECT s, 0 FROM generate_series(0, 31) s;
ALTER TABLE risk_version SET (fillfactor = 10, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);

CREATE FUNCTION risk_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE s integer; BEGIN
  IF current_setting('portfolio.risk_version_bumped', true) = 'y' THEN RETURN NULL; END IF
  ; SELECT shard INTO s FROM risk_version ORDER BY (shard + pg_backend_pid()) % 32 LIMIT 1 FOR UPDATE SKIP LOCKED
  ; IF s IS NULL THEN
      INSERT INTO risk_version (shard, n) VALUES (32 + pg_backend_pid(), 1) ON CONFLICT (shard) DO UPDATE SET n = risk_version.n + 1
  ; ELSE
      UPDATE risk_version SET n = n + 1 WHERE shard = s
  ; END IF
  ; PERFORM set_config('portfolio.risk_version_bumped', 'y', true)
  ; RETURN NULL
; END $$;

DROP TRIGGER data_version_risks ON risks;
CREATE TRIGGER data_version_risks AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON risks FOR EACH STATEMENT EXECUTE FUNCTION risk_version_bump();

DROP TRIGGER data_version_risk_cells ON risk_cells;
CREATE TRIGGER data_version_risk_cells AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON risk_cells FOR EACH STATEMENT EXECUTE FUNCTION risk_version_bump();

DROP TRIGGER data_version_mitigation_actions ON mitigation_actions;
CREATE TRIGGER data_version_mitigation_actions AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON mitigation_actions FOR EACH STATEMENT EXECUTE FUNCTION risk_version_bump();

DROP TRIGGER data_version_changes ON changes;
CREATE TRIGGER data_version_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON changes FOR EACH STATEMENT EXECUTE FUNCTION risk_version_bump();
