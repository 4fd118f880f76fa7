package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/register"
	"portfolio/models/seed"
)

// registerView is what a register page shows: the count and the rows' ids.
func registerView(t *testing.T, c *client, path string) (string, []uint) {
	t.Helper()
	r := c.get(path)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, r.StatusCode)
	}
	doc := r.Doc(t)
	return strings.TrimSpace(doc.Find(`[data-testid="risk-count"]`).Text()), rowIDs(doc)
}

// wantRows are the ids of rows from..to of the live register sorted by next
// review, read from the database the plain way.
func wantRows(t *testing.T, e *env, from, to int) []uint {
	t.Helper()
	all, _, err := register.ListRisks(context.Background(), e.db, models.DefaultRiskSettings(), models.DateOf(dbtest.Now()), register.RiskFilter{Sort: "review"})
	if err != nil {
		t.Fatal(err)
	}
	var out []uint
	for _, r := range all[from:min(to, len(all))] {
		out = append(out, r.ID)
	}
	return out
}

// Two app instances share one database: A serves a page of the register by
// its number from what it caches (its count and the ends of its pages); a risk
// closed through B leaves A's next view of that page with the new count and
// the rows moved up by one, as the database has them.
func TestRegisterShowsAnotherInstancesWrites(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("seeds a scale portfolio")
	}
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Open(t, kind)
			if err := seed.Scale(context.Background(), db, 60); err != nil {
				t.Fatal(err)
			}
			a, b := newEnv(t, db), newEnv(t, dbtest.Reopen(t, db))
			exec := a.client()
			exec.login(models.RoleExecutive)
			admin := b.client()
			admin.login(models.RoleAdmin)

			const page = 15 // deep: read by seeking from the end of page 14
			path := fmt.Sprintf("/risks?sort=review&page=%d", page)
			count, rows := registerView(t, exec, path)
			if want := wantRows(t, a, (page-1)*50, page*50); !slices.Equal(rows, want) {
				t.Fatalf("page %d shows %v, want %v", page, rows, want)
			}
			if again, rows2 := registerView(t, exec, path); again != count || !slices.Equal(rows2, rows) {
				t.Fatalf("two views with no write between differ: %s %v / %s %v", count, rows, again, rows2)
			}
			_, first := registerView(t, exec, "/risks?sort=review")
			var victim models.Risk
			if err := db.First(&victim, first[0]).Error; err != nil {
				t.Fatal(err)
			}
			form := url.Values{"_csrf": {admin.token()}, "version": {fmt.Sprint(victim.Version)}, "closed_on": {today().String()}, "closed_reason": {"Retired with the old platform"}}
			if r := admin.post(fmt.Sprintf("/risks/%d/close", victim.ID), form); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("close a risk through B: %d\n%.500s", r.StatusCode, r.Body)
			}
			after, moved := registerView(t, exec, path)
			if after == count {
				t.Errorf("after B closed a risk A still counts %s", after)
			}
			if !slices.Equal(moved[:49], rows[1:]) || !slices.Equal(moved, wantRows(t, a, (page-1)*50, page*50)) {
				t.Errorf("after B closed a risk of page 1, page %d shows %v; it showed %v", page, moved, rows)
			}
		})
	}
}

// A register page is cached per rights: an executive, a manager and another
// manager asking for the same page each see their own (quick actions on the
// rows they may change only), in their own chrome (their name and CSRF
// token), as often as they ask; the htmx partial is cached apart from the page.
func TestRegisterCachedPerRights(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	f := pickRisks(t, e)
	path := "/risks?q=" + url.QueryEscape(f.mine.Ref)
	exec, mgr, other := e.client(), e.client(), e.client()
	exec.login(models.RoleExecutive)
	mgr.login(models.RoleManager)
	var tomas models.User
	e.db.Where("email = ?", "tomas.novak@portfolio.example").First(&tomas)
	other.loginAs(tomas.Email, "demo-transfer-2026")
	theirs, _ := models.ManagedEngagements(context.Background(), e.db, tomas.ID)
	otherQuick := 0
	for _, eng := range theirs {
		if eng.ID == *f.mine.EngagementID {
			otherQuick = 1
		}
	}
	for range 2 {
		for _, tc := range []struct {
			who   string
			c     *client
			name  string
			quick int
		}{{"executive", exec, "Helen Marsh", 0}, {"manager", mgr, "Priya Raman", 1}, {"another manager", other, tomas.Name, otherQuick}} {
			r := tc.c.get(path)
			doc := r.Doc(t)
			row := doc.Find(fmt.Sprintf("#risk-%d", f.mine.ID))
			if row.Length() != 1 || row.Find(`[data-testid="quick-actions"]`).Length() != tc.quick {
				t.Errorf("%s: row %d with %d quick actions, want %d", tc.who, row.Length(), row.Find(`[data-testid="quick-actions"]`).Length(), tc.quick)
			}
			if !strings.Contains(doc.Find("header").Text(), tc.name) || doc.Find(`input[name="_csrf"]`).First().AttrOr("value", "") != tc.c.token() {
				t.Errorf("%s: the page is not in their own chrome", tc.who)
			}
			hx := tc.c.htmx(path)
			if strings.Contains(hx.Body, "<html") || !strings.Contains(hx.Body, `id="risk-register"`) || strings.Contains(hx.Body, `class="filters"`) {
				t.Errorf("%s: the htmx answer is not the register's region", tc.who)
			}
		}
	}
}

// Right after a write (nothing cached is of the new data version) a register
// page runs the same number of statements on the demo portfolio and on scale
// portfolios of 200 and 400 engagements; the query-count test of the hot pages
// sees the cached page on its second view.
func TestRegisterStatementsAfterAWriteAreConstant(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("seeds two scale portfolios")
	}
	pagesAfterWrite := []string{"/risks", "/risks?category=Financial&sort=review&page=3", "/risks?band=High&sort=title&dir=desc", "/engagements/1/risks?status=all"}
	var first map[string]int64
	for _, size := range []string{"demo", "scale 200", "scale 400"} {
		db := map[string]func() *gorm.DB{
			"demo":      func() *gorm.DB { return dbtest.Demo(t, "sqlite") },
			"scale 200": func() *gorm.DB { return scaleSeeded(t, 200) },
			"scale 400": func() *gorm.DB { return scaleSeeded(t, 400) },
		}[size]()
		e := newEnv(t, db)
		c := e.client()
		c.login(models.RoleExecutive)
		n := countStatements(t, db)
		counts := map[string]int64{}
		for _, p := range pagesAfterWrite {
			c.get(p) // prepares statements, loads what any page loads once
			if err := db.Exec("UPDATE data_version SET n = n + 1 WHERE shard = 0").Error; err != nil {
				t.Fatal(err)
			}
			before := n.Load()
			if r := c.get(p); r.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d", p, r.StatusCode)
			}
			counts[p] = n.Load() - before
		}
		if first == nil {
			first = counts
			t.Logf("statements after a write: %v", counts)
			continue
		}
		for _, p := range pagesAfterWrite {
			if counts[p] != first[p] || counts[p] < 4 {
				t.Errorf("GET %s after a write runs %d statements on the %s portfolio, %d on the demo", p, counts[p], size, first[p])
			}
		}
	}
}

// A boosted htmx request gets the whole page, filter selects and all; and
// since it is cached as the whole page, the next user with the same rights gets
// those selects too.
func TestRegisterBoostedPageKeepsItsFilters(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	a, b := e.client(), e.client()
	a.login(models.RoleExecutive)
	b.login(models.RoleExecutive)
	owners := func(who string, r resp) {
		t.Helper()
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", who, r.StatusCode)
		}
		if n := r.Doc(t).Find(`select[name="owner"] option`).Length(); n < 3 {
			t.Errorf("%s: the owner filter has %d options", who, n)
		}
	}
	owners("boosted", a.do(http.MethodGet, "/risks?status=open", nil, map[string]string{"HX-Request": "true", "HX-Boosted": "true"}))
	owners("the next executive", b.get("/risks?status=open"))
}
