// Package sqlstore opens the database: PostgreSQL as one pool, or the SQLite
// file as two (one writer connection, a pool of readers) with its pragmas, a
// small checkpoint loop and its writes committed in groups (Write). It knows
// nothing of the app's tables: models and its rooms run the queries,
// models/migrations the schema.
package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/plugin/dbresolver"
)

// pragmas are per connection, so they travel in the DSN (mattn's form). With
// _txlock=immediate a transaction takes the file's write lock at BEGIN, so
// another process writing (the CLI, a backup) makes it wait at the start,
// not fail halfway.
const pragmas = "_journal_mode=WAL&_foreign_keys=on&_txlock=immediate&_synchronous=NORMAL"

// IsPostgres reports whether a database URL names PostgreSQL.
func IsPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

// SQLitePath is the database file inside a data directory.
func SQLitePath(dataDir string) string { return filepath.Join(dataDir, "portfolio.db") }

// Open connects to PostgreSQL for a postgres:// URL, otherwise to the SQLite
// file at path (created with its directory), and checks the connection's
// settings. GORM stamps created_at and updated_at by now, the app's clock.
// Close it with Close.
func Open(ctx context.Context, urlOrPath string, now func() time.Time) (*gorm.DB, error) {
	cfg := &gorm.Config{
		Logger:                 logger.New(slogWriter{}, logger.Config{SlowThreshold: 200 * time.Millisecond, LogLevel: logger.Warn, IgnoreRecordNotFoundError: true}),
		NowFunc:                func() time.Time { return now().UTC() },
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
	return openSQLite(ctx, urlOrPath, cfg)
}

// openSQLite opens the standard arrangement for SQLite in WAL mode: SQLite
// runs one writer at a time, so writes share one connection and queue for it
// in database/sql (in order, without polling SQLite's busy handler), while
// reads run on a pool of their own beside it. GORM sends each statement to
// its pool (dbresolver): transactions, inserts, updates and deletes to the
// writer, queries outside a transaction to the readers.
func openSQLite(ctx context.Context, path string, cfg *gorm.Config) (*gorm.DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	// The file holds password hashes: its owner alone reads it. SQLite gives
	// its write-ahead log and shared memory the database file's permissions.
	if err := PrivateFile(path); err != nil {
		return nil, err
	}
	dsn := "file:" + path + "?" + pragmas
	s := &store{
		write: sql.OpenDB(keepingConnector{connector(dsn + "&_busy_timeout=5000")}),
		read:  sql.OpenDB(connector(dsn + "&_busy_timeout=5000&_query_only=1")),
		// A checkpoint waits briefly for readers, then tries again next round.
		checkpoint: sql.OpenDB(connector(dsn + "&_busy_timeout=20")),
		stop:       make(chan struct{}),
		done:       make(chan struct{}),
		wake:       make(chan struct{}, 1),
		writesDone: make(chan struct{}),
	}
	s.maxLog.Store(defaultMaxLog)
	s.write.SetMaxOpenConns(1)
	s.write.SetMaxIdleConns(1)
	s.write.SetConnMaxIdleTime(0)
	// Room for the pages the admission lets in (web.Admission) and, beside
	// them, the exports that stream for seconds holding a connection each: a
	// pool of a few cores' worth was taken by exports in the load harness's
	// mixed run, and every page queued behind them.
	readers := max(16, 4*runtime.NumCPU())
	s.read.SetMaxOpenConns(readers)
	s.read.SetMaxIdleConns(readers)
	s.checkpoint.SetMaxOpenConns(1)
	fail := func(err error) (*gorm.DB, error) {
		s.write.Close()
		s.read.Close()
		s.checkpoint.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// The writer first: its first connection creates the file and sets WAL.
	if err := s.write.PingContext(ctx); err != nil {
		return fail(err)
	}
	db, err := gorm.Open(sqlite.New(sqlite.Config{Conn: s.write}), cfg)
	if err != nil {
		return fail(err)
	}
	if err := db.Use(dbresolver.Register(dbresolver.Config{
		Replicas: []gorm.Dialector{sqlite.New(sqlite.Config{Conn: s.read})},
	})); err != nil {
		return fail(err)
	}
	if err := db.Use(s); err != nil {
		return fail(err)
	}
	if err := checkPragmas(ctx, db); err != nil {
		return fail(err)
	}
	s.db = db
	go s.checkpoints()
	go s.writes()
	return db, nil
}

// connector opens mattn connections for dsn with the automatic checkpoint
// off (the checkpoint loop does that work, so no commit pays for it) and the
// log cut back after a checkpoint. It goes through sql.OpenDB, so the app
// registers no driver of its own.
type connector string

var driverWithHook = &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
	_, err := c.Exec("PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864", nil)
	return err
}}

// Connect opens a connection.
func (c connector) Connect(context.Context) (driver.Conn, error) {
	return driverWithHook.Open(string(c))
}

// Driver is mattn's driver with the connect hook.
func (c connector) Driver() driver.Driver { return driverWithHook }

// checkPragmas reads the pragmas back on both pools: a DSN form the driver
// ignores fails here, not in production.
func checkPragmas(ctx context.Context, db *gorm.DB) error {
	for _, pool := range []dbresolver.Operation{dbresolver.Write, dbresolver.Read} {
		var mode string
		var fk, busy, auto int
		for _, p := range []struct {
			name string
			into any
		}{{"journal_mode", &mode}, {"foreign_keys", &fk}, {"busy_timeout", &busy}, {"wal_autocheckpoint", &auto}} {
			if err := db.WithContext(ctx).Clauses(pool).Raw("PRAGMA " + p.name).Scan(p.into).Error; err != nil {
				return err
			}
		}
		if mode != "wal" || fk != 1 || busy < 5000 || auto != 0 {
			return fmt.Errorf("sqlite pragmas not applied (%s): journal_mode=%s foreign_keys=%d busy_timeout=%d wal_autocheckpoint=%d", pool, mode, fk, busy, auto)
		}
	}
	return nil
}

type slogWriter struct{}

func (slogWriter) Printf(format string, args ...any) {
	slog.Warn("gorm", "msg", strings.TrimSpace(fmt.Sprintf(format, args...)))
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
