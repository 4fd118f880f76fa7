package models

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"gorm.io/gorm"
)

// migration is one versioned schema change. Versions are applied in order, each
// in its own transaction, and recorded in schema_migrations. Never edit one that
// has shipped: add another. {{pk}} and {{ts}} are filled in per dialect.
type migration struct {
	Version int
	Name    string
	SQL     string
}

var migrations []migration

// register adds a migration (from an init function); versions must be unique.
func register(m migration) {
	for _, x := range migrations {
		if x.Version == m.Version {
			panic(fmt.Sprintf("migration %d registered twice (%s, %s)", m.Version, x.Name, m.Name))
		}
	}
	migrations = append(migrations, m)
	sort.Slice(migrations, func(i, j int) bool { return migrations[i].Version < migrations[j].Version })
}

// dialectSQL fills the dialect placeholders of a migration.
func dialectSQL(db *gorm.DB, sql string) string {
	pk, ts := "INTEGER PRIMARY KEY AUTOINCREMENT", "TIMESTAMP"
	if !IsSQLite(db) {
		pk, ts = "BIGSERIAL PRIMARY KEY", "TIMESTAMPTZ"
	}
	return strings.NewReplacer("{{pk}}", pk, "{{ts}}", ts).Replace(sql)
}

// Migrate applies every migration not yet recorded, each in its own transaction.
// It returns the versions it applied.
func Migrate(ctx context.Context, db *gorm.DB) ([]int, error) {
	db = db.WithContext(ctx)
	if err := db.Exec(dialectSQL(db, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {{ts}} NOT NULL)`)).Error; err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied []int
	for _, m := range migrations {
		ran, err := applyOne(db, m)
		if err != nil {
			return applied, fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
		}
		if ran {
			applied = append(applied, m.Version)
		}
	}
	return applied, nil
}

func applyOne(db *gorm.DB, m migration) (bool, error) {
	ran := false
	err := db.Transaction(func(tx *gorm.DB) error {
		if !IsSQLite(tx) {
			// Two instances starting together must not both run a migration.
			if err := tx.Exec("SELECT pg_advisory_xact_lock(727274)").Error; err != nil {
				return err
			}
		}
		var n int64
		if err := tx.Table("schema_migrations").Where("version = ?", m.Version).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		for _, stmt := range splitSQL(dialectSQL(tx, m.SQL)) {
			if !forDialect(tx, stmt) {
				continue
			}
			if err := tx.Exec(stmt).Error; err != nil {
				return fmt.Errorf("%w\n%s", err, stmt)
			}
		}
		ran = true
		return tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.Version, m.Name, NowOf(tx)).Error
	})
	return ran, err
}

// forDialect reports whether a statement runs on this database. A statement
// that starts with the comment "-- sqlite only" or "-- postgres only" runs on
// that database alone: full-text search, for one, has no portable SQL.
func forDialect(db *gorm.DB, stmt string) bool {
	switch {
	case strings.HasPrefix(stmt, "-- sqlite only"):
		return IsSQLite(db)
	case strings.HasPrefix(stmt, "-- postgres only"):
		return !IsSQLite(db)
	}
	return true
}

// splitSQL cuts a script at the semicolons that end its statements.
func splitSQL(script string) []string {
	var out []string
	for _, s := range strings.Split(script, ";\n") {
		if s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ";")); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// AppliedMigrations lists the versions recorded as applied.
func AppliedMigrations(ctx context.Context, db *gorm.DB) ([]int, error) {
	var v []int
	err := db.WithContext(ctx).Table("schema_migrations").Order("version").Pluck("version", &v).Error
	return v, err
}
