-- The mitigation actions and the transfer gates move the data version too.
-- Every other table a page reads did; a value cached at the data version that read
-- one of these (a risk's actions, an engagement's gate decisions) would have
-- stayed stale after their writes. The triggers are migration 9's, on more tables.

CREATE TRIGGER data_version_mitigation_actions AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON mitigation_actions FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_transfer_gates AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON transfer_gates FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
