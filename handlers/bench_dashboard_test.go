package handlers_test

// Benchmarks of the executive dashboard at the --scale size: the aggregates
// (models.LoadDashboard) alone, and the whole signed-in page as a browser gets it.
//
//	go test ./handlers -run '^$' -bench Dashboard -benchmem
//	PORTFOLIO_BENCH_SCALE=10000 go test ./handlers -run '^$' -bench Dashboard -benchmem -benchtime 200x
//
// They share the scale database of bench_risks_test.go (seeded once per run).

import (
	"context"
	"strings"
	"sync"
	"testing"

	"portfolio/models"
	"portfolio/models/dbtest"
)

var aggOnce sync.Once

// dashboardDB is the scale database with its aggregates filled, as the seed
// command leaves it.
func dashboardDB(b *testing.B) {
	b.Helper()
	db := scaleDB(b)
	var err error
	aggOnce.Do(func() { err = models.RebuildAggregates(context.Background(), db) })
	if err != nil {
		b.Fatalf("rebuild aggregates: %v", err)
	}
}

func BenchmarkLoadDashboard(b *testing.B) {
	dashboardDB(b)
	db := scaleDB(b)
	ctx := context.Background()
	s, err := models.LoadSettings(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	today := models.DateOf(dbtest.Now)
	b.ReportAllocs()
	for b.Loop() {
		d, err := models.LoadDashboard(ctx, db, s, today)
		if err != nil {
			b.Fatal(err)
		}
		if d.Active == 0 || d.OpenRisks == 0 {
			b.Fatalf("an empty dashboard: %d active, %d open risks", d.Active, d.OpenRisks)
		}
	}
}

func BenchmarkDashboardPage(b *testing.B) {
	dashboardDB(b)
	c := newBenchClient(b, models.RoleExecutive)
	body, n := c.get(b, "/", nil)
	if !strings.Contains(body, `data-testid="fig-active"`) {
		b.Fatal("the dashboard has no headline figures")
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		c.discard(b, "/")
	}
}

// BenchmarkDashboardPageParallel is the page under 8 concurrent clients, as the
// load target has it (compare its ns/op with the serial one for contention).
func BenchmarkDashboardPageParallel(b *testing.B) {
	dashboardDB(b)
	c := newBenchClient(b, models.RoleExecutive)
	_, n := c.get(b, "/", nil)
	b.SetBytes(n)
	b.ReportAllocs()
	b.SetParallelism(4) // 4 × GOMAXPROCS(2) = 8 clients
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.discard(b, "/")
		}
	})
}
