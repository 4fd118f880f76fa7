-- The mitigation actions and the transfer gates move the data version too.
-- Every other table a page reads did; a value cached at the data version that read
-- one of these (a risk's actions, an engagement's gate decisions) would have
-- stayed stale after their writes. The triggers are migration 9's, on more tables.

CREATE TRIGGER data_version_mitigation_actions_insert AFTER INSERT ON mitigation_actions BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_mitigation_actions_update AFTER UPDATE ON mitigation_actions BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_mitigation_actions_delete AFTER DELETE ON mitigation_actions BEGIN UPDATE data_version SET n = n + 1; END;

CREATE TRIGGER data_version_transfer_gates_insert AFTER INSERT ON transfer_gates BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_transfer_gates_update AFTER UPDATE ON transfer_gates BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_transfer_gates_delete AFTER DELETE ON transfer_gates BEGIN UPDATE data_version SET n = n + 1; END;
