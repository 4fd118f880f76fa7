package models

// Migration 15: the health probe's row. /healthz proves the database takes a
// write (a read-only or full disk answers reads and refuses every save), by
// writing this one row, which no trigger watches: a probe every few seconds
// must not move the data version and empty the caches.
func init() {
	register(migration{15, "the health probe writes its own row", `
CREATE TABLE health_probe (id INTEGER PRIMARY KEY, at {{ts}} NOT NULL);
`})
}

// probeSQL writes the probe's row: an upsert both databases speak.
const probeSQL = `INSERT INTO health_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`
