package models

import (
	"context"

	"gorm.io/gorm"
)

// DataVersion reads the data version (migrations 9, 13, 16, 17): a number
// that every committed write of a table a cached page reads makes larger, on
// every app instance and process sharing the database. Read it BEFORE the data
// it guards: what is then loaded is at least as new as the version, so it may
// be cached at that version (package cache) and served while the version
// reads the same.
func DataVersion(ctx context.Context, db *gorm.DB) (int64, error) {
	if IsSQLite(db) {
		// As in LoadDashboard: a cancellable context costs the SQLite driver a
		// goroutine per query; one row by its key cannot run long.
		ctx = context.WithoutCancel(ctx)
	}
	var v int64
	err := db.WithContext(ctx).Raw("SELECT CAST(SUM(n) AS BIGINT) FROM data_version").Row().Scan(&v)
	return v, err
}
