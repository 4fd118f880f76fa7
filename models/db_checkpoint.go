package models

import (
	"database/sql/driver"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"
)

// SQLite in WAL mode copies the log back into the database file (a
// checkpoint) inside the COMMIT of whichever write takes the log past 1,000
// pages, fsyncs included, and that writer holds the file's writer token all
// the while (db_writer.go): under eight writers a commit took 0.2 ms at the
// median and 16 ms at p99, every 1 in 30 commits paying for the others. So
// the queued driver's connections turn the automatic checkpoint off, and
// while a process has a database file open one goroutine of its own runs a
// PASSIVE checkpoint on it every checkpointEvery: a passive checkpoint never
// waits for readers or writers and takes no writer lock, so writes commit
// while it copies and syncs.
//
// SQLite starts the log afresh (at the next write) only once a checkpoint
// has copied all of it and no reader still reads it. A pause in the writes
// of a few milliseconds is enough, so a real portfolio's log starts afresh
// all the time. Under the load harness's 400 writes a second it never does:
// each passive checkpoint copies what was committed when it began, and a
// commit lands before the next write could start the log afresh, so the log
// grew by 50 MB a second, to 1.7 GB in 30 s (which a server killed then had
// to read back at its next start). So once the log passes maxLogFrames the
// checkpointer finishes it holding the writer token, with a RESTART
// checkpoint: it copies the few frames since its last pass, syncs the log and
// the database file, and waits for the readers still in the log. That costs
// the writers one stall of 35–50 ms (the two syncs on this machine's file
// system) per 512 MB of log, every ten seconds or so under the harness; the
// log then starts afresh and is cut back to 64 MB (journal_size_limit).

// checkpointEvery is how often the log is folded back (about 2,000 pages of
// log at 260 risk writes a second).
const checkpointEvery = 250 * time.Millisecond

// maxLogFrames is the log's length (in 4 KB pages) past which the checkpointer
// finishes it holding the writer token: 512 MB, read back in about half a
// second by a start after a crash.
var maxLogFrames int64 = 131072 // a variable for the tests

// restarts counts the RESTART checkpoints that found no reader left in the
// log (for the tests).
var restarts atomic.Int64

// checkpointers are the running checkpointers by database file, with the
// number of the driver's connections open on each.
var (
	checkpointMu  sync.Mutex
	checkpointers = map[string]*checkpointer{}
)

type checkpointer struct {
	conns int
	stop  chan struct{}
	done  chan struct{} // closed when run has returned (its connection closed)
}

// noAutoCheckpoint turns the connection's automatic checkpoint off and counts
// it for its file's checkpointer, starting one for the first connection.
func noAutoCheckpoint(c *sqlite3.SQLiteConn, file, dsn string) error {
	if _, err := c.Exec("PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864", nil); err != nil {
		return err
	}
	checkpointMu.Lock()
	defer checkpointMu.Unlock()
	cp := checkpointers[file]
	if cp == nil {
		cp = &checkpointer{stop: make(chan struct{}), done: make(chan struct{})}
		checkpointers[file] = cp
		go cp.run(file, dsn)
	}
	cp.conns++
	return nil
}

// connClosed stops the file's checkpointer with its last connection, and
// waits for it: its connection is then the file's last, whose close folds the
// whole log into the database file (as closing the database did before), and
// nothing opens the file once its database is closed.
func connClosed(file string) {
	checkpointMu.Lock()
	cp := checkpointers[file]
	if cp != nil {
		if cp.conns--; cp.conns > 0 {
			cp = nil
		} else {
			close(cp.stop)
			delete(checkpointers, file)
		}
	}
	checkpointMu.Unlock()
	if cp != nil {
		<-cp.done
	}
}

// run checkpoints on a connection of its own (outside the pool, so it never
// waits for one) until stopped, then a last time.
func (cp *checkpointer) run(file, dsn string) {
	defer close(cp.done)
	var c *sqlite3.SQLiteConn
	defer func() {
		if c != nil {
			c.Close()
		}
	}()
	tok, _ := writerTokens.LoadOrStore(file, make(chan struct{}, 1))
	token := tok.(chan struct{})
	checkpoint := func() {
		if c == nil { // opened at the first round, or again at the next after a failure
			raw, err := (&sqlite3.SQLiteDriver{}).Open(dsn)
			if err != nil {
				return
			}
			c = raw.(*sqlite3.SQLiteConn)
			if _, err := c.Exec("PRAGMA busy_timeout = 20", nil); err != nil {
				c.Close()
				c = nil
				return
			}
		}
		// Chase the log's end: each pass copies what was written during the
		// previous one, less each time, since copying is faster than writing.
		log, left := passiveCheckpoint(c)
		for pass := 0; left > 0 && pass < 3; pass++ {
			log, left = passiveCheckpoint(c)
		}
		if log < maxLogFrames {
			return
		}
		select {
		case token <- struct{}{}:
			// No writes now. A RESTART checkpoint copies the rest of the log,
			// then waits (the connection's busy timeout) for the readers that
			// began before the last commit to finish, a few milliseconds:
			// the log cannot start afresh while any of them reads it, and
			// readers that begin now read the database file only.
			if busy, _, _ := walCheckpoint(c, "RESTART"); busy == 0 {
				restarts.Add(1)
			}
			<-token
		case <-time.After(checkpointEvery):
		}
	}
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			checkpoint()
		case <-cp.stop:
			checkpoint()
			return
		}
	}
}

// passiveCheckpoint runs a passive checkpoint and gives the frames in the log
// and the number it left uncopied (0, 0 on an error: the next round tries again).
func passiveCheckpoint(c *sqlite3.SQLiteConn) (log, left int64) {
	_, log, left = walCheckpoint(c, "PASSIVE")
	return log, left
}

// walCheckpoint runs a checkpoint of mode and gives whether it was kept from
// finishing (1), the frames in the log and the number it left uncopied (1, 0,
// 0 on an error).
func walCheckpoint(c *sqlite3.SQLiteConn, mode string) (busy, log, left int64) {
	rows, err := c.Query("PRAGMA wal_checkpoint("+mode+")", nil)
	if err != nil {
		return 1, 0, 0
	}
	defer rows.Close()
	v := make([]driver.Value, 3) // busy, frames in the log, frames copied
	if rows.Next(v) != nil {
		return 1, 0, 0
	}
	busy, _ = v[0].(int64)
	log, _ = v[1].(int64)
	done, _ := v[2].(int64)
	return busy, log, log - done
}
