package models

import (
	"context"

	"gorm.io/gorm"
)

// IsSQLite reports whether db talks to SQLite.
func IsSQLite(db *gorm.DB) bool { return db.Dialector.Name() == "sqlite" }

// Ping checks the database answers (for /healthz).
func Ping(ctx context.Context, db *gorm.DB) error {
	var one int
	return db.WithContext(ctx).Raw("SELECT 1").Scan(&one).Error
}

// CheckWritable proves the database takes a write, by writing the health
// probe's row (migration 15): a database that answers reads but refuses
// writes (read-only, or a full disk) is not healthy.
func CheckWritable(ctx context.Context, db *gorm.DB) error {
	return db.WithContext(ctx).Exec(probeSQL, NowOf(db)).Error
}

// probeSQL writes the probe's row: an upsert both databases speak.
const probeSQL = `INSERT INTO health_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`
