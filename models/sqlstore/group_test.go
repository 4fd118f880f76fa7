package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"
)

// queuedWrites waits until n writes are queued behind the group running.
func queuedWrites(t *testing.T, s *store, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		s.gmu.Lock()
		q := len(s.queued)
		s.gmu.Unlock()
		if q == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", q, n)
		}
	}
}

func insertName(name string) func(tx *gorm.DB) error {
	return func(tx *gorm.DB) error { return tx.Exec("INSERT INTO names (name) VALUES (?)", name).Error }
}

func storedNames(t *testing.T, db *gorm.DB) string {
	t.Helper()
	var names []string
	if err := db.Raw("SELECT name FROM names").Scan(&names).Error; err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}

// The writes that queue while a group runs commit together next, each in a
// savepoint: a write that fails, panics or is cancelled while it waits
// leaves nothing, and its group-mates are written all the same; each caller
// returns once its write is committed, and a read then sees it.
func TestWritesCommitInGroups(t *testing.T) {
	t.Parallel()
	db, _ := open(t)
	if err := db.Exec("CREATE TABLE names (name TEXT PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	s := storeOf(db)
	ctx := context.Background()
	type answer struct {
		name     string
		err      error
		panicked any
	}
	answers := make(chan answer, 8)
	write := func(ctx context.Context, name string, fn func(tx *gorm.DB) error) {
		go func() {
			a := answer{name: name}
			defer func() {
				a.panicked = recover()
				answers <- a
			}()
			a.err = Write(ctx, db, fn)
		}()
	}
	// a holds the writer while the others queue behind it.
	hold, held := make(chan struct{}), make(chan struct{})
	release := sync.OnceFunc(func() { close(hold) })
	t.Cleanup(release) // a failed wait lets a go, so that Close ends
	write(ctx, "a", func(tx *gorm.DB) error {
		close(held)
		<-hold
		return insertName("a")(tx)
	})
	<-held
	var bAnswered atomic.Bool
	go func() {
		err := Write(ctx, db, insertName("b"))
		bAnswered.Store(true)
		answers <- answer{name: "b", err: err}
	}()
	queuedWrites(t, s, 1)
	write(ctx, "c", func(tx *gorm.DB) error {
		if err := insertName("c")(tx); err != nil {
			return err
		}
		return errors.New("refused")
	})
	queuedWrites(t, s, 2)
	write(ctx, "d", func(tx *gorm.DB) error {
		if err := insertName("d")(tx); err != nil {
			return err
		}
		panic("boom")
	})
	queuedWrites(t, s, 3)
	gone, cancel := context.WithCancel(ctx)
	write(gone, "e", insertName("e"))
	queuedWrites(t, s, 4)
	cancel() // e leaves the queue
	queuedWrites(t, s, 3)
	// f sees b's row, not yet committed: they share a transaction.
	var sawB bool
	write(ctx, "f", func(tx *gorm.DB) error {
		var n int64
		if err := tx.Raw("SELECT COUNT(*) FROM names WHERE name = 'b'").Scan(&n).Error; err != nil {
			return err
		}
		sawB = n == 1 && !bAnswered.Load()
		return insertName("f")(tx)
	})
	queuedWrites(t, s, 4)
	// g's statement is asked with a context that has ended: refused, alone.
	write(ctx, "g", func(tx *gorm.DB) error {
		ended, cancel := context.WithCancel(ctx)
		cancel()
		return insertName("g")(tx.WithContext(ended))
	})
	queuedWrites(t, s, 5)
	release()

	got := map[string]answer{}
	for range 7 {
		a := <-answers
		got[a.name] = a
	}
	for _, name := range []string{"a", "b", "f"} {
		if a := got[name]; a.err != nil || a.panicked != nil {
			t.Errorf("write %s: %v, panic %v; want it written", name, a.err, a.panicked)
		}
	}
	if a := got["c"]; a.err == nil || a.err.Error() != "refused" {
		t.Errorf("write c: %v, want its own error", a.err)
	}
	if a := got["d"]; a.panicked == nil || !strings.Contains(fmt.Sprint(a.panicked), "boom") {
		t.Errorf("write d: panic %v, want boom in the caller", a.panicked)
	}
	if a := got["e"]; !errors.Is(a.err, context.Canceled) {
		t.Errorf("write e: %v, want context.Canceled (not run)", a.err)
	}
	if a := got["g"]; !errors.Is(a.err, context.Canceled) {
		t.Errorf("write g: %v, want context.Canceled", a.err)
	}
	if !sawB {
		t.Error("f did not see b's row before b was answered: not one transaction")
	}
	if got := storedNames(t, db); got != "a b f" {
		t.Errorf("stored %q, want a b f", got)
	}
}

// A caller returns once its write is committed: a read on the read pool,
// right after, sees it.
func TestWriteIsReadRightAfter(t *testing.T) {
	t.Parallel()
	db, _ := open(t)
	if err := db.Exec("CREATE TABLE names (name TEXT PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for w := range 8 {
		go func() {
			for i := range 25 {
				name := fmt.Sprintf("w%d-%d", w, i)
				if err := Write(context.Background(), db, insertName(name)); err != nil {
					errs <- err
					return
				}
				var n int64
				if err := db.Raw("SELECT COUNT(*) FROM names WHERE name = ?", name).Scan(&n).Error; err != nil || n != 1 {
					errs <- fmt.Errorf("%s read back %d times (%v)", name, n, err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var n int64
	if err := db.Raw("SELECT COUNT(*) FROM names").Scan(&n).Error; err != nil || n != 200 {
		t.Fatalf("%d rows (%v), want 200", n, err)
	}
}

// A write whose context ends while it waits for its turn returns at once and
// is never run.
func TestWriteGivesUpWhileQueued(t *testing.T) {
	t.Parallel()
	db, _ := open(t)
	if err := db.Exec("CREATE TABLE names (name TEXT PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	s := storeOf(db)
	hold, held, first := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	release := sync.OnceFunc(func() { close(hold) })
	t.Cleanup(release)
	go func() {
		first <- Write(context.Background(), db, func(tx *gorm.DB) error {
			close(held)
			<-hold
			return insertName("first")(tx)
		})
	}()
	<-held
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := Write(ctx, db, insertName("late")); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a write that timed out in the queue: %v, want context.DeadlineExceeded", err)
	}
	queuedWrites(t, s, 0)
	release()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if got := storedNames(t, db); got != "first" {
		t.Errorf("stored %q, want first", got)
	}
}

// A write asked inside a transaction is a savepoint of it (it would
// otherwise wait for the writer its own transaction holds); after Close a
// write is refused.
func TestWriteInsideATransactionAndAfterClose(t *testing.T) {
	t.Parallel()
	db, _ := open(t)
	if err := db.Exec("CREATE TABLE names (name TEXT PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	err := Write(ctx, db, func(tx *gorm.DB) error {
		if err := Write(ctx, tx, insertName("inner")); err != nil {
			return err
		}
		if err := Write(ctx, tx, func(tx *gorm.DB) error {
			insertName("refused")(tx)
			return errors.New("refused")
		}); err == nil {
			return errors.New("the refused savepoint succeeded")
		}
		return insertName("outer")(tx)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := storedNames(t, db); got != "inner outer" {
		t.Errorf("stored %q, want inner outer", got)
	}
	if err := Close(db); err != nil {
		t.Fatal(err)
	}
	if err := Write(ctx, db, insertName("late")); !errors.Is(err, errClosed) {
		t.Errorf("write after Close: %v, want %v", err, errClosed)
	}
}
