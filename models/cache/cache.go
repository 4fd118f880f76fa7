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

// Version is what a value is cached at: the data versions a request read, or
// Forever.
type Version struct {
	n, others int64
	forever   bool
}

// At is data version n where every table moves that one number (others
// too), as in tests of a cache read with one counter. A request's versions
// come from Cache.Version: At of its data version alone would key a part
// that reads none of the busy tables at the wrong number.
func At(n int64) Version { return Version{n: n, others: n} }

// Versions is data version all, in which the tables other than the busy ones
// (New) are at version others.
func Versions(all, others int64) Version { return Version{n: all, others: others} }

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
	busy     []string // the tables whose writes leave the others' version alone

	mu    sync.Mutex
	parts map[string][]string // name → the tables its loads read
}

// New makes an empty cache that reads the data versions with read: all, which
// every write of a covered table moves, and others, which writes of the busy
// tables leave alone. A part that reads none of the busy tables is cached at
// others, and so kept through their writes. With shared, requests that come
// while a read is under way share the next one (Version); use it where the
// read is a round trip to a database server.
func New(read func(context.Context) (all, others int64, err error), shared bool, busy ...string) *Cache {
	get := func(ctx context.Context) (Version, error) {
		all, others, err := read(ctx)
		return Versions(all, others), err
	}
	return &Cache{versions: &versionReads{read: get, shared: shared}, busy: slices.Clone(busy), parts: map[string][]string{}}
}

// Version reads the data versions for a request that has just come in: what
// the request then loads is at least as new as they are.
func (c *Cache) Version(ctx context.Context) (Version, error) {
	return c.versions.get(ctx)
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
	quiet bool       // reads none of the busy tables: cached at the others' version
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
	quiet := len(reads) > 0 && !slices.ContainsFunc(reads, func(t string) bool { return slices.Contains(c.busy, t) })
	return &Part[K, V]{name: name, quiet: quiet, lru: l}
}

// at is the version p's values are cached at for a request at v: a part that
// reads none of the busy tables is at the others' version only.
func (p *Part[K, V]) at(v Version) Version {
	switch {
	case v.forever:
		return Forever
	case p.quiet:
		return Version{n: v.others}
	}
	return Version{n: v.n}
}

// Quiet reports whether p reads none of the busy tables, and so keeps its
// values through their writes.
func (p *Part[K, V]) Quiet() bool { return p.quiet }

// Get returns the value cached for k at exactly version at.
func (p *Part[K, V]) Get(k K, at Version) (V, bool) {
	at = p.at(at)
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
	at = p.at(at)
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
	r, err, _ := p.loads.Do(fmt.Sprintf("%v@%v", k, p.at(at)), func() (any, error) {
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
