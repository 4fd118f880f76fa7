package sqlstore

import (
	"context"
	"database/sql/driver"
	"reflect"
	"strings"
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

// The writer connection also runs every statement to its end, whatever
// becomes of the context it was given: SQLite rolls back a whole transaction
// whose statement is interrupted, and a transaction holds the writes of a
// group (group.go). database/sql still refuses to start a statement for a
// context that has ended.

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
	// database/sql uses a connection from one goroutine at a time, and calls
	// its statements' Close with the connection locked; the mutex is for the
	// race detector's sake and the LRU's callback.
	mu       sync.Mutex
	stmts    *lru.Cache[string, *keptStmt]
	dropped  map[*keptStmt]bool // dropped from the cache while database/sql still held them
	prepared int                // statements compiled: what the cache saves is seen in its tests
}

func newKeepingConn(c driver.Conn) driver.Conn {
	cc, ok := c.(conn)
	if !ok {
		return c
	}
	k := &keepingConn{conn: cc, dropped: map[*keptStmt]bool{}}
	// A statement dropped from the cache is closed once database/sql has
	// closed every statement it made of it (a statement prepared outside a
	// transaction keeps its driver statement per connection, for as long as
	// it lives).
	k.stmts, _ = lru.NewWithEvict(stmtsKept, func(_ string, s *keptStmt) {
		if s.refs == 0 {
			s.Stmt.Close()
		} else {
			k.dropped[s] = true
		}
	})
	return k
}

// PrepareContext returns the statement kept for query when no rows of it are
// being read, else prepares one (and keeps it, if none is kept).
func (k *keepingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s, ok := k.stmts.Get(query)
	if ok && !s.reading {
		s.refs++
		return s, nil
	}
	st, err := k.conn.PrepareContext(context.WithoutCancel(ctx), query)
	k.prepared++
	if err != nil {
		return nil, err
	}
	if ok {
		return uncancelled{st}, nil // a second statement for SQL whose rows are being read: closed as usual
	}
	s = &keptStmt{Stmt: st, k: k, query: query, write: plainWrite(query), refs: 1}
	k.stmts.Add(query, s)
	return s, nil
}

// ExecContext runs a statement without a prepared one, to its end.
func (k *keepingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return k.conn.ExecContext(context.WithoutCancel(ctx), query, args)
}

// QueryContext runs a query without a prepared statement, to its end.
func (k *keepingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return k.conn.QueryContext(context.WithoutCancel(ctx), query, args)
}

// BeginTx begins a transaction, to its end.
func (k *keepingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return k.conn.BeginTx(context.WithoutCancel(ctx), opts)
}

func (k *keepingConn) Prepare(query string) (driver.Stmt, error) {
	return k.PrepareContext(context.Background(), query)
}

// Close finalizes the statements kept and dropped, then closes the connection.
func (k *keepingConn) Close() error {
	k.mu.Lock()
	for _, s := range k.stmts.Values() {
		s.Stmt.Close()
	}
	for s := range k.dropped {
		s.Stmt.Close()
	}
	k.mu.Unlock()
	return k.conn.Close()
}

// plainWrite reports SQL whose execution runs to its end in one step (an
// INSERT, UPDATE or DELETE returning no rows): a kept statement is executed
// only if so, since one left stopped at a row would hold a read snapshot
// open on the writer connection, and the checkpoints wait for it.
func plainWrite(query string) bool {
	q := strings.ToUpper(strings.TrimSpace(query))
	return (strings.HasPrefix(q, "INSERT") || strings.HasPrefix(q, "UPDATE") || strings.HasPrefix(q, "DELETE")) &&
		!strings.Contains(q, "RETURNING")
}

// keptLargeArgs is the size of arguments above which a statement is dropped
// after its execution: the driver copies what it binds, and a kept statement
// would hold a large text (a published pack) until its next use.
const keptLargeArgs = 64 << 10

// keptStmt is a statement the connection keeps: database/sql's Close of it
// leaves it open for the next prepare of its SQL.
type keptStmt struct {
	driver.Stmt
	k       *keepingConn
	query   string
	write   bool // plainWrite(query)
	refs    int  // statements database/sql holds of it
	reading bool // rows of it are open: the statement is not handed out again until they close
}

func (s *keptStmt) Close() error {
	s.k.mu.Lock()
	defer s.k.mu.Unlock()
	s.refs--
	if s.refs == 0 && s.k.dropped[s] {
		delete(s.k.dropped, s)
		return s.Stmt.Close()
	}
	return nil
}

func (s *keptStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	ctx = context.WithoutCancel(ctx)
	if !s.write { // runs on a statement of its own, finalized at once
		st, err := s.k.conn.PrepareContext(ctx, s.query)
		if err != nil {
			return nil, err
		}
		defer st.Close()
		return st.(driver.StmtExecContext).ExecContext(ctx, args)
	}
	res, err := s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
	if argsSize(args) > keptLargeArgs {
		s.k.mu.Lock()
		s.k.stmts.Remove(s.query) // closed once database/sql lets go of it
		s.k.mu.Unlock()
	}
	return res, err
}

// argsSize is the size of the texts and bytes among args.
func argsSize(args []driver.NamedValue) int {
	n := 0
	for _, a := range args {
		switch v := a.Value.(type) {
		case string:
			n += len(v)
		case []byte:
			n += len(v)
		}
	}
	return n
}

func (s *keptStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := s.Stmt.(driver.StmtQueryContext).QueryContext(context.WithoutCancel(ctx), args)
	if err != nil {
		return nil, err
	}
	s.reading = true
	return &keptRows{Rows: rows, s: s}, nil
}

// uncancelled is a statement the connection does not keep, run to its end.
type uncancelled struct{ driver.Stmt }

func (u uncancelled) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return u.Stmt.(driver.StmtExecContext).ExecContext(context.WithoutCancel(ctx), args)
}

func (u uncancelled) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return u.Stmt.(driver.StmtQueryContext).QueryContext(context.WithoutCancel(ctx), args)
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
