package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"portfolio/models/migrations"
)

// Migrate applies every migration (the .sql files of models/migrations) not
// yet recorded in schema_migrations, in version order, each in its own
// transaction. It checks the files first and applies nothing if any is amiss.
// It returns the versions it applied.
func Migrate(ctx context.Context, db *gorm.DB) ([]int, error) {
	all, err := migrations.All()
	if err != nil {
		return nil, err
	}
	db = db.WithContext(ctx)
	if err := createMigrationsTable(db); err != nil {
		return nil, err
	}
	var applied []int
	for _, m := range all {
		ran, err := applyOne(db, m)
		if err != nil {
			return applied, fmt.Errorf("migration %d (%s): %w", m.Version, m.File(dialectOf(db)), err)
		}
		if ran {
			applied = append(applied, m.Version)
		}
	}
	return applied, nil
}

func createMigrationsTable(db *gorm.DB) error {
	err := db.Exec(migrations.Expand(dialectOf(db), `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {{ts}} NOT NULL)`)).Error
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	return nil
}

func dialectOf(db *gorm.DB) migrations.Dialect {
	if IsSQLite(db) {
		return migrations.SQLite
	}
	return migrations.Postgres
}

// applyOne runs m and records it, unless it is recorded already.
func applyOne(db *gorm.DB, m migrations.Migration) (bool, error) {
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
		for _, stmt := range m.Statements(dialectOf(tx)) {
			if err := tx.Exec(stmt).Error; err != nil {
				return fmt.Errorf("%w\n%s", err, stmt)
			}
		}
		ran = true
		return tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.Version, m.Name, NowOf(tx)).Error
	})
	return ran, err
}

// AppliedMigrations lists the versions recorded as applied.
func AppliedMigrations(ctx context.Context, db *gorm.DB) ([]int, error) {
	var v []int
	err := db.WithContext(ctx).Table("schema_migrations").Order("version").Pluck("version", &v).Error
	return v, err
}
