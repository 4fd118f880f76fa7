package models

import (
	"slices"
	"strings"
	"testing"

	"portfolio/models/migrations"
)

func migrationStatements(t *testing.T, v int, d migrations.Dialect) []string {
	t.Helper()
	all, err := migrations.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if m.Version == v {
			return m.Statements(d)
		}
	}
	t.Fatalf("no migration %d", v)
	return nil
}

// The search indexes are built on the very expressions the queries repeat:
// PostgreSQL uses an expression index only for the same expression.
func TestSearchIndexesAreOnTheQueriesDocuments(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		version int
		stmt    string
	}{
		{5, "CREATE INDEX lessons_search ON lessons USING gin ((" + LessonSearchDocPG + "))"},
		{8, "CREATE INDEX risks_search ON risks USING gin ((" + RiskSearchDocPG + "))"},
	} {
		if !slices.Contains(migrationStatements(t, c.version, migrations.Postgres), c.stmt) {
			t.Errorf("migration %d does not run %s", c.version, c.stmt)
		}
	}
}

// RebuildAggregates fills the aggregate tables as the migrations that made
// them did (7, 8 and the vendors' monthly spend's).
func TestAggregateRefillIsTheMigrationsFill(t *testing.T) {
	t.Parallel()
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	all, err := migrations.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []migrations.Dialect{migrations.SQLite, migrations.Postgres} {
		var fills []string
		for _, m := range all {
			for _, stmt := range m.Statements(d) {
				fills = append(fills, norm(stmt))
			}
		}
		for _, stmt := range aggregateRefill {
			if !slices.Contains(fills, norm(stmt)) {
				t.Errorf("%s: no migration runs the refill's\n%s", d, stmt)
			}
		}
	}
}

// Each table with a PostgreSQL data-version trigger has SQLite's three.
func TestDataVersionTriggersOnBothDatabases(t *testing.T) {
	t.Parallel()
	all, err := migrations.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		v := m.Version
		tables := versionTriggerTables(v)
		if len(tables) == 0 && slices.Contains([]int{9, 13, 16, 21, 34}, v) {
			t.Fatalf("migration %d has no data-version triggers", v)
		}
		sqlite := migrationStatements(t, v, migrations.SQLite)
		for _, tb := range tables {
			counter := versionCounter(v, tb) // data_version, or risk_version (migration 34)
			for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
				want := "CREATE TRIGGER data_version_" + tb + "_" + strings.ToLower(op) + " AFTER " + op + " ON " + tb +
					" BEGIN UPDATE " + counter + " SET n = n + 1; END"
				if !slices.Contains(sqlite, want) {
					t.Errorf("migration %d: SQLite lacks %s", v, want)
				}
			}
		}
	}
}
