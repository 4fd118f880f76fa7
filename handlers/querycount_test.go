package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/seed"
)

// countStatements counts every SQL statement db runs from now on (queries,
// raw rows, writes), through GORM's callbacks.
func countStatements(t *testing.T, db *gorm.DB) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	count := func(*gorm.DB) { n.Add(1) }
	cb := db.Callback()
	for name, err := range map[string]error{
		"query":  cb.Query().After("gorm:query").Register("test:count_query", count),
		"row":    cb.Row().After("gorm:row").Register("test:count_row", count),
		"raw":    cb.Raw().After("gorm:raw").Register("test:count_raw", count),
		"create": cb.Create().After("gorm:create").Register("test:count_create", count),
		"update": cb.Update().After("gorm:update").Register("test:count_update", count),
		"delete": cb.Delete().After("gorm:delete").Register("test:count_delete", count),
	} {
		if err != nil {
			t.Fatalf("register the %s counter: %v", name, err)
		}
	}
	return &n
}

// hotPages are the pages people open most, each a fixed number of statements
// whatever the size of the portfolio. (A register page sorted by owner or
// engagement whose rows reach the risks without one reads that part with one
// statement more, whatever the size: models/register/page.go.)
var hotPages = []string{"/", "/engagements", "/engagements/1", "/risks", "/risks?page=2", "/risks?band=High&sort=title&dir=desc", "/risks?kind=inherent&status=all&sort=review"}

// pageStatements signs in as an executive and counts the statements of each hot page.
func pageStatements(t *testing.T, db *gorm.DB) map[string]int64 {
	t.Helper()
	e := newEnv(t, db)
	c := e.client()
	c.login(models.RoleExecutive)
	n := countStatements(t, db)
	out := map[string]int64{}
	for _, p := range hotPages {
		c.get(p) // the first view may prepare statements or load settings once
		before := n.Load()
		r := c.get(p)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", p, r.StatusCode)
		}
		out[p] = n.Load() - before
	}
	return out
}

// scaleSeeded seeds n engagements of the scale portfolio, as `portfolio seed --scale n` does.
func scaleSeeded(t *testing.T, n int) *gorm.DB {
	t.Helper()
	ctx := context.Background()
	db := dbtest.Open(t, "sqlite")
	if err := seed.Scale(ctx, db, n); err != nil {
		t.Fatal(err)
	}
	if err := models.RebuildAggregates(ctx, db); err != nil {
		t.Fatal(err)
	}
	s, err := models.LoadSettings(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := models.RefreshHealth(ctx, db, s, models.DateOf(dbtest.Now())); err != nil {
		t.Fatal(err)
	}
	return db
}

// The dashboard, the engagements list, an engagement and the risk register run
// the same number of SQL statements on the demo portfolio and on scale
// portfolios of 200 and 400 engagements: nothing is queried per row.
func TestHotPagesQueryCountIsConstant(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("seeds two scale portfolios")
	}
	sizes := []struct {
		name string
		db   func() *gorm.DB
	}{
		{"demo", func() *gorm.DB { return dbtest.Demo(t, "sqlite") }},
		{"scale 200", func() *gorm.DB { return scaleSeeded(t, 200) }},
		{"scale 400", func() *gorm.DB { return scaleSeeded(t, 400) }},
	}
	counts := make([]map[string]int64, len(sizes))
	for i, s := range sizes {
		counts[i] = pageStatements(t, s.db())
	}
	var table strings.Builder
	for _, p := range hotPages {
		fmt.Fprintf(&table, "\n%-40s", p)
		for i := range sizes {
			fmt.Fprintf(&table, " %s: %d", sizes[i].name, counts[i][p])
		}
		for i := 1; i < len(sizes); i++ {
			if counts[i][p] != counts[0][p] {
				t.Errorf("GET %s runs %d statements on the %s portfolio and %d on the %s one", p, counts[i][p], sizes[i].name, counts[0][p], sizes[0].name)
			}
		}
		if counts[0][p] == 0 {
			t.Errorf("GET %s ran no statement: the counter is not counting", p)
		}
	}
	t.Logf("statements per page:%s", table.String())
}
