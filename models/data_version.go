package models

import (
	"context"
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

// VersionCache keeps values computed from the database, each valid for the
// exact data version it was stored with only: a value of any other version is
// a miss. It holds at most max entries (storing into a full cache first drops
// the entries of other versions, then any one). Safe for concurrent use.
// Nothing in it is needed for correctness: an empty cache only costs a reload.
type VersionCache[K comparable, V any] struct {
	mu  sync.RWMutex
	max int
	m   map[K]versioned[V]
}

type versioned[V any] struct {
	version int64
	v       V
}

// NewVersionCache makes an empty cache of at most n entries (at least one).
func NewVersionCache[K comparable, V any](n int) *VersionCache[K, V] {
	return &VersionCache[K, V]{max: max(n, 1), m: map[K]versioned[V]{}}
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

// Put stores v for k at version, replacing what k held unless that is of a
// later version (a slow loader finishing after a quicker one of newer data).
func (c *VersionCache[K, V]) Put(k K, version int64, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.m[k]
	if ok && old.version > version {
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
