-- The history (changes) moves the data version too. Every change row is
-- written beside a write of a table that moves it already, but the register as
-- at a day and the review pack read the history, and a cached read must not
-- rest on that promise: the test of the cache's parts
-- (handlers.TestCachedReadsMoveTheVersion) checks every table they read has
-- its trigger.

CREATE TRIGGER data_version_changes_insert AFTER INSERT ON changes BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_changes_update AFTER UPDATE ON changes BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_changes_delete AFTER DELETE ON changes BEGIN UPDATE data_version SET n = n + 1; END;
