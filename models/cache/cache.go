// Package cache is the app's one cache: values computed from the database,
// each cached at the data version it was loaded at. The data version is a
// number that a trigger moves on every committed write of the tables it
// covers, whichever app instance or process wrote (models.DataVersion). A
// request reads it first, then asks for values at that version: a value cached
// at another version is never served, so nothing cached is needed for
// correctness. An empty cache only costs a reload, and several instances on
// one database each cache their own.
//
// The cache is made of parts (NewPart), each with a name, the tables its
// loads read and a bound on its entries (the least recently used go first).
// Loads of one key at one version are shared by the requests that miss at
// once (singleflight). A test checks every table a part reads moves the
// version, by watching the SQL its loads run.
package cache

import (
	"context"
	"fmt"
	"slices"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"
)

// Version is what a value is cached at: a data version, or Forever.
type Version struct {
	n       int64
	forever bool
}

// At is data version n.
func At(n int64) Version { return Version{n: n} }

// Forever is the version of a value no write can change, such as the risk
// register as at a day that has ended: it is served until the part's bound
// evicts it.
var Forever = Version{forever: true}

// Data is the data version (0 for Forever).
func (v Version) Data() int64 { return v.n }

// String reads "v12" or "forever".
func (v Version) String() string {
	if v.forever {
		return "forever"
	}
	return fmt.Sprintf("v%d", v.n)
}

// Cache is the set of parts one app holds, and how it reads the data version.
type Cache struct {
	versions *versionReads

	mu    sync.Mutex
	parts map[string][]string // name → the tables its loads read
}

// New makes an empty cache that reads the data version with read. With
// shared, requests that come while a read is under way share the next one
// (Version); use it where the read is a round trip to a database server.
func New(read func(context.Context) (int64, error), shared bool) *Cache {
	return &Cache{versions: &versionReads{read: read, shared: shared}, parts: map[string][]string{}}
}

// Version reads the data version for a request that has just come in: what
// the request then loads is at least as new as it.
func (c *Cache) Version(ctx context.Context) (Version, error) {
	n, err := c.versions.get(ctx)
	return At(n), err
}

// Reads lists each part's name with the tables its loads read.
func (c *Cache) Reads() map[string][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string][]string, len(c.parts))
	for k, v := range c.parts {
		out[k] = slices.Clone(v)
	}
	return out
}

// Part is one kind of value the cache holds, by key K. Safe for concurrent use.
type Part[K comparable, V any] struct {
	name  string
	mu    sync.Mutex // makes Put's compare-and-replace one step
	lru   *lru.Cache[K, entry[V]]
	loads singleflight.Group
}

type entry[V any] struct {
	at Version
	v  V
}

// NewPart adds a part to c: name says what it caches (unique in c), size
// bounds its entries, reads names the tables its loads read.
func NewPart[K comparable, V any](c *Cache, name string, size int, reads ...string) *Part[K, V] {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, dup := c.parts[name]; dup {
		panic("cache: two parts named " + name)
	}
	c.parts[name] = slices.Clone(reads)
	l, err := lru.New[K, entry[V]](max(size, 1))
	if err != nil {
		panic(err) // only for a size below one
	}
	return &Part[K, V]{name: name, lru: l}
}

// Get returns the value cached for k at exactly version at.
func (p *Part[K, V]) Get(k K, at Version) (V, bool) {
	e, ok := p.lru.Get(k)
	if !ok || e.at != at {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Put caches v for k at version at, unless k holds a value of a later version
// (a slow load finishing after a quicker one of newer data). A value cached
// Forever replaces anything, and only another replaces it.
func (p *Part[K, V]) Put(k K, at Version, v V) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.lru.Peek(k); ok && !at.forever && (old.at.forever || old.at.n > at.n) {
		return
	}
	p.lru.Add(k, entry[V]{at, v})
}

// Load returns the value cached for k at version at, else loads, caches and
// returns it. Requests that miss k at the same version together share one
// load, which runs without its asker's cancellation (the others wait for it);
// a panic in it reaches every one of them. An error is returned and nothing
// cached.
func (p *Part[K, V]) Load(ctx context.Context, k K, at Version, load func(context.Context) (V, error)) (V, error) {
	if v, ok := p.Get(k, at); ok {
		return v, nil
	}
	r, err, _ := p.loads.Do(fmt.Sprintf("%v@%v", k, at), func() (any, error) {
		v, err := load(context.WithValue(context.WithoutCancel(ctx), partKey{}, p.name))
		if err == nil {
			p.Put(k, at, v)
		}
		return v, err
	})
	v, _ := r.(V)
	return v, err
}

// Len is how many values the part holds.
func (p *Part[K, V]) Len() int { return p.lru.Len() }

type partKey struct{}

// PartOf names the part whose load ctx belongs to ("" outside any): the test
// that checks what parts read watches the SQL run under each.
func PartOf(ctx context.Context) string {
	s, _ := ctx.Value(partKey{}).(string)
	return s
}
