package models

import (
	"strconv"
	"strings"
)

// Migration 9: the data version (issue 7). A number that every committed write
// of a table the dashboard or the risk register reads makes larger, kept by
// triggers in the writer's own transaction: whoever writes (forms, imports,
// the `portfolio user` command, another app instance on the same PostgreSQL)
// moves it, and it moves exactly when the write commits. A reader that reads
// the version before its data may keep the data in memory under that version
// and serve it again for as long as the version reads the same (DataVersion,
// VersionCache in data_version.go): a version can only be older than the data
// stored with it, never newer.
//
// The tables covered are those the dashboard and the register read:
//   - engagements, engagement_managers (the register's rights), vendors (its
//     vendor filter), users (owners' names), risks, milestones, readiness_items
//     (the transfers' readiness), fx_rates, settings (bands, fiscal year,
//     reporting currency);
//   - the aggregate tables read instead of the base rows: engagement_totals,
//     cost_month_totals, sla_month_totals, risk_cell_totals, risk_cells. Every
//     writer of cost records and SLA results adds its deltas to the first two
//     in its transaction (aggregates.go), so cost_records and sla_measurements
//     (a million rows) need no trigger: a write that changes no total changes
//     nothing the dashboard shows. The risk cell tables are written with the
//     risks (the same transaction moves the version already) but also by
//     RebuildAggregates, the repair of a wrong total.
//
// Not covered: the history (changes), written only beside a covered write,
// lessons, reviews and packs, sessions' throttles.
//
// SQLite runs one writer at a time and has row triggers only: one counter row,
// a row trigger per table and operation adding one. The bulk seeds write
// through them too: `portfolio seed --scale 2000` fires ~172,000 of them and
// took 9.2–10.5 s (7.0–10.0 s CPU) before this migration and 9.3–9.7 s
// (7.9–8.8 s CPU) after, three runs each on a shared machine: within the noise.
// (The scale seed has since set all triggers and indexes aside for its load and
// moves the version once at the end: seed_upkeep.go.)
//
// PostgreSQL runs writers side by side: one counter row would make every
// writer wait for the previous one's commit. So 32 counter rows, the version
// being their sum (a sum of counters that only grow grows with each commit and
// is read in one snapshot), and one statement trigger per table that adds one
// to a row no other transaction holds (SKIP LOCKED; when all 32 are taken, a
// row of the backend's own, keyed by its process id, which only it writes:
// waiting there for another writer's commit could deadlock), once per transaction: a transaction-local setting
// remembers it did (rolled back with a rolled-back savepoint, like the update).
// A writer thus never waits on a counter row, and cannot deadlock on one.
func init() { register(migration{9, "data version", migration9()}) }

// dataVersionTables are the tables whose writes move the data version (see
// above). Migration 9 has shipped with this list: a table added later needs a
// migration of its own.
var dataVersionTables = []string{
	"engagements", "engagement_managers", "vendors", "users", "risks", "milestones", "readiness_items",
	"fx_rates", "settings", "engagement_totals", "cost_month_totals", "sla_month_totals",
	"risk_cell_totals", "risk_cells",
}

// dataVersionShards is the number of PostgreSQL counter rows.
const dataVersionShards = 32

func migration9() string {
	var sb strings.Builder
	sb.WriteString(strings.NewReplacer("{{shards}}", strconv.Itoa(dataVersionShards), "{{last}}", strconv.Itoa(dataVersionShards-1)).Replace(`
CREATE TABLE data_version (shard INTEGER PRIMARY KEY, n BIGINT NOT NULL DEFAULT 0);
-- sqlite only
INSERT INTO data_version (shard, n) VALUES (0, 1);
-- postgres only
INSERT INTO data_version (shard, n) SELECT s, CASE WHEN s = 0 THEN 1 ELSE 0 END FROM generate_series(0, {{last}}) s;
-- postgres only
ALTER TABLE data_version SET (fillfactor = 10, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);
-- postgres only
CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE s integer; BEGIN
  IF current_setting('portfolio.data_version_bumped', true) = 'y' THEN RETURN NULL; END IF
  ; SELECT shard INTO s FROM data_version ORDER BY (shard + pg_backend_pid()) % {{shards}} LIMIT 1 FOR UPDATE SKIP LOCKED
  ; IF s IS NULL THEN
      INSERT INTO data_version (shard, n) VALUES ({{shards}} + pg_backend_pid(), 1) ON CONFLICT (shard) DO UPDATE SET n = data_version.n + 1
  ; ELSE
      UPDATE data_version SET n = n + 1 WHERE shard = s
  ; END IF
  ; PERFORM set_config('portfolio.data_version_bumped', 'y', true)
  ; RETURN NULL
; END $$;
`))
	sb.WriteString(dataVersionTriggers(dataVersionTables))
	return sb.String()
}

// dataVersionTriggers makes the writes of tables move the data version.
func dataVersionTriggers(tables []string) string {
	var sb strings.Builder
	for _, t := range tables {
		for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
			sb.WriteString("-- sqlite only\nCREATE TRIGGER data_version_" + t + "_" + strings.ToLower(op) +
				" AFTER " + op + " ON " + t + " BEGIN UPDATE data_version SET n = n + 1; END;\n")
		}
		sb.WriteString("-- postgres only\nCREATE TRIGGER data_version_" + t + " AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON " + t +
			" FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();\n")
	}
	return sb.String()
}
