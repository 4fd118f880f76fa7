package models

import (
	"context"
	"errors"
	"sync"

	"gorm.io/gorm"
)

// DataVersion reads the data version (migration 9): a number that every
// committed write of a table the dashboard or the risk register reads makes
// larger, on every app instance and process sharing the database. Read it
// BEFORE the data it guards: what is then loaded is at least as new as the
// version, so it may be kept under that version (VersionCache) and served while
// the version reads the same.
func DataVersion(ctx context.Context, db *gorm.DB) (int64, error) {
	if IsSQLite(db) {
		// As in LoadDashboard: a cancellable context costs the SQLite driver a
		// goroutine per query; one row by its key cannot run long.
		ctx = context.WithoutCancel(ctx)
	}
	var v int64
	err := db.WithContext(ctx).Raw("SELECT CAST(SUM(n) AS BIGINT) FROM data_version").Row().Scan(&v)
	return v, err
}

// RequestDataVersion is DataVersion for a request that has just come in. On
// PostgreSQL the version is a round trip, a fifth of the server's CPU on a
// kept dashboard; so requests share reads: one that comes while a read is
// under way waits for the next read, which begins as that one ends and
// answers every request that came meanwhile. Each request is thus answered by
// a read begun after it came, which sees every write committed before it came,
// as its own read would. (SQLite's version is read in process: each reads its own.)
func RequestDataVersion(ctx context.Context, db *gorm.DB) (int64, error) {
	if IsSQLite(db) {
		return DataVersion(ctx, db)
	}
	r, _ := versionReaders.LoadOrStore(db, &versionReader{})
	return r.(*versionReader).read(ctx, db)
}

// versionReaders are the shared version reads per database handle.
var versionReaders sync.Map // *gorm.DB → *versionReader

type versionReader struct {
	mu      sync.Mutex
	running bool
	next    *versionRead // the read the requests coming now will share
}

type versionRead struct {
	done chan struct{}
	v    int64
	err  error
}

func (r *versionReader) read(ctx context.Context, db *gorm.DB) (int64, error) {
	r.mu.Lock()
	if r.next == nil {
		r.next = &versionRead{done: make(chan struct{})}
	}
	call := r.next
	start := !r.running
	if start {
		r.running, r.next = true, nil
	}
	r.mu.Unlock()
	if start {
		r.run(db, call)
	}
	select {
	case <-call.done:
		return call.v, call.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

// run reads for call, then starts the read of the requests that came
// meanwhile, if any, on a goroutine of its own (this one has a request to answer).
func (r *versionReader) run(db *gorm.DB, call *versionRead) {
	// Shared by every waiting request: none of them may cancel it.
	call.v, call.err = DataVersion(context.Background(), db)
	close(call.done)
	r.mu.Lock()
	next := r.next
	r.next = nil
	r.running = next != nil
	r.mu.Unlock()
	if next != nil {
		go r.run(db, next)
	}
}

// VersionCache keeps values computed from the database, each valid for the
// exact data version it was stored with only: a value of any other version is
// a miss. It holds at most max entries (storing into a full cache first drops
// the entries of other versions, then any one). Safe for concurrent use.
// Nothing in it is needed for correctness: an empty cache only costs a reload.
type VersionCache[K comparable, V any] struct {
	mu  sync.RWMutex
	max int
	m   map[K]versioned[V]

	loadsMu sync.Mutex
	loads   map[K]*sharedLoad[V] // Shared's loads in flight, one per key at most
}

// sharedLoad is one load of Shared, done when done is closed.
type sharedLoad[V any] struct {
	version int64
	done    chan struct{}
	v       V
	err     error
}

// errSharedLoad is what waiters get from a load that did not finish.
var errSharedLoad = errors.New("the load this request waited for failed")

type versioned[V any] struct {
	version int64
	v       V
}

// NewVersionCache makes an empty cache of at most n entries (at least one).
func NewVersionCache[K comparable, V any](n int) *VersionCache[K, V] {
	return &VersionCache[K, V]{max: max(n, 1), m: map[K]versioned[V]{}, loads: map[K]*sharedLoad[V]{}}
}

// Shared is GetOr for a value that several requests may miss at once. One
// that misses waits for the load in flight for k when that one read a version
// at least as new as its own (what it loads then includes every write this
// request could know of), rather than doing the same work at once; otherwise
// it loads for itself. No request ever waits for a load older than its
// version, so none queues behind a chain of them. Others may wait for a load:
// it runs without its asker's cancellation, and an asker whose ctx ends stops
// waiting.
func (c *VersionCache[K, V]) Shared(ctx context.Context, k K, version int64, load func(context.Context) (V, error)) (V, error) {
	if v, ok := c.Get(k, version); ok {
		return v, nil
	}
	c.loadsMu.Lock()
	if l := c.loads[k]; l != nil && l.version >= version {
		c.loadsMu.Unlock()
		select {
		case <-l.done:
			return l.v, l.err
		case <-ctx.Done():
			var zero V
			return zero, ctx.Err()
		}
	}
	l := &sharedLoad[V]{version: version, done: make(chan struct{}), err: errSharedLoad}
	c.loads[k] = l
	c.loadsMu.Unlock()
	defer func() { // even when the load panics: nobody waits for ever
		c.loadsMu.Lock()
		if c.loads[k] == l {
			delete(c.loads, k)
		}
		c.loadsMu.Unlock()
		close(l.done)
	}()
	l.v, l.err = load(context.WithoutCancel(ctx))
	if l.err == nil {
		c.Put(k, version, l.v)
	}
	return l.v, l.err
}

// Get returns the value stored for k at exactly this version.
func (c *VersionCache[K, V]) Get(k K, version int64) (V, bool) {
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	if !ok || e.version != version {
		var zero V
		return zero, false
	}
	return e.v, true
}

// GetOr returns the value stored for k at exactly this version, else loads,
// stores and returns it (an error is returned and nothing stored).
func (c *VersionCache[K, V]) GetOr(k K, version int64, load func() (V, error)) (V, error) {
	if v, ok := c.Get(k, version); ok {
		return v, nil
	}
	v, err := load()
	if err == nil {
		c.Put(k, version, v)
	}
	return v, err
}

// Put stores v for k at version, replacing what k held unless that is of a
// later version (a slow loader finishing after a quicker one of newer data).
// A negative version marks a value that no write can change (the register as
// at a past day): it replaces whatever k held.
func (c *VersionCache[K, V]) Put(k K, version int64, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.m[k]
	if ok && old.version > version && version >= 0 { // a negative version (kept for good) always replaces
		return
	}
	if !ok && len(c.m) >= c.max {
		for key, e := range c.m {
			if e.version != version {
				delete(c.m, key)
			}
		}
		for key := range c.m {
			if len(c.m) < c.max {
				break
			}
			delete(c.m, key)
		}
	}
	c.m[k] = versioned[V]{version, v}
}
