-- The history (changes) moves the data version too. Every change row is
-- written beside a write of a table that moves it already, but the register as
-- at a day and the review pack read the history, and a cached read must not
-- rest on that promise: the test of the cache's parts
-- (handlers.TestCachedReadsMoveTheVersion) checks every table they read has
-- its trigger.

CREATE TRIGGER data_version_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON changes FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
