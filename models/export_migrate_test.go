package models

import (
	"context"
	"regexp"

	"gorm.io/gorm"

	"portfolio/models/migrations"
)

// RegisteredMigrations lists the versions of the migration files, in order,
// for the external migration tests (compiled into tests only).
func RegisteredMigrations() []int {
	all, err := migrations.All()
	if err != nil {
		panic(err)
	}
	out := make([]int, len(all))
	for i, m := range all {
		out[i] = m.Version
	}
	return out
}

// MigrateUpTo applies the migrations up to and including version last, as
// Migrate does (compiled into tests only): a database as an older release
// left it.
func MigrateUpTo(ctx context.Context, db *gorm.DB, last int) error {
	all, err := migrations.All()
	if err != nil {
		return err
	}
	db = db.WithContext(ctx)
	if err := createMigrationsTable(db); err != nil {
		return err
	}
	for _, m := range all {
		if m.Version > last {
			break
		}
		if _, err := applyOne(db, m); err != nil {
			return err
		}
	}
	return nil
}

var versionTrigger = regexp.MustCompile(`^CREATE TRIGGER data_version_\w+ AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON (\w+) .*EXECUTE FUNCTION (\w+)_bump\(\)`)

// versionTriggerTables are the tables migration v puts data-version triggers
// on, read from its PostgreSQL statements (one trigger a table there).
func versionTriggerTables(v int) []string {
	all, err := migrations.All()
	if err != nil {
		panic(err)
	}
	var tables []string
	for _, m := range all {
		if m.Version != v {
			continue
		}
		for _, stmt := range m.Statements(migrations.Postgres) {
			if t := versionTrigger.FindStringSubmatch(stmt); t != nil {
				tables = append(tables, t[1])
			}
		}
	}
	return tables
}

// versionCounter is the counter table migration v's PostgreSQL trigger on
// table moves: data_version, or risk_version for the risk register's tables.
func versionCounter(v int, table string) string {
	all, err := migrations.All()
	if err != nil {
		panic(err)
	}
	for _, m := range all {
		if m.Version != v {
			continue
		}
		for _, stmt := range m.Statements(migrations.Postgres) {
			if t := versionTrigger.FindStringSubmatch(stmt); t != nil && t[1] == table {
				return t[2]
			}
		}
	}
	return ""
}
