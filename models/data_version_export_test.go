package models

import (
	"context"

	"gorm.io/gorm"
)

// DataVersionTables are the tables migration 9 puts version triggers on
// (compiled into tests only).
var DataVersionTables = dataVersionTables

// MigrateUpTo applies the registered migrations up to and including version
// last, as Migrate does (compiled into tests only): a database as an older
// release left it.
func MigrateUpTo(ctx context.Context, db *gorm.DB, last int) error {
	db = db.WithContext(ctx)
	if err := db.Exec(dialectSQL(db, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at {{ts}} NOT NULL)`)).Error; err != nil {
		return err
	}
	for _, m := range migrations {
		if m.Version > last {
			break
		}
		if _, err := applyOne(db, m); err != nil {
			return err
		}
	}
	return nil
}
