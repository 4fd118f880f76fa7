package models

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gorm.io/gorm"
)

// openRaw opens a SQLite file through Open and gives its *sql.DB too.
func openRaw(t *testing.T) (*gorm.DB, *sql.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "conn.db")
	db, err := Open(context.Background(), path, SystemClock())
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := db.DB()
	t.Cleanup(func() { sqlDB.Close() })
	return db, sqlDB, path
}

// onConn runs fn with the driver connection under one pooled connection.
func onConn(t *testing.T, conn *sql.Conn, fn func(c *queuedConn)) {
	t.Helper()
	if err := conn.Raw(func(dc any) error { fn(dc.(*queuedConn)); return nil }); err != nil {
		t.Fatal(err)
	}
}

// A connection keeps what it prepared: the same SQL in the next transaction
// runs the same SQLite statement (no second prepare), a statement still in use
// when its SQL comes again gets a twin, and the kept statements stay right
// after the schema changes under them.
func TestConnectionKeepsPreparedStatements(t *testing.T) {
	_, sqlDB, _ := openRaw(t)
	ctx := context.Background()
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"); err != nil {
		t.Fatal(err)
	}
	const insert = "INSERT INTO t (v) VALUES (?)"
	var first *cachedStmt
	for i := range 3 {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		st, err := tx.PrepareContext(ctx, insert)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.ExecContext(ctx, fmt.Sprint("row ", i)); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		onConn(t, conn, func(c *queuedConn) {
			e := c.stmts.byQuery[insert]
			switch {
			case e == nil:
				t.Fatalf("round %d: the INSERT is not kept", i)
			case e.inUse:
				t.Errorf("round %d: the INSERT is still marked in use after its transaction", i)
			case first == nil:
				first = e
			case e != first:
				t.Errorf("round %d: the INSERT was prepared again", i)
			}
		})
	}

	inTx := func(fn func(tx *sql.Tx)) {
		t.Helper()
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		fn(tx)
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	prepare := func(tx *sql.Tx, q string) *sql.Stmt {
		t.Helper()
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}

	// The same SQL prepared again while the first is still reading: a twin.
	const sel = "SELECT id, v FROM t WHERE id >= ? ORDER BY id"
	inTx(func(tx *sql.Tx) {
		outer, err := prepare(tx, sel).QueryContext(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for outer.Next() {
			var id int
			var v string
			if err := outer.Scan(&id, &v); err != nil {
				t.Fatal(err)
			}
			twin, err := prepare(tx, sel).QueryContext(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			m := 0
			for twin.Next() {
				m++
			}
			twin.Close()
			if m != 3-n {
				t.Errorf("from id %d: %d rows through the twin, want %d", id, m, 3-n)
			}
			n++
		}
		outer.Close()
		if n != 3 {
			t.Errorf("outer query read %d rows, want 3", n)
		}
	})

	// A row-returning statement run with Exec stops at its first row; given back
	// unreset it would keep the connection reading the past (and then refuse
	// its next write). Another connection's insert must be seen afterwards.
	inTx(func(tx *sql.Tx) {
		if _, err := prepare(tx, sel).ExecContext(ctx, 1); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := sqlDB.ExecContext(ctx, "INSERT INTO t (v) VALUES ('from another connection')"); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&rows); err != nil || rows != 4 {
		t.Errorf("the connection counts %d rows (%v), want 4: a kept statement holds an old snapshot", rows, err)
	}
	inTx(func(tx *sql.Tx) {
		if _, err := prepare(tx, insert).ExecContext(ctx, "after"); err != nil {
			t.Errorf("a write after the kept SELECT: %v", err)
		}
	})

	// A column added under a SELECT *: not kept, it shows the new column.
	const star = "SELECT * FROM t ORDER BY id LIMIT 1"
	cols := func() (n int) {
		inTx(func(tx *sql.Tx) {
			rows, err := prepare(tx, star).QueryContext(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			c, _ := rows.Columns()
			n = len(c)
		})
		return n
	}
	before := cols()
	if _, err := conn.ExecContext(ctx, "ALTER TABLE t ADD COLUMN w TEXT"); err != nil {
		t.Fatal(err)
	}
	if after := cols(); before != 2 || after != 3 {
		t.Errorf("columns of %q: %d, then %d after ALTER TABLE; want 2, then 3", star, before, after)
	}

	// Past the bound, the least recently used statement not in use goes; a
	// statement prepared outside a transaction is not kept at all.
	inTx(func(tx *sql.Tx) {
		for i := range stmtCacheSize + 10 {
			st := prepare(tx, fmt.Sprintf("SELECT %d", i))
			if _, err := st.ExecContext(ctx); err != nil {
				t.Fatal(err)
			}
			st.Close()
		}
	})
	outside, err := conn.PrepareContext(ctx, "SELECT 'outside'")
	if err != nil {
		t.Fatal(err)
	}
	outside.Close()
	onConn(t, conn, func(c *queuedConn) {
		if len(c.stmts.byQuery) > stmtCacheSize {
			t.Errorf("%d statements kept, bound %d", len(c.stmts.byQuery), stmtCacheSize)
		}
		if c.stmts.byQuery["SELECT 'outside'"] != nil {
			t.Error("a statement prepared outside a transaction was kept")
		}
		if c.stmts.byQuery[fmt.Sprintf("SELECT %d", stmtCacheSize+9)] == nil {
			t.Error("the statement used last was not kept")
		}
	})
}

// With the automatic checkpoint off, the process's checkpointer copies the
// log into the database file within a few rounds, and stops with the last
// connection.
func TestCheckpointerFoldsTheLog(t *testing.T) {
	db, sqlDB, path := openRaw(t)
	var auto int
	if err := db.Raw("PRAGMA wal_autocheckpoint").Scan(&auto).Error; err != nil || auto != 0 {
		t.Fatalf("wal_autocheckpoint = %d (%v), want 0: checkpoints belong to the checkpointer", auto, err)
	}
	if err := db.Exec("CREATE TABLE blobs (b BLOB)").Error; err != nil {
		t.Fatal(err)
	}
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	// 1 MB: 256 pages, below the 1,000 at which SQLite itself would checkpoint.
	if err := db.Transaction(func(tx *gorm.DB) error {
		for range 64 {
			if err := tx.Exec("INSERT INTO blobs (b) VALUES (randomblob(16384))").Error; err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for size() < before+1<<20 {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes 5 s after a 1 MB write (%d before): the log was not checkpointed", size(), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
	file := filepath.Clean(path)
	running := func() bool {
		checkpointMu.Lock()
		defer checkpointMu.Unlock()
		for f := range checkpointers {
			if filepath.Clean(f) == file {
				return true
			}
		}
		return false
	}
	if !running() {
		t.Error("no checkpointer registered for the open database")
	}
	sqlDB.Close()
	if running() {
		t.Error("the checkpointer outlived the database's last connection")
	}
	if _, err := os.Stat(path + "-wal"); !os.IsNotExist(err) {
		t.Errorf("the log is still there after the database closed (%v): its last connection folds it", err)
	}
}

// A statement run outside a transaction queues for the writer token like a
// transaction (in SQLite's busy handler it polled, and missed the gaps in a
// run of transactions): while a transaction holds the token, it waits in Go,
// counted as a write in flight, and runs as soon as the transaction ends.
func TestExecOutsideATransactionQueuesForTheToken(t *testing.T) {
	db, sqlDB, _ := openRaw(t)
	sqlDB.SetMaxOpenConns(4)
	if err := db.Exec("CREATE TABLE marks (n INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	tx := db.Begin()
	if err := tx.Exec("INSERT INTO marks (n) VALUES (1)").Error; err != nil {
		t.Fatal(err)
	}
	before := writing.Load()
	done := make(chan error, 1)
	go func() { done <- db.Exec("INSERT INTO marks (n) VALUES (2)").Error }()
	for deadline := time.Now().Add(5 * time.Second); writing.Load() == before; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the statement outside a transaction never queued for the writer token")
		}
	}
	select {
	case err := <-done:
		t.Fatalf("the statement ran while a transaction held the token (%v)", err)
	default:
	}
	if err := tx.Commit().Error; err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	var ns []int
	db.Raw("SELECT n FROM marks ORDER BY rowid").Scan(&ns)
	if len(ns) != 2 || ns[0] != 1 || ns[1] != 2 {
		t.Errorf("rows %v, want [1 2]", ns)
	}
	if w := writing.Load(); w != 0 {
		t.Errorf("%d writes still counted in flight", w)
	}
}

// Once the log passes maxLogFrames, the checkpointer finishes it holding the
// writer token with a RESTART checkpoint, while writers and readers go on: the
// checkpoints happen, and no write or read fails.
func TestCheckpointerRestartsALongLogUnderWrites(t *testing.T) {
	defer func(n int64) { maxLogFrames = n }(maxLogFrames)
	maxLogFrames = 256 // 1 MB
	db, _, _ := openRaw(t)
	if err := db.Exec("CREATE TABLE blobs (b BLOB)").Error; err != nil {
		t.Fatal(err)
	}
	before := restarts.Load()
	ctx, stop := context.WithTimeout(context.Background(), 2*time.Second)
	defer stop()
	errs := make(chan error, 8)
	done := make(chan struct{})
	for w := range 6 {
		go func() {
			defer func() { done <- struct{}{} }()
			var n int64
			for ctx.Err() == nil {
				var err error
				if w < 3 {
					err = db.Transaction(func(tx *gorm.DB) error {
						return tx.Exec("INSERT INTO blobs (b) VALUES (randomblob(16384))").Error
					})
				} else {
					err = db.Raw("SELECT count(*) FROM blobs").Scan(&n).Error
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for range 6 {
		<-done
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if restarts.Load() == before {
		t.Fatal("no RESTART checkpoint ran, though the log passed maxLogFrames all along")
	}
}

// The database file, its write-ahead log and its backups are its owner's
// alone: they hold password hashes.
func TestDatabaseFilesArePrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "private.db")
	db, err := Open(context.Background(), path, SystemClock())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { sqlDB, _ := db.DB(); sqlDB.Close() }()
	if _, err := Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(f), st.Mode().Perm())
		}
	}
	// An older database others could read is made private when opened.
	old := filepath.Join(dir, "old.db")
	if err := os.WriteFile(old, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	other, err := Open(context.Background(), old, SystemClock())
	if err != nil {
		t.Fatal(err)
	}
	sqlDB, _ := other.DB()
	sqlDB.Close()
	if st, _ := os.Stat(old); st.Mode().Perm() != 0o600 {
		t.Errorf("an existing database keeps mode %v", st.Mode().Perm())
	}
}

// The health probe's write fails on a database that refuses writes.
func TestCheckWritable(t *testing.T) {
	db, sqlDB, _ := openRaw(t)
	if _, err := Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if err := CheckWritable(context.Background(), db); err != nil {
		t.Fatalf("a writable database: %v", err)
	}
	sqlDB.SetMaxOpenConns(1)
	if err := db.Exec("PRAGMA query_only = ON").Error; err != nil {
		t.Fatal(err)
	}
	if err := CheckWritable(context.Background(), db); err == nil {
		t.Error("a database refusing writes passed the health probe")
	}
}
