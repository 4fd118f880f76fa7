-- The health probe's row. /healthz proves the database takes a write (a
-- read-only or full disk answers reads and refuses every save) by writing this
-- one row, which no trigger watches: a probe every few seconds must not move the
-- data version and empty the caches.

CREATE TABLE health_probe (id INTEGER PRIMARY KEY, at {{ts}} NOT NULL);
