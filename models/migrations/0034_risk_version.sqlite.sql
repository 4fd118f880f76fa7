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
-- SQLite: one counter row, as data_version's; each trigger replaced by one
-- updating the new row (same name: the scale seed sets triggers aside by name).

CREATE TABLE risk_version (shard INTEGER PRIMARY KEY, n BIGINT NOT NULL DEFAULT 0);
INSERT INTO risk_version (shard, n) VALUES (0, 0);

DROP TRIGGER data_version_risks_insert;
CREATE TRIGGER data_version_risks_insert AFTER INSERT ON risks BEGIN UPDATE risk_version SET n = n + 1; END;
DROP TRIGGER data_version_risks_update;
CREATE TRIGGER data_version_risks_update AFTER UPDATE ON risks BEGIN UPDATE risk_version SET n = n + 1; END;
DROP TRIGGER data_version_risks_delete;
CREATE TRIGGER data_version_risks_delete AFTER DELETE ON risks BEGIN UPDATE risk_version SET n = n + 1; END;

DROP TRIGGER data_version_risk_cells_insert;
CREATE TRIGGER data_version_risk_cells_insert AFTER INSERT ON risk_cells BEGIN UPDATE risk_version SET n = n + 1; END;
DROP TRIGGER data_version_risk_cells_update;
CREATE TRIGGER data_version_risk_cells_update AFTER UPDATE ON risk_cells BEGIN UPDATE risk_version SET n = n + 1; END;
DROP TRIGGER data_version_risk_cells_delete;
CREATE TRIGGER data_version_risk_cells_delete AFTER DELETE ON risk_cells BEGIN UPDATE risk_version SET n = n + 1; END;

DROP TRIGGER data_version_mitigation_actions_insert;
CREATE TRIGGER data_version_mitigation_actions_insert AFTER INSERT ON mitigation_actions BEGIN UPDATE risk_version SET n = n + 1; END;
DROP TRIGGER data_version_mitigation_actions_update;
CREATE TRIGGER data_version_mitigation_actions_update AFTER UPDATE ON mitigation_actions BEGIN UPDATE risk_version SET n = n + 1; END;
DROP TRIGGER data_version_mitigation_actions_delete;
CREATE TRIGGER data_version_mitigation_actions_delete AFTER DELETE ON mitigation_actions BEGIN UPDATE risk_version SET n = n + 1; END;

DROP TRIGGER data_version_changes_insert;
CREATE TRIGGER data_version_changes_insert AFTER INSERT ON changes BEGIN UPDATE risk_version SET n = n + 1; END;
DROP TRIGGER data_version_changes_update;
CREATE TRIGGER data_version_changes_update AFTER UPDATE ON changes BEGIN UPDATE risk_version SET n = n + 1; END;
DROP TRIGGER data_version_changes_delete;
CREATE TRIGGER data_version_changes_delete AFTER DELETE ON changes BEGIN UPDATE risk_version SET n = n + 1; END;
