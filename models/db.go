package models

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// sqlitePragmas are per connection, so they travel in the DSN (mattn's form).
const sqlitePragmas = "_journal_mode=WAL&_busy_timeout=5000&_foreign_keys=on&_txlock=immediate&_synchronous=NORMAL"

// IsPostgres reports whether a database URL names PostgreSQL.
func IsPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// SQLitePath is the database file inside a data directory.
func SQLitePath(dataDir string) string { return filepath.Join(dataDir, "portfolio.db") }

// Open connects to PostgreSQL for a postgres:// URL, otherwise to the SQLite file
// at path (created with its directory), and checks the connection's settings.
// Clock is the app's clock: GORM stamps created_at and updated_at by it, and
// models' writes read it through NowOf.
func Open(ctx context.Context, urlOrPath string, clock Clock) (*gorm.DB, error) {
	cfg := &gorm.Config{
		Logger:                 logger.New(slogWriter{}, logger.Config{SlowThreshold: 200 * time.Millisecond, LogLevel: logger.Warn, IgnoreRecordNotFoundError: true}),
		NowFunc:                func() time.Time { return clock.Now().UTC() },
		SkipDefaultTransaction: true,
		PrepareStmt:            true,
		TranslateError:         true,
	}
	if IsPostgres(urlOrPath) {
		db, err := gorm.Open(postgres.Open(urlOrPath), cfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqlDB, _ := db.DB()
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(20)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		return db, sqlDB.PingContext(ctx)
	}
	if dir := filepath.Dir(urlOrPath); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	// The file holds password hashes: its owner alone reads it. SQLite gives
	// its write-ahead log and shared memory the database file's permissions.
	if err := PrivateFile(urlOrPath); err != nil {
		return nil, err
	}
	// Writers queue for the file's writer token and reads for a slot in Go (db_writer.go).
	db, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: sqliteQueuedDriver, DSN: "file:" + urlOrPath + "?" + sqlitePragmas}), cfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", urlOrPath, err)
	}
	sqlDB, _ := db.DB()
	// Reads run a slot per core at a time (db_writer.go); writers hold a
	// connection while they queue for the writer token: room for both, so
	// that queued writers never take every connection from the readers.
	sqlDB.SetMaxOpenConns(16)
	sqlDB.SetMaxIdleConns(16)
	if err := checkPragmas(ctx, db); err != nil {
		return nil, err
	}
	return db, nil
}

// checkPragmas reads the pragmas back: a DSN form the driver ignores fails here, not in production.
func checkPragmas(ctx context.Context, db *gorm.DB) error {
	var mode string
	var fk, busy int
	d := db.WithContext(ctx)
	if err := d.Raw("PRAGMA journal_mode").Scan(&mode).Error; err != nil {
		return err
	}
	d.Raw("PRAGMA foreign_keys").Scan(&fk)
	d.Raw("PRAGMA busy_timeout").Scan(&busy)
	if mode != "wal" || fk != 1 || busy < 5000 {
		return fmt.Errorf("sqlite pragmas not applied: journal_mode=%s foreign_keys=%d busy_timeout=%d", mode, fk, busy)
	}
	return nil
}

// IsSQLite reports whether db talks to SQLite.
func IsSQLite(db *gorm.DB) bool { return db.Dialector.Name() == "sqlite" }

type slogWriter struct{}

func (slogWriter) Printf(format string, args ...any) {
	slog.Warn("gorm", "msg", strings.TrimSpace(fmt.Sprintf(format, args...)))
}

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

// Checkpoint folds SQLite's write-ahead log into the database file and empties
// it: a bulk seed leaves a log as large as the data, which every later start
// would otherwise have to read. A no-op on PostgreSQL.
//
// SQLite does not wait for another checkpoint (the process's own checkpointer,
// db_checkpoint.go) but reports it busy: so it tries again, for up to 10 s.
func Checkpoint(ctx context.Context, db *gorm.DB) error {
	if !IsSQLite(db) {
		return nil
	}
	for try := 0; ; try++ {
		var r struct{ Busy, Log, Checkpointed int }
		if err := db.WithContext(ctx).Raw("PRAGMA wal_checkpoint(TRUNCATE)").Scan(&r).Error; err != nil {
			return err
		}
		if r.Busy == 0 {
			return nil
		}
		if try == 1000 { // tries 10 ms apart
			return errors.New("checkpoint: the write-ahead log stayed busy for 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// PrivateFile creates path empty and readable by its owner alone if it does
// not exist, and takes away others' access if it does: a database or a
// backup of one holds password hashes.
func PrivateFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	f.Close()
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("make %s private: %w", path, err)
	}
	return nil
}
