package sqlstore

import (
	"context"
	"database/sql/driver"
	"reflect"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
)

// The writer connection keeps its prepared statements. GORM prepares a
// statement first run inside a transaction on that transaction, and
// database/sql then prepares it again in every later transaction (Tx.StmtContext
// on a statement that belonged to another: golang/go#28130, go-gorm/gorm#4644).
// On SQLite a prepare compiles the statement with every trigger of its table
// (the risks carry the aggregates', full-text index's and versions'): a
// quarter of a risk's quick action went to preparing, all of it while holding
// the one writer connection. In the load harness's mixed run at 10,000
// engagements the writers' p99 was about 90 ms with every statement prepared
// again, against a target of 50. So a prepare on the writer connection returns
// the statement it compiled before for the same SQL, if no rows of it are
// being read; closing one keeps it for the next.

// stmtsKept bounds the statements a writer connection keeps: the app's write
// paths run a few hundred distinct statements; the least recently used go.
const stmtsKept = 512

// keepingConnector wraps a connector so that its connections keep their
// prepared statements.
type keepingConnector struct{ driver.Connector }

func (k keepingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := k.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return newKeepingConn(c), nil
}

// conn is what the wrapped connection offers (mattn's SQLiteConn does).
type conn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
}

type keepingConn struct {
	conn
	mu       sync.Mutex // database/sql uses a connection from one goroutine at a time; the lock is for the LRU's eviction
	stmts    *lru.Cache[string, *keptStmt]
	prepared int  // statements compiled: what the cache saves is seen in its tests
	closing  bool // Close is purging the cache: close what it drops
}

func newKeepingConn(c driver.Conn) driver.Conn {
	cc, ok := c.(conn)
	if !ok {
		return c
	}
	k := &keepingConn{conn: cc}
	// A statement dropped from the cache may still be held by database/sql (a
	// statement prepared outside a transaction keeps its driver statement per
	// connection): it is left open, and the driver finalizes it once nothing
	// holds it. Closing the connection closes every statement kept.
	k.stmts, _ = lru.NewWithEvict(stmtsKept, func(_ string, s *keptStmt) {
		if k.closing {
			s.Stmt.Close()
		}
	})
	return k
}

// PrepareContext returns the statement kept for query when no rows of it are
// being read, else prepares one (and keeps it, if none is kept).
func (k *keepingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	k.mu.Lock()
	s, ok := k.stmts.Get(query)
	k.mu.Unlock()
	if ok && !s.reading {
		return s, nil
	}
	st, err := k.conn.PrepareContext(ctx, query)
	k.prepared++
	if err != nil || ok {
		return st, err // a second statement for SQL whose rows are being read: closed as usual
	}
	s = &keptStmt{Stmt: st}
	k.mu.Lock()
	k.stmts.Add(query, s)
	k.mu.Unlock()
	return s, nil
}

func (k *keepingConn) Prepare(query string) (driver.Stmt, error) {
	return k.PrepareContext(context.Background(), query)
}

// Close finalizes the kept statements, then closes the connection.
func (k *keepingConn) Close() error {
	k.mu.Lock()
	k.closing = true
	k.stmts.Purge() // closes each (the eviction callback)
	k.mu.Unlock()
	return k.conn.Close()
}

// keptStmt is a statement the connection keeps: Close leaves it open.
type keptStmt struct {
	driver.Stmt
	reading bool // rows of it are open: the statement is not handed out again until they close
}

func (s *keptStmt) Close() error { return nil }

func (s *keptStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *keptStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	s.reading = true
	return &keptRows{Rows: rows, s: s}, nil
}

// keptRows frees its statement for the next prepare when closed. It passes
// on the column types mattn's rows give, with database/sql's answers where
// rows give none.
type keptRows struct {
	driver.Rows
	s *keptStmt
}

func (r *keptRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *keptRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *keptRows) ColumnTypeLength(i int) (length int64, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *keptRows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *keptRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *keptRows) Close() error {
	err := r.Rows.Close()
	r.s.reading = false
	return err
}
