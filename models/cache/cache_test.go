package cache_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"portfolio/models/cache"
)

func newCache() *cache.Cache {
	return cache.New(func(context.Context) (int64, int64, error) { return 1, 1, nil }, false, "risks")
}

// A part answers only for the exact version a value was cached at, holds no
// more entries than its size (the least recently used go), and never
// replaces a value by one of older data.
func TestPartVersionsAndBound(t *testing.T) {
	t.Parallel()
	c := newCache()
	p := cache.NewPart[string, int](c, "test", 3, "risks")
	if _, ok := p.Get("a", cache.At(1)); ok {
		t.Fatal("an empty part had a value")
	}
	p.Put("a", cache.At(1), 10)
	if v, ok := p.Get("a", cache.At(1)); !ok || v != 10 {
		t.Fatalf("Get(a, 1) = %d, %v; want 10, true", v, ok)
	}
	if _, ok := p.Get("a", cache.At(2)); ok {
		t.Fatal("a value of version 1 was served for version 2")
	}
	p.Put("a", cache.At(3), 30)
	p.Put("a", cache.At(2), 20) // a slower load of older data
	if v, ok := p.Get("a", cache.At(3)); !ok || v != 30 {
		t.Fatalf("Get(a, 3) = %d, %v; want 30, true", v, ok)
	}
	p.Put("b", cache.At(3), 1)
	p.Get("a", cache.At(3)) // a is used again: b is now the least recently used
	p.Put("c", cache.At(3), 1)
	p.Put("d", cache.At(3), 1)
	if p.Len() != 3 {
		t.Errorf("a part of 3 holds %d entries", p.Len())
	}
	if _, ok := p.Get("b", cache.At(3)); ok {
		t.Error("the least recently used entry was kept over newer ones")
	}
	for _, k := range []string{"a", "c", "d"} {
		if _, ok := p.Get(k, cache.At(3)); !ok {
			t.Errorf("%s was evicted", k)
		}
	}

	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				k := fmt.Sprint(i % 5)
				p.Put(k, cache.At(int64(i/10)), g)
				p.Get(k, cache.At(int64(i/10)))
			}
		}()
	}
	wg.Wait()
}

// A value cached Forever (the register as at a past day) replaces what its key
// held at a data version, is served only as Forever, and no versioned value
// replaces it.
func TestPartForever(t *testing.T) {
	t.Parallel()
	p := cache.NewPart[string, int](newCache(), "test", 4)
	p.Put("k", cache.At(7), 1)
	p.Put("k", cache.At(5), 2) // older data: refused
	if v, ok := p.Get("k", cache.At(7)); !ok || v != 1 {
		t.Fatalf("version 7: %d %v", v, ok)
	}
	p.Put("k", cache.Forever, 3)
	if v, ok := p.Get("k", cache.Forever); !ok || v != 3 {
		t.Errorf("cached forever after a live version: %d %v", v, ok)
	}
	if _, ok := p.Get("k", cache.At(7)); ok {
		t.Error("a value cached forever was served for a data version")
	}
	p.Put("k", cache.At(9), 4)
	if v, ok := p.Get("k", cache.Forever); !ok || v != 3 {
		t.Errorf("a versioned value replaced one cached forever: %d %v", v, ok)
	}
}

// Two parts may not share a name, and the cache lists what each reads.
func TestCacheReads(t *testing.T) {
	t.Parallel()
	c := newCache()
	cache.NewPart[int, int](c, "dashboard", 1, "engagements", "settings")
	cache.NewPart[int, int](c, "users", 1, "users")
	got := c.Reads()
	if !slices.Equal(got["dashboard"], []string{"engagements", "settings"}) || !slices.Equal(got["users"], []string{"users"}) || len(got) != 2 {
		t.Errorf("Reads() = %v", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("a second part named users was made")
		}
	}()
	cache.NewPart[int, int](c, "users", 1)
}

// Load loads a missing value once for the requests that miss it together at
// one version and caches it; one at a newer version does not wait for an older
// load but loads for itself, and the older load does not replace its value; a
// load that panics reaches its waiters, who do not wait for ever; the load
// knows which part it runs for.
func TestPartLoad(t *testing.T) {
	t.Parallel()
	// In a synctest bubble synctest.Wait returns once every goroutine is
	// blocked: the order of events is the test's, not the scheduler's, and a
	// request that waits when it must not deadlocks the bubble (a failure).
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		p := cache.NewPart[string, string](newCache(), "packs", 4, "lessons")
		release := make(chan struct{})
		var loads atomic.Int64
		slow := func(v string) func(context.Context) (string, error) {
			return func(ctx context.Context) (string, error) {
				loads.Add(1)
				if got := cache.PartOf(ctx); got != "packs" {
					t.Errorf("PartOf in a load = %q", got)
				}
				<-release
				return v, nil
			}
		}
		first := make(chan string)
		go func() { v, _ := p.Load(ctx, "k", cache.At(1), slow("at 1")); first <- v }()
		synctest.Wait()
		same := make(chan string)
		go func() {
			v, _ := p.Load(ctx, "k", cache.At(1), func(context.Context) (string, error) { return "a second load at 1", nil })
			same <- v
		}()
		synctest.Wait()
		if loads.Load() != 1 {
			t.Fatalf("%d loads, want 1", loads.Load())
		}
		newer, err := p.Load(ctx, "k", cache.At(2), func(context.Context) (string, error) { return "at 2", nil })
		if err != nil || newer != "at 2" {
			close(release)
			t.Fatalf("a newer version waited for the older load or got its value: %q, %v", newer, err)
		}
		close(release)
		if v := <-first; v != "at 1" {
			t.Errorf("the first load returned %q", v)
		}
		if v := <-same; v != "at 1" {
			t.Errorf("a request at the same version did not share the load in flight: %q", v)
		}
		if v, ok := p.Get("k", cache.At(2)); !ok || v != "at 2" {
			t.Errorf("cached at 2: %q %v (the older load must not replace it)", v, ok)
		}
		if cache.PartOf(ctx) != "" {
			t.Error("PartOf outside a load is not empty")
		}

		fail := make(chan struct{})
		go func() {
			defer func() { recover() }()
			p.Load(ctx, "p", cache.At(1), func(context.Context) (string, error) {
				<-fail
				panic("load failed")
			})
		}()
		synctest.Wait()
		panicked := make(chan any, 1)
		go func() {
			defer func() { panicked <- recover() }()
			p.Load(ctx, "p", cache.At(1), func(context.Context) (string, error) { return "not this", nil })
		}()
		synctest.Wait()
		close(fail)
		select {
		case r := <-panicked:
			if r == nil {
				t.Error("a waiter for a load that panicked went on as if it had a value")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a waiter for a load that panicked is still waiting")
		}
		if _, err := p.Load(ctx, "e", cache.At(1), func(context.Context) (string, error) { return "", fmt.Errorf("no") }); err == nil {
			t.Error("a failed load returned no error")
		}
		if _, ok := p.Get("e", cache.At(1)); ok {
			t.Error("a failed load was cached")
		}
	})
}

// Shared version reads: requests share reads, yet each sees every write
// committed before it asked. The "database" is a counter moved by commits;
// a read takes a moment, during which more commits may land.
func TestVersionReadsSeeEveryEarlierCommit(t *testing.T) {
	t.Parallel()
	var committed, reads atomic.Int64
	read := func(context.Context) (int64, int64, error) {
		reads.Add(1)
		v := committed.Load()
		time.Sleep(200 * time.Microsecond) // commits land while the answer travels back
		return v, v, nil
	}
	c := cache.New(read, true)
	ctx := context.Background()
	const rounds, requests = 50, 16
	stop := make(chan struct{})
	var busy sync.WaitGroup
	for range 2 { // reads under way all the while, so that commits land during them
		busy.Add(1)
		go func() {
			defer busy.Done()
			for {
				select {
				case <-stop:
					return
				default:
					_, _ = c.Version(ctx)
				}
			}
		}()
	}
	for round := range rounds {
		want := committed.Add(1)
		var wg sync.WaitGroup
		for range requests {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if v, err := c.Version(ctx); err != nil || v.Data() < want {
					t.Errorf("round %d: version %v (%v), want at least %d, committed before the request", round, v, err, want)
				}
			}()
		}
		wg.Wait()
	}
	close(stop)
	busy.Wait()
	reads.Store(0)
	for range rounds {
		var wg sync.WaitGroup
		for range requests {
			wg.Add(1)
			go func() { defer wg.Done(); _, _ = c.Version(ctx) }()
		}
		wg.Wait()
	}
	if n := reads.Load(); n >= rounds*requests {
		t.Errorf("%d reads of the version for %d requests: not shared", n, rounds*requests)
	}
}

// A part that reads none of the busy tables is cached at the version of the
// others: a write of a busy table (all moves, others not) keeps its values,
// and a write of another table does not. A part that reads a busy table, or
// declares no table, follows every write.
func TestQuietPartsKeepThroughBusyWrites(t *testing.T) {
	t.Parallel()
	c := cache.New(func(context.Context) (int64, int64, error) { return 0, 0, nil }, false, "risks", "changes")
	quiet := cache.NewPart[string, int](c, "vendors' spend", 2, "vendors", "fx_rates")
	busy := cache.NewPart[string, int](c, "register", 2, "risks", "vendors")
	bare := cache.NewPart[string, int](c, "asked for", 2)
	if !quiet.Quiet() || busy.Quiet() || bare.Quiet() {
		t.Fatalf("quiet: %v %v %v; want true false false", quiet.Quiet(), busy.Quiet(), bare.Quiet())
	}
	for _, p := range []*cache.Part[string, int]{quiet, busy, bare} {
		p.Put("k", cache.Versions(10, 7), 1)
	}
	riskWritten := cache.Versions(11, 7) // a risk written: all moved, the others did not
	if v, ok := quiet.Get("k", riskWritten); !ok || v != 1 {
		t.Errorf("the quiet part lost its value to a risk's write: %d, %v", v, ok)
	}
	if _, ok := busy.Get("k", riskWritten); ok {
		t.Error("the part reading risks served a value from before a risk's write")
	}
	if _, ok := bare.Get("k", riskWritten); ok {
		t.Error("the part declaring no tables served a value from before a write")
	}
	if _, ok := quiet.Get("k", cache.Versions(12, 8)); ok {
		t.Error("the quiet part served a value from before a vendor's write")
	}
	n := 0
	load := func(context.Context) (int, error) { n++; return n, nil }
	for _, at := range []cache.Version{cache.Versions(20, 9), cache.Versions(21, 9), cache.Versions(25, 9)} {
		if v, err := quiet.Load(context.Background(), "j", at, load); err != nil || v != 1 {
			t.Fatalf("Load at %v = %d, %v; want the one load's 1", at, v, err)
		}
	}
}
