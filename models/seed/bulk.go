package seed

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
)

// The seeds write rows with explicit ids through multi-row INSERTs: children can
// then name their parents without reading anything back, which keeps the scale
// seed fast and both seeds deterministic.
//
// The INSERTs run on the database/sql transaction under GORM's, with one prepared
// statement per table kept for the whole seed: GORM's prepared-statement mode
// re-prepares a statement on every use inside a transaction, and preparing an
// INSERT of thousands of parameters costs more than running it.

// bulkMaxParams keeps one statement under SQLite's default limit of 32766 bound
// parameters (PostgreSQL allows 65535).
const bulkMaxParams = 32766

// bulkRows is the preferred number of rows per INSERT statement.
const bulkRows = 500

// rawTx digs the database/sql transaction out of a GORM transaction.
func rawTx(tx *gorm.DB) (*sql.Tx, error) {
	switch c := tx.Statement.ConnPool.(type) {
	case *sql.Tx:
		return c, nil
	case *gorm.PreparedStmtTX:
		if t, ok := c.Tx.(*sql.Tx); ok {
			return t, nil
		}
	}
	return nil, fmt.Errorf("seed: not inside a database/sql transaction (%T)", tx.Statement.ConnPool)
}

// bulkPipe runs the INSERTs on a goroutine of their own, so that generating rows
// (Go) and storing them (the database) use two cores. Jobs run in the order they
// are sent, which keeps parent rows before their children; the first error stops
// the rest.
type bulkPipe struct {
	jobs   chan bulkJob
	done   chan struct{}
	closed bool
	failed atomic.Bool
	mu     sync.Mutex
	err    error
}

type bulkJob struct {
	b    *bulkInsert
	rows int
	args []any
}

func newBulkPipe() *bulkPipe {
	p := &bulkPipe{jobs: make(chan bulkJob, 16), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		for j := range p.jobs {
			if !p.failed.Load() {
				if err := j.b.exec(j.rows, j.args); err != nil {
					p.mu.Lock()
					p.err = err
					p.mu.Unlock()
					p.failed.Store(true)
				}
			}
		}
	}()
	return p
}

// wait lets the sent jobs finish and returns the first error. The transaction
// may be used again (or ended) only after it.
func (p *bulkPipe) wait() error {
	if !p.closed {
		p.closed = true
		close(p.jobs)
	}
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// bulkInsert buffers rows for one table and sends them in multi-row INSERTs of a
// fixed size, run through one prepared statement (the final remainder goes
// alone). A row is sent only after the parent rows it may refer to (foreign keys
// are checked per statement): each buffered row remembers how many rows each
// parent had when it was added, and waits until that many are sent.
type bulkInsert struct {
	ctx      context.Context
	tx       *sql.Tx
	pipe     *bulkPipe
	dollar   bool // PostgreSQL's $n placeholders rather than ?
	table    string
	cols     []string
	perStmt  int
	now      time.Time // no timestamp is written later than this: the seed's clock
	fullStmt *sql.Stmt // the full-batch statement, prepared by the pipe at first use
	parents  []*bulkInsert

	args     []any // buffered values; args[head:] are not yet sent
	head     int
	marks    []int // per buffered row and parent: the parent's added count when the row came
	markHead int
	added    int
	sent     int
}

// newBulk prepares an inserter for table and columns (written in that order).
func newBulk(ctx context.Context, tx *sql.Tx, pipe *bulkPipe, dollar bool, now time.Time, table string, cols []string, parents ...*bulkInsert) *bulkInsert {
	per := min(bulkRows, bulkMaxParams/len(cols))
	return &bulkInsert{ctx: ctx, tx: tx, pipe: pipe, dollar: dollar, now: now, table: table, cols: cols, perStmt: per, parents: parents}
}

// insertSQL is a multi-row INSERT with the dialect's placeholders.
func (b *bulkInsert) insertSQL(rows int) string {
	var s strings.Builder
	s.Grow(len(b.table) + 32 + 16*len(b.cols) + rows*len(b.cols)*7)
	s.WriteString("INSERT INTO " + b.table + " (" + strings.Join(b.cols, ", ") + ") VALUES ")
	n := 0
	for i := range rows {
		if i > 0 {
			s.WriteByte(',')
		}
		s.WriteByte('(')
		for j := range b.cols {
			if j > 0 {
				s.WriteByte(',')
			}
			n++
			if b.dollar {
				s.WriteString("$" + strconv.Itoa(n))
			} else {
				s.WriteByte('?')
			}
		}
		s.WriteByte(')')
	}
	return s.String()
}

// add buffers one row; the values follow the column order. Errors are reported
// by the pipe, so generators need not check every row.
func (b *bulkInsert) add(vals ...any) {
	if len(vals) != len(b.cols) {
		panic(fmt.Sprintf("seed: %s row has %d values for %d columns", b.table, len(vals), len(b.cols)))
	}
	if b.pipe.failed.Load() {
		return
	}
	// The plans stamp a record when it would have been written (a month's
	// costs a few days after it ends); one the clock has not reached yet is
	// stamped now, so that nothing seeded lies in the seed's future.
	for i, v := range vals {
		if t, ok := v.(time.Time); ok && t.After(b.now) {
			vals[i] = b.now
		}
	}
	b.args = append(b.args, vals...)
	for _, p := range b.parents {
		b.marks = append(b.marks, p.added)
	}
	b.added++
	b.drain()
}

// drain sends the full batches whose parent rows are all sent.
func (b *bulkInsert) drain() {
	np := len(b.parents)
	for b.added-b.sent >= b.perStmt {
		last := b.markHead + (b.perStmt-1)*np // marks only grow: the batch's last row needs the most
		for i, p := range b.parents {
			if p.sent < b.marks[last+i] {
				return
			}
		}
		b.send(b.perStmt)
	}
}

// send hands the first rows buffered to the pipe.
func (b *bulkInsert) send(rows int) {
	n := rows * len(b.cols)
	batch := make([]any, n)
	copy(batch, b.args[b.head:b.head+n])
	clear(b.args[b.head : b.head+n])
	b.pipe.jobs <- bulkJob{b, rows, batch}
	b.head += n
	b.markHead += rows * len(b.parents)
	b.sent += rows
	// Reuse the buffers once a good part is sent.
	if b.head >= len(b.args)/2 {
		b.args = b.args[:copy(b.args, b.args[b.head:])]
		b.marks = b.marks[:copy(b.marks, b.marks[b.markHead:])]
		b.head, b.markHead = 0, 0
	}
}

// exec runs one INSERT (on the pipe's goroutine).
func (b *bulkInsert) exec(rows int, args []any) error {
	var err error
	if rows == b.perStmt {
		if b.fullStmt == nil {
			b.fullStmt, err = b.tx.PrepareContext(b.ctx, b.insertSQL(rows)) // closed with the transaction
		}
		if err == nil {
			_, err = b.fullStmt.ExecContext(b.ctx, args...)
		}
	} else {
		_, err = b.tx.ExecContext(b.ctx, b.insertSQL(rows), args...)
	}
	if err != nil {
		return fmt.Errorf("seed %s: %w", b.table, err)
	}
	return nil
}

// flush sends every buffered row, after the parents' rows.
func (b *bulkInsert) flush() {
	for _, p := range b.parents {
		p.flush()
	}
	b.drain()
	if rest := b.added - b.sent; rest > 0 {
		b.send(rest)
	}
}

// seedTables are the tables with an id column the seeds fill, parents first.
var seedTables = []string{
	"users", "vendors", "engagements", "phase_changes", "cost_records", "fx_rates",
	"service_levels", "sla_measurements", "risks", "changes", "mitigation_actions",
	"milestones", "readiness_items", "transfer_gates", "governance_reviews",
	"review_actions", "lessons",
}

// idAlloc hands out explicit ids per table, starting after the largest id present,
// so seeding never collides with rows that exist (users created before a seed).
type idAlloc map[string]uint

func newIDAlloc(ctx context.Context, db *gorm.DB) (idAlloc, error) {
	ids := idAlloc{}
	for _, t := range seedTables {
		var max uint
		if err := db.WithContext(ctx).Raw("SELECT COALESCE(MAX(id), 0) FROM " + t).Scan(&max).Error; err != nil {
			return nil, fmt.Errorf("seed: read max id of %s: %w", t, err)
		}
		ids[t] = max
	}
	return ids, nil
}

// next gives the next id of a table.
func (a idAlloc) next(table string) uint {
	a[table]++
	return a[table]
}

// resetSequences moves PostgreSQL's id sequences past the explicit ids the seed
// wrote, so that later inserts by the app do not collide. SQLite's AUTOINCREMENT
// follows explicit ids by itself.
func resetSequences(tx *gorm.DB) error {
	if models.IsSQLite(tx) {
		return nil
	}
	for _, t := range seedTables {
		q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)", t, t)
		if err := tx.Exec(q).Error; err != nil {
			return fmt.Errorf("seed: reset sequence of %s: %w", t, err)
		}
	}
	return nil
}

// requireEmpty refuses to seed over a portfolio: seeding merges nothing.
func requireEmpty(ctx context.Context, db *gorm.DB) error {
	for _, t := range []string{"users", "engagements", "vendors", "risks", "lessons"} {
		var n int64
		if err := db.WithContext(ctx).Table(t).Count(&n).Error; err != nil {
			return fmt.Errorf("seed: count %s: %w", t, err)
		}
		if n > 0 {
			return fmt.Errorf("seed: the database already holds %d %s; seed only an empty database", n, t)
		}
	}
	return nil
}

// nullID gives a nullable id column's value (0 means NULL).
func nullID(id uint) any {
	if id == 0 {
		return nil
	}
	return id
}
