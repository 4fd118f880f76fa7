package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// dashboardFigure is a headline figure of the dashboard as a client sees it.
func dashboardFigure(t *testing.T, c *client, testid string) string {
	t.Helper()
	r := c.get("/")
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET /: %d", r.StatusCode)
	}
	f := r.Doc(t).Find(`[data-testid="` + testid + `"]`)
	if f.Length() != 1 {
		t.Fatalf("the dashboard has no %s figure", testid)
	}
	return strings.Join(strings.Fields(f.Text()), " ")
}

// dashboardCount is a headline figure that is a plain count.
func dashboardCount(t *testing.T, c *client, testid string) int {
	t.Helper()
	r := c.get("/")
	v := strings.ReplaceAll(strings.TrimSpace(r.Doc(t).Find(`[data-testid="`+testid+`"] .figure-value`).Text()), ",", "")
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("%s figure %q is not a count", testid, v)
	}
	return n
}

// Two app instances share one database (each its own handle, as two processes
// would): an engagement, a risk and a cost written through instance B show on
// instance A's dashboard at its next request, although A had just served the
// dashboard from its cache.
func TestDashboardShowsAnotherInstancesWrites(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			a, b := newEnv(t, db), newEnv(t, dbtest.Reopen(t, db))
			exec := a.client()
			exec.login(models.RoleExecutive)
			admin := b.client()
			admin.login(models.RoleAdmin)

			active := dashboardCount(t, exec, "fig-active")
			if again := dashboardCount(t, exec, "fig-active"); again != active {
				t.Fatalf("two views with no write between show %d and %d active engagements", active, again)
			}
			var eng models.Engagement
			if err := db.Where("closed_on IS NULL").Order("id").First(&eng).Error; err != nil {
				t.Fatal(err)
			}
			lifecycle := fmt.Sprintf("/engagements/%d/lifecycle", eng.ID)
			form := scrapeForm(t, admin.get(lifecycle), `[data-testid="close-form"]`)
			form.Set("close_on", models.DateOf(dbtest.Now()).String())
			if r := admin.post(fmt.Sprintf("/engagements/%d/close", eng.ID), form); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("close engagement through B: %d\n%.500s", r.StatusCode, r.Body)
			}
			if got := dashboardCount(t, exec, "fig-active"); got != active-1 {
				t.Errorf("after B closed an engagement A shows %d active, want %d", got, active-1)
			}

			open := dashboardCount(t, exec, "fig-risks")
			var risk models.Risk
			if err := db.Where("status <> ?", models.StatusClosed).Order("id").First(&risk).Error; err != nil {
				t.Fatal(err)
			}
			close := url.Values{"_csrf": {admin.token()}, "version": {fmt.Sprint(risk.Version)}, "closed_on": {today().String()}, "closed_reason": {"Retired with the old platform"}}
			if r := admin.post(fmt.Sprintf("/risks/%d/close", risk.ID), close); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("close risk through B: %d\n%.500s", r.StatusCode, r.Body)
			}
			if got := dashboardCount(t, exec, "fig-risks"); got != open-1 {
				t.Errorf("after B closed a risk A shows %d open risks, want %d", got, open-1)
			}

			savings := dashboardFigure(t, exec, "fig-savings-quarter")
			var other models.Engagement
			if err := db.Where("closed_on IS NULL AND id <> ?", eng.ID).Order("id").First(&other).Error; err != nil {
				t.Fatal(err)
			}
			// This month: not recorded yet, and in the quarter the figure covers.
			cost := url.Values{"_csrf": {admin.token()}, "month": {ym(month(0))}, "baseline": {"90,000,000.00"}, "vendor_fees": {"1,000,000.00"},
				"retained": {"0"}, "one_off": {"0"}, "credits": {"0"}, "planned_savings": {"1,000,000"}, "savings_type": {models.SavingsHard}}
			if r := admin.post(fmt.Sprintf("/engagements/%d/costs", other.ID), cost); r.StatusCode != http.StatusSeeOther {
				t.Fatalf("save costs through B: %d\n%.500s", r.StatusCode, r.Body)
			}
			if got := dashboardFigure(t, exec, "fig-savings-quarter"); got == savings {
				t.Errorf("after B saved a month of costs A still shows %q", got)
			}
		})
	}
}

// The dashboard's body is cached for everyone, but each user gets their own
// chrome: their name, and the CSRF token of their own browser in the page.
func TestDashboardChromeIsEachUsersOwn(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		exec, mgr := e.client(), e.client()
		exec.login(models.RoleExecutive)
		mgr.login(models.RoleManager)
		var bodies []string
		for _, u := range []struct {
			c    *client
			role string
		}{{exec, models.RoleExecutive}, {mgr, models.RoleManager}, {exec, models.RoleExecutive}} {
			r := u.c.get("/")
			doc := r.Doc(t)
			who := demoUser(t, e, u.role)
			if got := doc.Find(`[data-testid="signed-in-as"] strong`).Text(); got != who.Name {
				t.Errorf("the %s sees %q signed in", u.role, got)
			}
			// The token is their session's: the one the page carries is the
			// one a post from their browser is accepted with.
			tok, _ := doc.Find(`form[action="/logout"] input[name="_csrf"]`).Attr("value")
			if own := u.c.csrf("/account"); tok == "" || tok != own {
				t.Errorf("the %s's page carries CSRF token %q, their session's is %q", u.role, tok, own)
			}
			if hx, _ := doc.Find("body").Attr("hx-headers"); !strings.Contains(hx, tok) {
				t.Errorf("the %s's htmx headers %q lack their token", u.role, hx)
			}
			main, _ := doc.Find("main").Html()
			bodies = append(bodies, main)
		}
		if bodies[0] != bodies[1] || bodies[1] != bodies[2] {
			t.Error("two users see different dashboards of the same portfolio")
		}
	})
}

// A dashboard view with no write since the last one runs one statement: the
// data version, which also vouches for the signed-in user's row cached from the
// last request (web/auth.go; a revocation is a write of users and moves it).
// After a write it loads again (the user, the settings, the dashboard's
// queries: the same number after every write), and the view after that is one
// statement again.
// TestHotPagesQueryCountIsConstant warms each page first, so it counts a view
// from the cache: the 1 here.
func TestDashboardStatementsFromTheCache(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		c := e.client()
		c.login(models.RoleExecutive)
		n := countStatements(t, e.db)
		view := func() int64 {
			t.Helper()
			before := n.Load()
			if r := c.get("/"); r.StatusCode != http.StatusOK {
				t.Fatalf("GET /: %d", r.StatusCode)
			}
			return n.Load() - before
		}
		write := func() {
			t.Helper()
			if err := e.db.Exec(`UPDATE fx_rates SET rate = rate WHERE id = (SELECT MIN(id) FROM fx_rates)`).Error; err != nil {
				t.Fatal(err)
			}
		}
		view()
		if got := view(); got != 1 {
			t.Errorf("a dashboard view from the cache ran %d statements, want 1", got)
		}
		write()
		loaded := view()
		if loaded <= 1 {
			t.Errorf("a dashboard view after a write ran %d statements: it did not load", loaded)
		}
		if got := view(); got != 1 {
			t.Errorf("the view after that ran %d statements, want 1", got)
		}
		write()
		if got := view(); got != loaded {
			t.Errorf("views after two writes ran %d and %d statements", loaded, got)
		}
	})
}

// The signed-in user's row, cached between requests under the data version
// (web/auth.go), follows writes made through another database handle (another
// instance, the `portfolio user` command): a new name shows at the next
// request, and a disabled account's session ends there.
func TestCachedUserFollowsAnotherHandlesWrites(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			e := newEnv(t, db)
			other := dbtest.Reopen(t, db)
			exec := e.client()
			exec.login(models.RoleExecutive)
			who := demoUser(t, e, models.RoleExecutive)
			name := func() string {
				t.Helper()
				r := exec.get("/")
				if r.StatusCode != http.StatusOK {
					t.Fatalf("GET /: %d", r.StatusCode)
				}
				return r.Doc(t).Find(`[data-testid="signed-in-as"] strong`).Text()
			}
			if got := name(); got != who.Name {
				t.Fatalf("signed in as %q, want %q", got, who.Name)
			}
			name() // served with the cached row
			if err := other.Exec("UPDATE users SET name = ? WHERE id = ?", "Renamed Elsewhere", who.ID).Error; err != nil {
				t.Fatal(err)
			}
			if got := name(); got != "Renamed Elsewhere" {
				t.Errorf("after a rename through another handle the page says %q", got)
			}
			if err := other.Exec("UPDATE users SET disabled = ? WHERE id = ?", true, who.ID).Error; err != nil {
				t.Fatal(err)
			}
			if r := exec.get("/"); r.StatusCode != http.StatusSeeOther {
				t.Errorf("a session of an account disabled through another handle: %d, want 303 to sign-in", r.StatusCode)
			}
		})
	}
}

// Views that miss at the same time, right after a write, share a load or make
// their own, and every one of them shows the write.
func TestDashboardConcurrentViewsAfterAWrite(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		clients := make([]*client, 8)
		for i := range clients {
			clients[i] = e.client()
			clients[i].login(models.RoleExecutive)
		}
		open := dashboardCount(t, clients[0], "fig-risks")
		for round := 1; round <= 3; round++ {
			if err := e.db.Exec(`UPDATE risks SET status = ? WHERE id = (SELECT MIN(id) FROM risks WHERE status <> ?)`,
				models.StatusClosed, models.StatusClosed).Error; err != nil {
				t.Fatal(err)
			}
			got := make([]string, len(clients))
			var wg sync.WaitGroup
			for i, c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/", nil)
					r, err := c.http.Do(req)
					if err != nil {
						got[i] = err.Error()
						return
					}
					defer r.Body.Close()
					doc, err := goquery.NewDocumentFromReader(r.Body)
					if err != nil {
						got[i] = err.Error()
						return
					}
					got[i] = strings.TrimSpace(doc.Find(`[data-testid="fig-risks"] .figure-value`).Text())
				}()
			}
			wg.Wait()
			want := strconv.Itoa(open - round)
			for i, g := range got {
				if g != want {
					t.Errorf("round %d, view %d: %q open risks, want %s", round, i, g, want)
				}
			}
		}
	})
}

// A list the dashboard cuts says so ("Showing 10 of 13 …") and links to the
// whole list; one it shows whole says nothing.
func TestDashboardCutListsSayTheyAreCut(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	c := e.client()
	c.login(models.RoleExecutive)
	doc := c.get("/").Doc(t)
	var attention int64
	e.db.Model(&models.Engagement{}).Where("closed_on IS NULL AND health IN ?", []string{models.Red, models.Amber}).Count(&attention)
	rows := doc.Find(`[data-testid="attention"] tbody tr`).Length()
	note := doc.Find(`[data-testid="attention-count"]`)
	switch {
	case int64(rows) < attention:
		want := fmt.Sprintf("Showing %d of %d", rows, attention)
		if !strings.Contains(note.Text(), want) || note.Find(`a[href="/engagements?status=active&sort=health"]`).Length() != 1 {
			t.Errorf("the cut attention list says %q, want %q and a link to them all", note.Text(), want)
		}
	case note.Length() != 0:
		t.Errorf("a whole list says it is cut: %q", note.Text())
	}
	if first := doc.Find(`[data-testid="attention"] tbody tr`).First().Text(); attention > 0 && !strings.Contains(first, "Red") && !strings.Contains(first, "Amber") {
		t.Errorf("the first engagement needing attention: %q", first)
	}
}
