package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"gorm.io/gorm"
)

// With the automatic checkpoint off (connector), the loop below copies the
// write-ahead log into the database file on a connection of its own, so that
// no commit pays for it. A PASSIVE checkpoint never waits for anyone, but it
// cannot start the log afresh while reads or writes go on, and under constant
// writes the log would grow without end: past maxLog frames the loop takes the
// writer connection (no write runs meanwhile) and runs a RESTART checkpoint,
// after which the log starts afresh and is cut back (journal_size_limit).

// checkpointEvery is how often the log is folded back.
const checkpointEvery = 250 * time.Millisecond

// defaultMaxLog is the log's length, in 4 KB pages, past which the loop
// finishes it holding the writer: 512 MB, which a start after a crash reads back.
const defaultMaxLog = 131072

func (s *store) checkpoints() {
	defer close(s.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.checkpointOnce()
		case <-s.stop:
			s.checkpointOnce()
			return
		}
	}
}

func (s *store) checkpointOnce() {
	ctx := context.Background()
	// Chase the log's end: each pass copies what was written during the
	// previous one, less each time, since copying is faster than writing.
	_, log, left, _ := walCheckpoint(ctx, s.checkpoint, "PASSIVE")
	for pass := 0; left > 0 && pass < 3; pass++ {
		_, log, left, _ = walCheckpoint(ctx, s.checkpoint, "PASSIVE")
	}
	if log < s.maxLog.Load() {
		return
	}
	wait, cancel := context.WithTimeout(ctx, checkpointEvery)
	defer cancel()
	w, err := s.write.Conn(wait)
	if err != nil {
		return // writes kept it busy: the next round tries again
	}
	defer w.Close()
	// Holding the writer, RESTART copies the rest of the log, then waits (the
	// connection's busy timeout) for the readers that began before the last
	// commit; readers that begin now read the database file only.
	if busy, _, _, _ := walCheckpoint(ctx, s.checkpoint, "RESTART"); busy == 0 {
		s.restarts.Add(1)
	}
}

// walCheckpoint runs a checkpoint of mode and gives whether it was kept from
// finishing (1 on an error: the next round tries again), the frames in the
// log and the number it left uncopied.
func walCheckpoint(ctx context.Context, db *sql.DB, mode string) (busy, log, left int64, err error) {
	var done int64
	if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &log, &done); err != nil {
		return 1, 0, 0, err
	}
	return busy, log, log - done, nil
}

// Checkpoint folds SQLite's write-ahead log into the database file and empties
// it: a bulk seed leaves a log as large as the data, which every later start
// would otherwise have to read. A no-op on PostgreSQL.
//
// SQLite does not wait for another checkpoint (the loop's) but reports it
// busy: so it tries again, for up to 10 s.
func Checkpoint(ctx context.Context, db *gorm.DB) error {
	s := storeOf(db)
	if s == nil {
		return nil
	}
	for try := 0; ; try++ {
		busy, _, _, err := walCheckpoint(ctx, s.write, "TRUNCATE")
		if err != nil {
			return err
		}
		if busy == 0 {
			return nil
		}
		if try == 1000 { // tries 10 ms apart
			return errors.New("checkpoint: the write-ahead log stayed busy for 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
