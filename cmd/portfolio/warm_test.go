package main

import (
	"context"
	"testing"
	"time"
)

// Once the data has been quiet for an interval, the server builds the last
// quarter's review pack ahead: asking for it then builds nothing. A write
// makes it stale; after the next quiet interval it is built again.
func TestReviewPackIsBuiltAheadWhenQuiet(t *testing.T) {
	a := newTestApp(t)
	t.Cleanup(func() { closeDB(a.db) })
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); warmReviewPack(ctx, a, 50*time.Millisecond) }()
	defer func() { stop(); <-done }()

	cached := func() bool {
		ok, err := a.reviews.ReviewPackKept(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	cachedSoon := func(what string) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if cached() {
				return
			}
		}
		t.Fatalf("%s: the pack was not built ahead", what)
	}
	cachedSoon("after the start")
	if err := a.db.Exec("UPDATE engagements SET name = name || ' ' WHERE id = (SELECT MIN(id) FROM engagements)").Error; err != nil {
		t.Fatal(err)
	}
	if cached() {
		t.Fatal("the pack cached before a write is still cached after it")
	}
	cachedSoon("after a write")
	if built, err := a.reviews.WarmReviewPack(context.Background()); built || err != nil {
		t.Errorf("asked again: built %v (%v), want the cached pack", built, err)
	}
}
