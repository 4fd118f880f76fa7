package sqlstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/plugin/dbresolver"
)

// open opens a SQLite file in a temporary directory, closed when the test ends.
func open(t *testing.T) (*gorm.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "store.db")
	db, err := Open(context.Background(), path, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Close(db) })
	return db, path
}

// With the automatic checkpoint off on every connection, the checkpoint loop
// copies the log into the database file within a few rounds; Close stops it,
// and the last connection's close folds and removes the log.
func TestCheckpointLoopFoldsTheLog(t *testing.T) {
	t.Parallel()
	db, path := open(t)
	for _, pool := range []*gorm.DB{db.Clauses(dbresolver.Write), db.Clauses(dbresolver.Read)} {
		var auto int
		if err := pool.Raw("PRAGMA wal_autocheckpoint").Scan(&auto).Error; err != nil || auto != 0 {
			t.Fatalf("wal_autocheckpoint = %d (%v), want 0: checkpoints belong to the loop", auto, err)
		}
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
	for deadline := time.Now().Add(10 * time.Second); size() < before+1<<20; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes 10 s after a 1 MB write (%d before): the log was not checkpointed", size(), before)
		}
	}
	s := storeOf(db)
	if err := Close(db); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.done:
	default:
		t.Error("the checkpoint loop outlived Close")
	}
	if _, err := os.Stat(path + "-wal"); !os.IsNotExist(err) {
		t.Errorf("the log is still there after Close (%v): the last connection folds it", err)
	}
}

// Writes share the one writer connection: a statement outside a transaction
// waits (counted as a write in flight) while a transaction holds it, and runs
// as soon as the transaction ends; a read meanwhile runs on the readers and
// sees only what was committed.
func TestWritesQueueForTheWriterAndReadsRunBeside(t *testing.T) {
	t.Parallel()
	db, _ := open(t)
	if err := db.Exec("CREATE TABLE marks (n INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	if WritesInFlight(db) {
		t.Fatal("a write in flight before any began")
	}
	tx := db.Begin()
	if err := tx.Exec("INSERT INTO marks (n) VALUES (1)").Error; err != nil {
		t.Fatal(err)
	}
	if !WritesInFlight(db) {
		t.Error("no write in flight during a transaction")
	}
	done := make(chan error, 1)
	go func() { done <- db.Exec("INSERT INTO marks (n) VALUES (2)").Error }()
	var n int64
	if err := db.Raw("SELECT COUNT(*) FROM marks").Scan(&n).Error; err != nil || n != 0 {
		t.Errorf("a read during the transaction: %d rows (%v), want 0 and no wait", n, err)
	}
	select {
	case err := <-done:
		t.Fatalf("the statement ran while a transaction held the writer (%v)", err)
	case <-time.After(50 * time.Millisecond):
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
	if WritesInFlight(db) {
		t.Error("a write still in flight after both ended")
	}
}

// The readers cannot write: a statement routed to them by mistake fails
// rather than racing the writer for the lock.
func TestReadersAreQueryOnly(t *testing.T) {
	t.Parallel()
	db, _ := open(t)
	if err := db.Exec("CREATE TABLE marks (n INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Clauses(dbresolver.Read).Exec("INSERT INTO marks (n) VALUES (1)").Error; err == nil {
		t.Error("a reader connection wrote")
	}
}

// Once the log passes maxLog, the loop finishes it holding the writer with a
// RESTART checkpoint, while writers and readers go on: the checkpoints
// happen, and no write or read fails.
func TestCheckpointRestartsALongLogUnderWrites(t *testing.T) {
	t.Parallel()
	db, _ := open(t)
	storeOf(db).maxLog.Store(256) // 1 MB
	if err := db.Exec("CREATE TABLE blobs (b BLOB)").Error; err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithTimeout(context.Background(), 2*time.Second)
	defer stop()
	errs := make(chan error, 6)
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
	if storeOf(db).restarts.Load() == 0 {
		t.Fatal("no RESTART checkpoint ran, though the log passed maxLog all along")
	}
}

// The database file, its write-ahead log and shared memory are its owner's
// alone: they hold password hashes. An older file others could read is made
// private when opened.
func TestDatabaseFilesArePrivate(t *testing.T) {
	t.Parallel()
	db, path := open(t)
	if err := db.Exec("CREATE TABLE marks (n INTEGER)").Error; err != nil {
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
	old := filepath.Join(t.TempDir(), "old.db")
	if err := os.WriteFile(old, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	other, err := Open(context.Background(), old, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	Close(other)
	if st, _ := os.Stat(old); st.Mode().Perm() != 0o600 {
		t.Errorf("an existing database keeps mode %v", st.Mode().Perm())
	}
}

// Checkpoint empties the log (what a bulk seed does before the file is copied).
func TestCheckpointEmptiesTheLog(t *testing.T) {
	t.Parallel()
	db, path := open(t)
	if err := db.Exec("CREATE TABLE blobs (b BLOB)").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("INSERT INTO blobs (b) VALUES (randomblob(65536))").Error; err != nil {
		t.Fatal(err)
	}
	if err := Checkpoint(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path + "-wal"); err != nil || fi.Size() != 0 {
		t.Errorf("the log after Checkpoint: %v (%v), want empty", fi.Size(), err)
	}
}

// The writer connection keeps the statements it prepared inside a
// transaction for the next one (database/sql would prepare them again), and a
// statement whose rows are still being read is not handed out twice: the same
// query run inside its own loop over rows gets a statement of its own.
func TestWriterKeepsItsStatements(t *testing.T) {
	t.Parallel()
	db, _ := open(t)
	if err := db.Exec("CREATE TABLE kept (n INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("INSERT INTO kept (n) VALUES (1), (2), (3)").Error; err != nil {
		t.Fatal(err)
	}
	const q = "SELECT n FROM kept WHERE n >= ? ORDER BY n"
	kept := func() int { // statements compiled on the writer connection so far
		conn, err := db.Config.Plugins[pluginName].(*store).write.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		n := -1
		if err := conn.Raw(func(dc any) error { n = dc.(*keepingConn).prepared; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var pairs []string
	compiled := 0
	for round := range 3 {
		err := db.Transaction(func(tx *gorm.DB) error {
			rows, err := tx.Raw(q, 1).Rows()
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var outer int
				if err := rows.Scan(&outer); err != nil {
					return err
				}
				var inner []int
				if err := tx.Raw(q, outer).Scan(&inner).Error; err != nil {
					return err
				}
				pairs = append(pairs, fmt.Sprint(outer, inner))
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		// Later rounds compile only the three queries run while the loop's
		// rows of the same SQL are open; the loop's own query is kept.
		n := kept()
		if round > 0 && n-compiled != 3 {
			t.Errorf("round %d compiled %d statements, want 3 (the queries inside the loop)", round, n-compiled)
		}
		compiled = n
	}
	want := "[1 [1 2 3] 2 [2 3] 3 [3]]"
	if got := fmt.Sprint(pairs[:3]); got != want {
		t.Errorf("the query inside its own rows read %s, want %s", got, want)
	}
}

// A statement dropped from the writer's cache while database/sql still holds
// it (prepared outside a transaction, kept per connection) still runs: more
// distinct statements than the cache keeps pass between its uses.
func TestWriterStatementsOutliveTheCache(t *testing.T) {
	t.Parallel()
	db, _ := open(t)
	w := db.Config.Plugins[pluginName].(*store).write
	ctx := context.Background()
	if _, err := w.ExecContext(ctx, "CREATE TABLE outlive (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	held, err := w.PrepareContext(ctx, "INSERT INTO outlive (n) VALUES (?)")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	for i := range stmtsKept + 10 {
		if i == 1 {
			if _, err := held.ExecContext(ctx, 1); err != nil {
				t.Fatal(err)
			}
		}
		st, err := w.PrepareContext(ctx, fmt.Sprintf("SELECT %d + COUNT(*) FROM outlive", i))
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := st.QueryRowContext(ctx).Scan(&n); err != nil {
			t.Fatal(err)
		}
		st.Close()
	}
	if _, err := held.ExecContext(ctx, 2); err != nil {
		t.Fatalf("a statement held after the cache dropped it: %v", err)
	}
	var sum int
	if err := w.QueryRowContext(ctx, "SELECT SUM(n) FROM outlive").Scan(&sum); err != nil || sum != 3 {
		t.Fatalf("sum %d (%v), want 3", sum, err)
	}
	// Once database/sql lets go of it, the dropped statement is finalized
	// (others stay open while GORM's own statement cache holds them).
	held.Close()
	if n := onWriter(t, db, func(k *keepingConn) int {
		n := 0
		for d := range k.dropped {
			if d.query == "INSERT INTO outlive (n) VALUES (?)" {
				n++
			}
		}
		return n
	}); n != 0 {
		t.Error("the insert dropped from the cache is still open after database/sql closed it")
	}
}

// onWriter runs f on the writer's driver connection.
func onWriter(t *testing.T, db *gorm.DB, f func(*keepingConn) int) int {
	t.Helper()
	conn, err := db.Config.Plugins[pluginName].(*store).write.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	n := -1
	if err := conn.Raw(func(dc any) error { n = f(dc.(*keepingConn)); return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// A statement that stops at a row when executed (not a plain write) runs on
// a statement of its own, so no read is left open on the writer connection
// (a checkpoint then copies and truncates the whole log); a write with a large
// argument is not kept, so its copy of the argument goes with it.
func TestWriterKeepsNothingOpen(t *testing.T) {
	t.Parallel()
	db, _ := open(t)
	s := db.Config.Plugins[pluginName].(*store)
	ctx := context.Background()
	if _, err := s.write.ExecContext(ctx, "CREATE TABLE open_rows (n INTEGER, b TEXT)"); err != nil {
		t.Fatal(err)
	}
	ins, err := s.write.PrepareContext(ctx, "INSERT INTO open_rows (n, b) VALUES (?, ?)")
	if err != nil {
		t.Fatal(err)
	}
	defer ins.Close()
	for i := range 3 {
		if _, err := ins.ExecContext(ctx, i, "x"); err != nil {
			t.Fatal(err)
		}
	}
	sel, err := s.write.PrepareContext(ctx, "SELECT n FROM open_rows ORDER BY n")
	if err != nil {
		t.Fatal(err)
	}
	defer sel.Close()
	if _, err := sel.ExecContext(ctx); err != nil {
		t.Fatal(err)
	}
	var busy, log, done int
	if err := s.checkpoint.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &log, &done); err != nil || busy != 0 {
		t.Fatalf("checkpoint busy=%d (%v): a read was left open on the writer connection", busy, err)
	}
	if _, err := ins.ExecContext(ctx, 9, strings.Repeat("p", 2*keptLargeArgs)); err != nil {
		t.Fatal(err)
	}
	kept := onWriter(t, db, func(k *keepingConn) int {
		if k.stmts.Contains("INSERT INTO open_rows (n, b) VALUES (?, ?)") {
			return 1
		}
		return 0
	})
	if kept != 0 {
		t.Error("the insert of a large text is still kept after it")
	}
	if _, err := ins.ExecContext(ctx, 10, "y"); err != nil {
		t.Fatalf("the insert held by database/sql after it was dropped: %v", err)
	}
}
