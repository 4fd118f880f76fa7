package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"

	"gorm.io/gorm"
)

// Writes on SQLite are committed in groups. SQLite runs one writer at a
// time, and a transaction per write kept the writer connection busy most of
// the time under the load harness's mixed run (8 writers of risk quick
// actions beside 32 readers, 10,000 engagements): the writes' p99 was
// 59-81 ms against a target of 50, and 35-50 ms in groups. So the writes that
// queue while a group runs run together next, each in a savepoint of one
// transaction, and commit once: a write that fails is rolled back alone, and
// every caller returns after the commit that holds its write, so that what it
// reads next sees it.

// maxGroup bounds the writes committed together.
const maxGroup = 32

// errClosed answers a write asked after Close.
var errClosed = errors.New("sqlstore: the database is closed")

// job is one write waiting for its group.
type job struct {
	ctx      context.Context
	db       *gorm.DB // the caller's handle: its session (clock, logger) runs fn
	fn       func(tx *gorm.DB) error
	done     chan struct{}
	err      error
	panicked any
}

// Write runs fn in a transaction and returns once it has committed, or
// returns fn's error with nothing of fn written (a panic in fn reaches the
// caller). On SQLite fn shares its transaction with the other writes queued
// at the time, each in a savepoint of its own, and its statements are never
// interrupted once begun (the writer connection ignores cancellation: an
// interrupted statement would roll back the whole group); a write whose ctx
// ends before its turn is taken out of the queue and not run. On PostgreSQL,
// whose writers run side by side, it is an ordinary transaction.
func Write(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	s := storeOf(db)
	if _, inTx := db.Statement.ConnPool.(gorm.TxCommitter); s == nil || inTx {
		// PostgreSQL; or, inside a transaction, a savepoint of it.
		return db.WithContext(ctx).Transaction(fn)
	}
	j := &job{ctx: ctx, db: db, fn: fn, done: make(chan struct{})}
	s.gmu.Lock()
	closed := s.closed
	if !closed {
		s.queued = append(s.queued, j)
	}
	s.gmu.Unlock()
	if closed {
		return errClosed
	}
	select {
	case s.wake <- struct{}{}:
	default: // woken already
	}
	select {
	case <-j.done:
	case <-ctx.Done():
		// Gone before its turn: taken out of the queue, not run. Once
		// running it is waited for: fn may use what its caller holds.
		s.gmu.Lock()
		i := slices.Index(s.queued, j)
		if i >= 0 {
			s.queued = slices.Delete(s.queued, i, i+1)
		}
		s.gmu.Unlock()
		if i >= 0 {
			return ctx.Err()
		}
		<-j.done
	}
	if j.panicked != nil {
		panic(j.panicked)
	}
	return j.err
}

// writes commits the queued writes in groups until Close, then answers
// those left with errClosed.
func (s *store) writes() {
	defer close(s.writesDone)
	for {
		select {
		case <-s.wake:
		case <-s.stop:
			s.gmu.Lock()
			left := s.queued
			s.queued, s.closed = nil, true
			s.gmu.Unlock()
			for _, j := range left {
				j.err = errClosed
				close(j.done)
			}
			return
		}
		for {
			s.gmu.Lock()
			n := min(len(s.queued), maxGroup)
			group := s.queued[:n:n]
			s.queued = s.queued[n:]
			s.gmu.Unlock()
			if n == 0 {
				break
			}
			for len(group) > 0 {
				group = s.commit(group)
			}
		}
	}
}

// commit runs group's writes in one transaction, commits it and answers
// them. If SQLite ends the transaction itself (a full disk, say), the writes
// run so far are answered with the error, and those not yet run are returned
// for a transaction of their own.
func (s *store) commit(group []*job) (notRun []*job) {
	var ran []*job
	defer func() {
		for _, j := range ran {
			close(j.done)
		}
	}()
	tx := s.db.WithContext(context.Background()).Begin()
	if tx.Error != nil {
		for _, j := range group {
			j.err = tx.Error
		}
		ran = group
		return nil
	}
	for i, j := range group {
		ran = append(ran, j)
		if j.err = j.ctx.Err(); j.err != nil {
			continue // ended while it queued: not run
		}
		if j.err = tx.Exec("SAVEPOINT w").Error; j.err != nil {
			break
		}
		// fn runs on its caller's session (clock, logger) inside the group's
		// transaction, as gorm's Begin would set it up.
		jtx := j.db.Session(&gorm.Session{Context: context.WithoutCancel(j.ctx)})
		jtx.Statement.ConnPool = tx.Statement.ConnPool
		j.panicked, j.err = call(j.fn, jtx)
		if j.err == nil && j.panicked == nil {
			if j.err = tx.Exec("RELEASE w").Error; j.err == nil {
				continue
			}
		}
		if err := tx.Exec("ROLLBACK TO w").Error; err != nil {
			// SQLite ended the transaction: nothing of the group is written.
			for _, r := range ran {
				if r.err == nil && r.panicked == nil {
					r.err = fmt.Errorf("sqlstore: the write was rolled back with its group: %w", err)
				}
			}
			tx.Rollback()
			return group[i+1:]
		}
		if err := tx.Exec("RELEASE w").Error; err != nil {
			j.err = errors.Join(j.err, err)
		}
	}
	if err := tx.Commit().Error; err != nil {
		for _, j := range ran {
			if j.err == nil && j.panicked == nil {
				j.err = err
			}
		}
	}
	return group[len(ran):]
}

// call calls fn, keeping a panic for its caller to panic with (the same
// value; the stack where it happened is logged, as the caller's is not it).
func call(fn func(tx *gorm.DB) error, tx *gorm.DB) (panicked any, err error) {
	defer func() {
		if r := recover(); r != nil {
			slog.Error("sqlstore: a write panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			panicked = r
		}
	}()
	return nil, fn(tx)
}
