package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"portfolio/handlers"
	"portfolio/models"
	"portfolio/models/dbtest"
)

// Once the data has been quiet for an interval, the server builds the last
// quarter's review pack ahead: asking for it then builds nothing. A write
// makes it stale; after the next quiet interval it is built again.
func TestReviewPackIsBuiltAheadWhenQuiet(t *testing.T) {
	defer handlers.SetPackAheadEvery(50 * time.Millisecond)()
	ae := newAppEnv(t, dbtest.Demo(t, "sqlite"), nil)
	e, a := ae.env, ae.app
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); a.BuildReviewPackAhead(ctx) }()
	defer func() { stop(); <-done }()

	cached := func() bool {
		ok, err := a.ReviewPackCached(context.Background())
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
	if err := e.db.Exec("UPDATE engagements SET name = name || ' ' WHERE id = (SELECT MIN(id) FROM engagements)").Error; err != nil {
		t.Fatal(err)
	}
	if cached() {
		t.Fatal("the pack cached before a write is still cached after it")
	}
	cachedSoon("after a write")
	if built, err := a.WarmReviewPack(context.Background()); built || err != nil {
		t.Errorf("asked again: built %v (%v), want the cached pack", built, err)
	}
}

// A pack built ahead gives way between the parts it renders, as well as
// while it builds (models/pack); when its context ends it stops, and nothing
// is cached.
func TestPackBuiltAheadGivesWay(t *testing.T) {
	defer handlers.SetPackParts(4, 3)()
	defer handlers.SetPartsPerYield(1)()
	ae := newAppEnv(t, dbtest.Demo(t, "sqlite"), nil)
	e, a := ae.env, ae.app
	var engagements int64
	e.db.Model(&models.Engagement{}).Count(&engagements)
	parts := int((engagements + 3) / 4)
	if parts < 3 {
		t.Fatalf("%d engagements: too few parts to tell", engagements)
	}

	ctx, cancel := context.WithCancel(context.Background())
	a.SetYield(func(ctx context.Context) error { cancel(); return ctx.Err() })
	if built, err := a.WarmReviewPack(ctx); built || !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped: built %v (%v), want nothing built (context canceled)", built, err)
	}
	if cached, _ := a.ReviewPackCached(context.Background()); cached {
		t.Fatal("a build stopped half-way was cached")
	}

	yields := 0
	a.SetYield(func(ctx context.Context) error { yields++; return ctx.Err() })
	if built, err := a.WarmReviewPack(context.Background()); !built || err != nil {
		t.Fatalf("built %v (%v)", built, err)
	}
	if yields < parts {
		t.Errorf("rendering %d parts, gave way %d times: want once a part at least", parts, yields)
	}
}

// A request for the pack while it is being built ahead waits for that build,
// which then stops giving way: someone is waiting for it.
func TestPackBuiltAheadHurriesWhenAskedFor(t *testing.T) {
	t.Parallel()
	ae := newAppEnv(t, dbtest.Demo(t, "sqlite"), nil)
	e, a := ae.env, ae.app
	c := e.client()
	c.login(models.RoleExecutive)
	calls := make(chan struct{}, 1000)
	release := make(chan struct{})
	a.SetYield(func(ctx context.Context) error {
		calls <- struct{}{}
		<-release
		return ctx.Err()
	})
	built := make(chan error, 1)
	go func() {
		ok, err := a.WarmReviewPack(context.Background())
		if err == nil && !ok {
			err = errors.New("not built")
		}
		built <- err
	}()
	<-calls // the build is giving way

	got := make(chan resp, 1)
	go func() { got <- c.get("/reviews/" + reviewQuarter()) }()
	for deadline := time.Now().Add(20 * time.Second); !a.PackAsked(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the request did not ask for the pack")
		}
	}
	close(release)
	if r := <-got; r.StatusCode != http.StatusOK {
		t.Fatalf("the pack: %d", r.StatusCode)
	}
	if err := <-built; err != nil {
		t.Fatal(err)
	}
	if n := len(calls); n != 0 {
		t.Errorf("the build gave way %d more times once the pack was asked for", n)
	}
}
