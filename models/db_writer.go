package models

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"
)

// SQLite lets one transaction write at a time, and with _txlock=immediate
// every transaction takes that lock at BEGIN. A connection that finds it taken
// waits in SQLite's busy handler, which polls with sleeps growing to 100 ms:
// under 8 concurrent writers a risk update waited up to 0.7 s (p99) for a lock
// that was free most of that time. The driver registered here is mattn's with
// one change: BEGIN first takes the database file's writer token in Go, so
// writers queue and each starts the moment the previous transaction ends (a
// statement run outside a transaction takes it too). SQLite's own busy
// handler still guards other processes (the CLI, a backup).
//
// A write holds the lock for as long as its transaction takes, and that grows
// with whatever else competes for the cores: under 32 readers the 2.4 ms of a
// risk update became tens of milliseconds, and eight writers queue behind each
// other. So reads outside a transaction also take a slot, one per core: a
// read waits for a slot in Go, without using a core, and a writer holding the
// lock competes with at most that many readers in SQLite.
const sqliteQueuedDriver = "sqlite3_queued"

// writerWait is how long BEGIN waits for the token: the DSN's busy_timeout.
const writerWait = 5 * time.Second

// errWriterBusy is returned when the token did not come within writerWait.
var errWriterBusy = errors.New("database is locked: another write took longer than 5 s")

var (
	writerTokens sync.Map // database file → chan struct{} (capacity 1)
	readSlots    sync.Map // database file → chan struct{} (capacity readers)
)

// readers is the number of reads that run in SQLite at once, per database file.
var readers = runtime.NumCPU()

// slotWait bounds the wait for a read slot: past it the read runs anyway, so
// that code reading while it holds rows open can never wait on itself.
const slotWait = 250 * time.Millisecond

func init() {
	sql.Register(sqliteQueuedDriver, queuedDriver{&sqlite3.SQLiteDriver{}})
	datesSecond()
}

// datesSecond moves the date-only layout up to second in the driver's list of
// timestamp layouts. The driver turns every value of a DATE column into a
// time by trying the layouts in order, and the date-only one came last: eight
// failed parses per date read, a quarter of the CPU of reading a page of risks.
// No other layout can parse a bare date, nor this one anything longer, so what
// each value parses to is unchanged; the first layout, which the driver
// writes times with, stays first.
func datesSecond() {
	f := sqlite3.SQLiteTimestampFormats
	if i := slices.Index(f, "2006-01-02"); i > 1 {
		sqlite3.SQLiteTimestampFormats = slices.Insert(slices.Delete(slices.Clone(f), i, i+1), 1, "2006-01-02")
	}
}

type queuedDriver struct{ *sqlite3.SQLiteDriver }

// Open opens a connection sharing its file's writer token.
func (d queuedDriver) Open(dsn string) (driver.Conn, error) {
	c, err := d.SQLiteDriver.Open(dsn)
	if err != nil {
		return nil, err
	}
	file, _, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	sc := c.(*sqlite3.SQLiteConn)
	if err := noAutoCheckpoint(sc, file, dsn); err != nil {
		sc.Close()
		return nil, err
	}
	tok, _ := writerTokens.LoadOrStore(file, make(chan struct{}, 1))
	slots, _ := readSlots.LoadOrStore(file, make(chan struct{}, readers))
	return &queuedConn{SQLiteConn: sc, file: file, token: tok.(chan struct{}), slots: slots.(chan struct{})}, nil
}

// queuedConn is a mattn connection (every method promoted) whose transactions
// hold the writer token from BEGIN to COMMIT or ROLLBACK, and whose reads
// outside a transaction hold a read slot until their rows are closed.
type queuedConn struct {
	*sqlite3.SQLiteConn
	file  string
	stmts stmtCache // statements kept prepared (db_stmtcache.go)
	token chan struct{}
	slots chan struct{}
	inTx  bool // database/sql uses a connection from one goroutine at a time
}

// Close closes the connection; the file's last one stops its checkpointer.
func (c *queuedConn) Close() error {
	defer connClosed(c.file)
	c.stmts.closeAll()
	return c.SQLiteConn.Close()
}

// PrepareContext prepares a statement whose queries take a read slot.
func (c *queuedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, kept, err := c.stmts.prepare(ctx, c.SQLiteConn, query, c.inTx)
	if err != nil {
		return nil, err
	}
	return &slotStmt{SQLiteStmt: st, conn: c, kept: kept}, nil
}

// Prepare is PrepareContext without a context.
func (c *queuedConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// QueryContext runs a query in a read slot (outside a transaction).
func (c *queuedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.read(ctx, func() (driver.Rows, error) { return c.SQLiteConn.QueryContext(ctx, query, args) })
}

// urgentKey marks the context of a request that writes (Urgent).
type urgentKey struct{}

// Urgent marks ctx as a writing request's: its reads outside a transaction
// (the row it checks before writing, the row it draws after) skip the read
// slots. A write holds up every other writer once it has the token, so it
// should not also queue behind the readers for its reads before and after.
func Urgent(ctx context.Context) context.Context { return context.WithValue(ctx, urgentKey{}, true) }

// read runs query holding a read slot until its rows are closed.
func (c *queuedConn) read(ctx context.Context, query func() (driver.Rows, error)) (driver.Rows, error) {
	if c.inTx || ctx.Value(urgentKey{}) != nil {
		return query()
	}
	t := time.NewTimer(slotWait)
	defer t.Stop()
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return query() // over the limit rather than stuck
	}
	rows, err := query()
	if err != nil {
		<-c.slots
		return nil, err
	}
	return &slotRows{SQLiteRows: rows.(*sqlite3.SQLiteRows), slots: c.slots}, nil
}

// slotStmt is a prepared statement whose queries take a read slot.
type slotStmt struct {
	*sqlite3.SQLiteStmt
	conn *queuedConn
	kept *cachedStmt // nil: not kept, closing finalizes it
}

// Close gives a kept statement back to its connection, reset (a statement
// run with Exec stops at its first row, and a statement not reset holds its
// read snapshot: the connection would keep reading the past, and the log
// could never be checkpointed past it), or finalizes it.
func (s *slotStmt) Close() error {
	if s.kept != nil {
		// Query binds nothing and does not step; it resets the statement first.
		rows, err := s.SQLiteStmt.Query(nil)
		if err == nil {
			err = rows.Close()
		}
		if err == nil {
			s.kept.inUse = false
			return nil
		}
		s.conn.stmts.forget(s.kept)
	}
	return s.SQLiteStmt.Close()
}

// QueryContext runs the statement in a read slot (outside a transaction).
func (s *slotStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.conn.read(ctx, func() (driver.Rows, error) { return s.SQLiteStmt.QueryContext(ctx, args) })
}

// ExecContext runs the statement holding the writer token outside a
// transaction, as queuedConn.ExecContext does.
func (s *slotStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if s.conn.inTx {
		return s.SQLiteStmt.ExecContext(ctx, args)
	}
	if err := s.conn.takeToken(ctx); err != nil {
		return nil, err
	}
	defer s.conn.giveToken()
	return s.SQLiteStmt.ExecContext(ctx, args)
}

// slotRows gives the read slot back when closed.
type slotRows struct {
	*sqlite3.SQLiteRows
	slots chan struct{}
	once  sync.Once
}

// Close closes the rows and frees the slot.
func (r *slotRows) Close() error {
	defer r.once.Do(func() { <-r.slots })
	return r.SQLiteRows.Close()
}

// Begin starts a transaction (the pre-context interface).
func (c *queuedConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// writing counts the SQLite transactions waiting for or holding a writer
// token, in this process (WritesInFlight).
var writing atomic.Int64

// WritesInFlight reports whether a SQLite write transaction of this process is
// waiting for its file's writer token or holding it: the admission of reads
// (web.Admission) lets fewer reads in meanwhile, so the one writer at a time
// shares the cores with fewer of them. Always false on PostgreSQL.
func WritesInFlight() bool { return writing.Load() > 0 }

// takeToken waits for the writer token (counted as a write in flight until
// giveToken).
func (c *queuedConn) takeToken(ctx context.Context) error {
	writing.Add(1)
	t := time.NewTimer(writerWait)
	defer t.Stop()
	select {
	case c.token <- struct{}{}:
		return nil
	case <-ctx.Done():
		writing.Add(-1)
		return ctx.Err()
	case <-t.C:
		writing.Add(-1)
		return errWriterBusy
	}
}

func (c *queuedConn) giveToken() {
	<-c.token
	writing.Add(-1)
}

// BeginTx waits for the writer token, then begins.
func (c *queuedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.takeToken(ctx); err != nil {
		return nil, err
	}
	tx, err := c.SQLiteConn.BeginTx(ctx, opts)
	if err != nil {
		c.giveToken()
		return nil, err
	}
	c.inTx = true
	return &queuedTx{Tx: tx, conn: c}, nil
}

// ExecContext runs a statement outside a transaction (a write of its own: a
// sign-in's throttle row, a session's last use) holding the writer token, as
// a transaction does: in SQLite's busy handler it polled, and under a run of
// transactions, such as the health refresh at start-up, a sign-in waited
// half a second and more for gaps it kept missing.
func (c *queuedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.inTx {
		return c.SQLiteConn.ExecContext(ctx, query, args)
	}
	if err := c.takeToken(ctx); err != nil {
		return nil, err
	}
	defer c.giveToken()
	return c.SQLiteConn.ExecContext(ctx, query, args)
}

// queuedTx gives the token back when the transaction ends, either way.
type queuedTx struct {
	driver.Tx
	conn *queuedConn
	once sync.Once
}

func (t *queuedTx) release() {
	t.once.Do(func() {
		t.conn.inTx = false
		t.conn.giveToken()
	})
}

// Commit commits and releases the token.
func (t *queuedTx) Commit() error {
	defer t.release()
	return t.Tx.Commit()
}

// Rollback rolls back and releases the token.
func (t *queuedTx) Rollback() error {
	defer t.release()
	return t.Tx.Rollback()
}
