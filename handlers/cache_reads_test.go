package handlers_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"portfolio/handlers"
	"portfolio/models"
	"portfolio/models/cache"
	"portfolio/models/dbtest"
	"portfolio/web"
)

// copies are tables a cached read may read without a trigger of their own,
// because nothing but another table's writes changes what they say: the
// full-text indexes are written by the triggers of the table they index, and
// the register's snapshots of past days hold what the risks and their history
// say already (reading them or replaying gives the same answer: models'
// TestSnapshotsChangeNothing).
var copies = map[string]string{
	"risks_fts": "risks", "lessons_fts": "lessons",
	"risk_snapshots": "changes", "risk_snapshot_days": "changes",
}

// sqlWatch records the SQL run inside each cache part's loads (cache.PartOf).
type sqlWatch struct {
	logger.Interface
	mu   sync.Mutex
	runs map[string][]string // part → statements
}

func (w *sqlWatch) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if part := cache.PartOf(ctx); part != "" {
		sql, _ := fc()
		w.mu.Lock()
		w.runs[part] = append(w.runs[part], sql)
		w.mu.Unlock()
	}
	w.Interface.Trace(ctx, begin, fc, err)
}

// readsHealth matches SQL that may read an engagement's health columns: by
// name, or all columns.
var readsHealth = regexp.MustCompile("(?i)\\bhealth(_reasons|_on)?\\b|\\*\\s+from\\s+[\"`]?engagements\\b|\\bengagements\\.\\*|\\be\\.\\*")

var tableNameRe = regexp.MustCompile("(?i)\\b(?:from|join)\\s+[\"`]?([a-z_][a-z0-9_]*)")

// tablesIn names the tables of the database a statement reads.
func tablesIn(sql string, tables map[string]bool) []string {
	var out []string
	for _, m := range tableNameRe.FindAllStringSubmatch(sql, -1) {
		if name := strings.ToLower(m[1]); tables[name] && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// tableSet lists the database's tables (the full-text shadow tables under
// the name of their index).
func tableSet(t *testing.T, db *gorm.DB) map[string]bool {
	var names []string
	q := "SELECT name FROM sqlite_master WHERE type = 'table'"
	if !models.IsSQLite(db) {
		q = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
	}
	if err := db.Raw(q).Scan(&names).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out
}

// hasVersionTrigger reports whether writes of table move the data version.
func hasVersionTrigger(t *testing.T, db *gorm.DB, table string) bool {
	var n int64
	q := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name LIKE 'data_version_%'"
	if !models.IsSQLite(db) {
		q = `SELECT COUNT(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
			WHERE c.relname = ? AND pg_table_is_visible(c.oid) AND t.tgname LIKE 'data_version_%'`
	}
	if err := db.Raw(q, table).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// Every cached read is seen by every instance at the next request after a
// write: each table a part of the cache declares it reads has the trigger
// that moves the data version, and the SQL its loads run reads nothing
// else. The test watches the SQL of each part while an executive, a manager
// and an admin walk every cached page (the register grown to twenty pages, so
// that its deep pages seek), and fails on a part that no page exercised.
func TestCachedReadsMoveTheVersion(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			growRegister(t, db, 6)
			watch := &sqlWatch{Interface: db.Logger, runs: map[string][]string{}}
			db.Logger = watch
			e := &env{t: t, db: db, now: dbtest.Now()}
			s := web.New(web.Options{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), SessionKeys: testKeys,
				Now: func() time.Time { return e.now }})
			handlers.New(s, db)
			e.srv = httptest.NewServer(s.Echo)
			t.Cleanup(e.srv.Close)

			past := today().AddDays(-20).String()
			since := today().AddDays(-120).String()
			var eng models.Engagement
			db.Order("id").First(&eng)
			var vendor models.Vendor
			db.Order("id").First(&vendor)
			pagesToWalk := []string{
				"/", "/risks", "/risks?page=8", "/risks?page=9", "/risks?page=8", "/risks?sort=owner&page=2",
				"/risks?category=Financial", fmt.Sprintf("/risks?vendor=%d", vendor.ID), "/risks?q=transfer",
				fmt.Sprintf("/engagements/%d/risks", eng.ID),
				"/risks?as_at=" + past, "/risks?as_at=" + past + "&page=2", "/risks?as_at=" + past + "&page=3",
				"/risks?as_at=" + past + "&since=" + since,
				fmt.Sprintf("/risks?as_at=%s&vendor=%d", past, vendor.ID),
				"/reviews/" + reviewQuarter(),
			}
			for _, role := range []string{models.RoleExecutive, models.RoleManager, models.RoleAdmin} {
				c := e.client()
				c.login(role)
				for _, p := range pagesToWalk {
					if r := c.get(p); r.StatusCode != http.StatusOK {
						t.Fatalf("%s as %s: %d", p, role, r.StatusCode)
					}
				}
				if r := c.htmx("/risks?page=2"); r.StatusCode != http.StatusOK {
					t.Fatalf("the register's partial as %s: %d", role, r.StatusCode)
				}
			}

			tables := tableSet(t, db)
			watch.mu.Lock()
			defer watch.mu.Unlock()
			reads := s.Cache().Reads()
			names := make([]string, 0, len(reads))
			for n := range reads {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, part := range names {
				declared := reads[part]
				for _, table := range declared {
					if !tables[table] {
						t.Errorf("part %q declares it reads %s, which the database does not have", part, table)
					} else if _, ok := copies[table]; !ok && !hasVersionTrigger(t, db, table) {
						t.Errorf("part %q reads %s, whose writes do not move the data version", part, table)
					}
				}
				runs := watch.runs[part]
				if len(declared) > 0 && len(runs) == 0 {
					t.Errorf("part %q ran no SQL on the walk: the test does not exercise it", part)
				}
				quiet := !slices.ContainsFunc(declared, func(t string) bool { return slices.Contains(models.RiskTables, t) })
				for _, sql := range runs {
					// A part kept through the risks' writes must not read the
					// engagements' health, which they refresh (migration 35).
					if quiet && slices.Contains(tablesIn(sql, tables), "engagements") && readsHealth.MatchString(sql) {
						t.Errorf("part %q is kept through the risks' writes, yet reads the engagements' health:\n%s", part, sql)
					}
					for _, table := range tablesIn(sql, tables) {
						if src, ok := copies[table]; ok && slices.Contains(declared, src) {
							continue
						}
						if !slices.Contains(declared, table) && table != "data_version" {
							t.Errorf("part %q reads %s, which it does not declare:\n%s", part, table, sql)
						}
					}
				}
			}
		})
	}
}

// growRegister adds n copies of every demo risk (new refs), so that the
// register has pages deep enough to be read through their ends.
func growRegister(t *testing.T, db *gorm.DB, n int) {
	t.Helper()
	cols := "engagement_id, title, description, category, inherent_likelihood, inherent_impact, inherent_score, " +
		"residual_likelihood, residual_impact, residual_score, response, mitigation, owner_id, status, next_review, " +
		"raised_on, closed_on, closed_reason, accepted_by, accept_justification, accept_expiry, version, created_at, updated_at"
	var last int64
	if err := db.Raw("SELECT MAX(id) FROM risks").Scan(&last).Error; err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if err := db.Exec(fmt.Sprintf("INSERT INTO risks (ref, %s) SELECT ref || '-%d', %s FROM risks WHERE id <= ?", cols, i, cols), last).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := models.RebuildAggregates(context.Background(), db); err != nil {
		t.Fatal(err)
	}
}
