package models

import (
	"context"

	"gorm.io/gorm"
)

// DataVersion reads the data version (migrations 9, 13, 16, 17, 34): a number
// that every committed write of a table a cached page reads makes larger, on
// every app instance and process sharing the database. Read it BEFORE the data
// it guards: what is then loaded is at least as new as the version, so it may
// be cached at that version (package cache) and served while the version
// reads the same.
func DataVersion(ctx context.Context, db *gorm.DB) (int64, error) {
	all, _, err := DataVersions(ctx, db)
	return all, err
}

// RiskTables are the risk register's tables, whose writes move risk_version
// instead of data_version (migration 34): a risk's quick action writes
// several of them, many times a minute. So does an update of an engagement's
// health columns (migration 35), which a risk's write refreshes; a value
// cached at the others' version reads none of these.
var RiskTables = []string{"risks", "risk_cells", "mitigation_actions", "changes"}

// DataVersions reads the data version (all) and the version of every covered
// table but RiskTables (others) in one statement, so in one snapshot: a value
// that reads none of RiskTables may be cached at others, and is then kept
// through the register's writes.
func DataVersions(ctx context.Context, db *gorm.DB) (all, others int64, err error) {
	if IsSQLite(db) {
		// As in LoadDashboard: a cancellable context costs the SQLite driver a
		// goroutine per query; one row by its key cannot run long.
		ctx = context.WithoutCancel(ctx)
	}
	var risks int64
	err = db.WithContext(ctx).Raw(`SELECT CAST((SELECT SUM(n) FROM data_version) AS BIGINT),
		CAST((SELECT SUM(n) FROM risk_version) AS BIGINT)`).Row().Scan(&others, &risks)
	return others + risks, others, err
}
