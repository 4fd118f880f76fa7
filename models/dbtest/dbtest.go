// Package dbtest gives tests real databases: SQLite in a temporary directory,
// and PostgreSQL (a fresh schema per test) when PORTFOLIO_TEST_POSTGRES_URL is set.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/seed"
	"portfolio/models/sqlstore"
)

// Today is the day the tests run "on": PORTFOLIO_TEST_TODAY (YYYY-MM-DD) or,
// unset, the machine's date. It is read at each call, not once at start, so
// that go test's cache knows the results depend on it.
func Today() models.Date {
	v := os.Getenv("PORTFOLIO_TEST_TODAY")
	if v == "" {
		return models.SystemClock().Today()
	}
	d, err := models.ParseDate(v)
	if err != nil {
		panic("PORTFOLIO_TEST_TODAY: " + err.Error())
	}
	return d
}

// Now is the instant tests take as now: 10:00 UTC on Today, clear of either
// end of the day.
func Now() time.Time { return Today().Add(10 * time.Hour) }

// Clock is the clock of the databases tests open: it reads Now when the
// database is opened and moves on in real time, so that rows written one
// after another are stamped in order.
func Clock() models.Clock { return models.ClockFrom(Now()) }

// Still is db with its clock standing at Now: for tests that compare what two
// writes stamp.
func Still(db *gorm.DB) *gorm.DB {
	return db.Session(&gorm.Session{NowFunc: func() time.Time { return Now() }})
}

func init() {
	// bcrypt at its default cost is slow by design: too slow for seeding accounts in every test.
	models.PasswordCost = bcrypt.MinCost
}

// PostgresURL is the server tests run against, or "".
func PostgresURL() string { return os.Getenv("PORTFOLIO_TEST_POSTGRES_URL") }

// Kinds are the databases available to this run: sqlite always, postgres when configured.
func Kinds() []string {
	if PostgresURL() != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// Each runs fn once per available database as a subtest, each with a fresh, migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *gorm.DB)) {
	t.Helper()
	for _, k := range Kinds() {
		t.Run(k, func(t *testing.T) { fn(t, Open(t, k)) })
	}
}

// Open returns a fresh migrated database of a kind ("sqlite" or "postgres").
func Open(t testing.TB, kind string) *gorm.DB {
	t.Helper()
	db := Empty(t, kind)
	migrate(t, db)
	return db
}

// Empty returns a fresh database of a kind with no tables at all (migration tests start here).
func Empty(t testing.TB, kind string) *gorm.DB {
	t.Helper()
	if kind == "postgres" {
		return emptyPostgres(t)
	}
	dir := t.TempDir()
	if strings.ContainsAny(dir, "#?%") {
		// A repeated subtest's name ends in #01, and a # in SQLite's file:
		// DSN starts a fragment: the path would be cut short there, into a
		// file outside the test's directory shared by every run.
		var err error
		if dir, err = os.MkdirTemp("", "dbtest"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
	}
	db, err := sqlstore.Open(context.Background(), filepath.Join(dir, "test.db"), Clock().Now)
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, db)
	return db
}

func migrate(t testing.TB, db *gorm.DB) {
	t.Helper()
	if _, err := models.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
}

func closeOnCleanup(t testing.TB, db *gorm.DB) {
	t.Cleanup(func() {
		sqlstore.Close(db)
	})
}

// openPostgres creates a migrated schema of its own for the test and drops it afterwards.
func openPostgres(t testing.TB) *gorm.DB {
	t.Helper()
	db := emptyPostgres(t)
	migrate(t, db)
	return db
}

// emptyPostgres creates an empty schema of its own for the test and drops it afterwards.
func emptyPostgres(t testing.TB) *gorm.DB {
	t.Helper()
	base := PostgresURL()
	if base == "" {
		t.Skip("PORTFOLIO_TEST_POSTGRES_URL is not set")
	}
	ctx := context.Background()
	admin, err := sqlstore.Open(ctx, base, Clock().Now)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	schema := "t_" + randomHex(6)
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := sqlstore.Open(ctx, u.String(), Clock().Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sqlstore.Close(db)
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		sqlstore.Close(admin)
	})
	return db
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var (
	demoOnce  sync.Once
	demoBytes []byte // the seeded SQLite file, kept in memory so no directory is left behind
	demoErr   error
)

// Demo returns a database of a kind holding the demo portfolio seeded for the month of Now,
// with health refreshed for Now. SQLite copies a template seeded once per test
// binary, so a test may write to its copy freely.
func Demo(t testing.TB, kind string) *gorm.DB {
	t.Helper()
	if kind == "postgres" {
		db := openPostgres(t)
		seedDemo(t, db)
		return db
	}
	demoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "portfolio-demo-")
		if err != nil {
			demoErr = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "demo.db")
		db, err := sqlstore.Open(context.Background(), path, Clock().Now)
		if err != nil {
			demoErr = err
			return
		}
		if _, demoErr = models.Migrate(context.Background(), db); demoErr != nil {
			sqlstore.Close(db)
			return
		}
		if demoErr = seedErr(db); demoErr != nil {
			sqlstore.Close(db)
			return
		}
		demoErr = sqlstore.Checkpoint(context.Background(), db)
		sqlstore.Close(db)
		if demoErr == nil {
			demoBytes, demoErr = os.ReadFile(path)
		}
	})
	if demoErr != nil {
		t.Fatalf("demo seed: %v", demoErr)
	}
	dst := filepath.Join(t.TempDir(), "demo.db")
	if err := os.WriteFile(dst, demoBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sqlstore.Open(context.Background(), dst, Clock().Now)
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, db)
	return db
}

func seedDemo(t testing.TB, db *gorm.DB) {
	t.Helper()
	if err := seedErr(db); err != nil {
		t.Fatal(err)
	}
}

func seedErr(db *gorm.DB) error {
	ctx := context.Background()
	if err := seed.Demo(ctx, db); err != nil {
		return err
	}
	// The seed writes rows in bulk, past the writers that keep the aggregates.
	if err := models.RebuildAggregates(ctx, db); err != nil {
		return err
	}
	s, err := models.LoadSettings(ctx, db)
	if err != nil {
		return err
	}
	return models.RefreshHealth(ctx, db, s, Today())
}
