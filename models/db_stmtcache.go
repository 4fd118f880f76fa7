package models

import (
	"context"
	"regexp"

	"github.com/mattn/go-sqlite3"
)

// Preparing a statement that writes a risk costs SQLite more than running it:
// the UPDATE compiles the upkeep of nineteen indexes and the triggers that
// fire with it (0.2–0.3 ms). database/sql keeps a statement prepared on a
// connection only while its *sql.Stmt lives, and GORM's statements made
// inside a transaction belong to that transaction, so every write prepared
// its statements again, holding the writer token: half the CPU of a risk
// write. So each connection keeps the statements it prepared, by their SQL,
// and hands one out again once the previous user closed it; a statement in use
// when the same SQL is prepared again gets a fresh, uncached twin. A statement
// given back is reset, so that it holds no read snapshot.

// starColumns finds a SELECT * (or t.*): its columns are fixed when it is
// prepared, and a kept one would go on giving the old columns after a column
// is added (SQLite prepares it anew only as it steps, after the driver has
// read its columns), so it is not kept.
var starColumns = regexp.MustCompile(`(?i)(\bselect\s+(distinct\s+)?|,\s*|\.)\*`)

// stmtCacheSize bounds the statements kept per connection (the app's hot
// statements are a few dozen; SQL built with lists of varying length would
// otherwise pile up).
const stmtCacheSize = 64

// cachedStmt is a statement a connection keeps.
type cachedStmt struct {
	st    *sqlite3.SQLiteStmt
	inUse bool
	used  uint64 // the connection's use count when last handed out (least recently used goes first)
}

// stmtCache is one connection's kept statements; the connection is used by
// one goroutine at a time, so it needs no lock.
type stmtCache struct {
	byQuery map[string]*cachedStmt
	uses    uint64
}

// prepare gives a statement for query, kept or newly prepared, and whether it
// is kept (closing it then only gives it back). Only statements prepared in a
// transaction are kept: database/sql itself keeps those prepared outside one
// on each connection for as long as their *sql.Stmt lives (GORM's, for a
// day), and they would fill the cache, in use all the while.
func (c *stmtCache) prepare(ctx context.Context, conn *sqlite3.SQLiteConn, query string, inTx bool) (*sqlite3.SQLiteStmt, *cachedStmt, error) {
	c.uses++
	if e := c.byQuery[query]; inTx && e != nil && !e.inUse {
		e.inUse, e.used = true, c.uses
		return e.st, e, nil
	}
	st, err := conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, nil, err
	}
	s := st.(*sqlite3.SQLiteStmt)
	if !inTx || starColumns.MatchString(query) {
		return s, nil, nil
	}
	if c.byQuery == nil {
		c.byQuery = map[string]*cachedStmt{}
	}
	if _, twin := c.byQuery[query]; twin || !c.room() {
		return s, nil, nil
	}
	e := &cachedStmt{st: s, inUse: true, used: c.uses}
	c.byQuery[query] = e
	return s, e, nil
}

// room makes room for one more statement if the cache is full, by finalizing
// the least recently used one not in use, and reports whether there is room.
func (c *stmtCache) room() bool {
	if len(c.byQuery) < stmtCacheSize {
		return true
	}
	var oldest string
	var e *cachedStmt
	for q, x := range c.byQuery {
		if !x.inUse && (e == nil || x.used < e.used) {
			oldest, e = q, x
		}
	}
	if e == nil {
		return false
	}
	delete(c.byQuery, oldest)
	_ = e.st.Close()
	return true
}

// forget drops a kept statement that could not be reset (its owner finalizes it).
func (c *stmtCache) forget(e *cachedStmt) {
	for q, x := range c.byQuery {
		if x == e {
			delete(c.byQuery, q)
		}
	}
}

// closeAll finalizes every kept statement (before the connection closes: a
// connection closed with statements open would linger until they are).
func (c *stmtCache) closeAll() {
	for q, e := range c.byQuery {
		_ = e.st.Close()
		delete(c.byQuery, q)
	}
}
