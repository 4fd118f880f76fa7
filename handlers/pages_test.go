package handlers_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// Every read page renders from the demo database with its main region.
func TestReadPagesRender(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		c := e.client()
		c.login(models.RoleExecutive)
		var risk models.Risk
		e.db.Where("engagement_id IS NOT NULL").Order("id").First(&risk)
		var bot models.Engagement
		e.db.Where("model = ? AND phase = ?", models.ModelBOT, "Transfer").First(&bot)
		pages := map[string]string{
			"/":                                    "heatmap",
			"/engagements":                         "engagements-table",
			fmt.Sprintf("/engagements/%d", bot.ID): "readiness",
			"/vendors":                             "vendors-table",
			"/vendors/1":                           "scorecard",
			"/risks":                               "risk-register",
			fmt.Sprintf("/risks/%d", risk.ID):      "risk-history",
			"/lessons":                             "lessons-list",
		}
		for path, testid := range pages {
			r := c.get(path)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d\n%s", path, r.StatusCode, r.Body)
			}
			doc := r.Doc(t)
			if doc.Find(`[data-testid="`+testid+`"]`).Length() == 0 {
				t.Errorf("GET %s: no [data-testid=%s]", path, testid)
			}
			if got := doc.Find(`[data-testid="signed-in-as"]`).Text(); !strings.Contains(got, "executive") {
				t.Errorf("GET %s: header says %q", path, got)
			}
			if strings.Contains(r.Body, "@EngagementCell") || strings.Contains(r.Body, "@ReadinessMeter") {
				t.Errorf("GET %s: a component call rendered as text", path)
			}
		}
	})
}

// The dashboard's heat map counts the open risks, and each cell opens the register filtered to it.
func TestDashboardHeatMapLinksToFilteredRegister(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		c := e.client()
		c.login(models.RoleExecutive)
		doc := c.get("/").Doc(t)
		var open int64
		e.db.Model(&models.Risk{}).Where("status <> ?", models.StatusClosed).Count(&open)
		sum := 0
		doc.Find(`[data-testid="heatmap"] td.cell`).Each(func(_ int, s *goquery.Selection) {
			n, _ := strconv.Atoi(strings.TrimSpace(s.Text()))
			sum += n
		})
		if int64(sum) != open || open == 0 {
			t.Fatalf("heat map sums to %d, open risks %d", sum, open)
		}
		if got := strings.TrimSpace(doc.Find(`[data-testid="fig-risks"] .figure-value`).Text()); got != strconv.FormatInt(open, 10) {
			t.Errorf("open risks card %q, want %d", got, open)
		}
		cell := doc.Find(`[data-testid="heatmap"] td.cell a`).First()
		href, _ := cell.Attr("href")
		want, _ := strconv.Atoi(cell.Text())
		var l, i int
		fmt.Sscanf(href, "/risks?l=%d&i=%d", &l, &i)
		reg := c.get(href).Doc(t)
		rows := reg.Find(`[data-testid="risk-row"]`).Length()
		if rows != want || want == 0 {
			t.Fatalf("cell %s says %d risks, register shows %d rows", href, want, rows)
		}
		var n int64
		e.db.Model(&models.Risk{}).Where("status <> ? AND residual_likelihood = ? AND residual_impact = ?", models.StatusClosed, l, i).Count(&n)
		if int64(rows) != n {
			t.Errorf("register shows %d, database has %d at %d×%d", rows, n, l, i)
		}
	})
}

// Filters narrow the list; an htmx request gets only the table partial; the page varies on HX-Request.
func TestEngagementFiltersAndPartial(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		c := e.client()
		c.login(models.RoleExecutive)
		r := c.get("/engagements?model=BOT")
		doc := r.Doc(t)
		rows := doc.Find(`[data-testid="engagements-table"] tbody tr`)
		var bots int64
		e.db.Model(&models.Engagement{}).Where("model = ?", models.ModelBOT).Count(&bots)
		if int64(rows.Length()) != bots || bots == 0 {
			t.Fatalf("BOT filter shows %d rows, database has %d", rows.Length(), bots)
		}
		rows.Each(func(_ int, s *goquery.Selection) {
			if !strings.Contains(s.Text(), "BOT") {
				t.Errorf("non-BOT row: %s", s.Text())
			}
		})
		if sel := doc.Find(`select[name="model"] option[selected]`).AttrOr("value", ""); sel != "BOT" {
			t.Errorf("filter form lost its value: %q", sel)
		}
		p := c.htmx("/engagements?model=BOT")
		if strings.Contains(p.Body, "<html") || !strings.Contains(p.Body, `id="engagements-table"`) {
			t.Fatalf("htmx request got more than the partial:\n%.300s", p.Body)
		}
		if vary := strings.Join(p.Header.Values("Vary"), ","); !strings.Contains(vary, "HX-Request") {
			t.Errorf("Vary = %q", vary)
		}
		q := c.get("/engagements?q=" + "cloud")
		q.Doc(t).Find(`[data-testid="engagements-table"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
			if !strings.Contains(strings.ToLower(s.Text()), "cloud") {
				t.Errorf("search row without the word: %s", s.Text())
			}
		})
	})
}

// Bad query parameters fall back to safe defaults; unknown ids are a 404 page.
func TestBadParametersAndUnknownIDs(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	c := e.client()
	c.login(models.RoleExecutive)
	for _, path := range []string{"/engagements?page=-1", "/engagements?sort=drop&dir=sideways", "/risks?page=abc&sort=1;DROP%20TABLE%20risks",
		"/risks?l=9&i=0&band=Huge&status=nope", "/lessons?page=999999", "/engagements?vendor=xyz&q=%25_%5C"} {
		if r := c.get(path); r.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, r.StatusCode)
		}
	}
	for _, path := range []string{"/engagements/999999", "/engagements/abc", "/risks/0", "/vendors/-1", "/no/such/page"} {
		r := c.get(path)
		if r.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.StatusCode)
		}
		if r.Doc(t).Find(`[data-testid="error-page"]`).Length() == 0 {
			t.Errorf("GET %s: not the error page", path)
		}
	}
}

// Anonymous visitors are sent to sign in; htmx requests get HX-Redirect, not a form in a table.
func TestAnonymousRedirects(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	c := e.client()
	r := c.get("/risks?band=High")
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?next=%2Frisks%3Fband%3DHigh" {
		t.Fatalf("anonymous GET: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	h := c.htmx("/risks?band=High")
	if h.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(h.Header.Get("HX-Redirect"), "/login?next=") {
		t.Fatalf("anonymous htmx: %d %q", h.StatusCode, h.Header.Get("HX-Redirect"))
	}
	if hz := c.get("/healthz"); hz.StatusCode != http.StatusOK || !strings.Contains(hz.Body, `"database":"ok"`) {
		t.Fatalf("healthz: %d %s", hz.StatusCode, hz.Body)
	}
}

// The register's band filter and its count agree with the database.
func TestRiskRegisterFilters(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		c := e.client()
		c.login(models.RoleManager)
		doc := c.get("/risks?band=Critical&status=all").Doc(t)
		var n int64
		e.db.Model(&models.Risk{}).Where("residual_score >= 20").Count(&n)
		if got := doc.Find(`[data-testid="risk-count"]`).Text(); !strings.HasPrefix(got, strconv.FormatInt(n, 10)+" ") {
			t.Fatalf("count %q, database %d", got, n)
		}
		doc.Find(`[data-testid="risk-row"]`).Each(func(_ int, s *goquery.Selection) {
			if !strings.Contains(s.Find("td").Eq(5).Text(), "Critical") {
				t.Errorf("non-critical row: %s", s.Text())
			}
		})
		over := c.get("/risks?overdue=1").Doc(t)
		rows := over.Find(`[data-testid="risk-row"]`)
		if rows.Length() == 0 {
			t.Fatal("demo data has no overdue reviews")
		}
		if rows.Length() != rows.Find(`[data-testid="overdue"]`).Length() {
			t.Errorf("overdue filter shows rows that are not overdue")
		}
	})
}

// The lessons library searches every word and filters by phase.
func TestLessonsSearch(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	c := e.client()
	c.login(models.RoleExecutive)
	var l models.Lesson
	e.db.Order("id").First(&l)
	word := strings.Fields(l.Title)[0]
	doc := c.get("/lessons?q=" + word + "&phase=" + l.Phase).Doc(t)
	found := false
	doc.Find(`[data-testid="lesson"] h3`).Each(func(_ int, s *goquery.Selection) {
		found = found || s.Text() == l.Title
	})
	if !found {
		t.Fatalf("searching %q in %s did not find %q", word, l.Phase, l.Title)
	}
	if none := c.get("/lessons?q=zzzqqxnothing").Doc(t); none.Find(`[data-testid="empty"]`).Length() == 0 {
		t.Error("no empty state for a search without results")
	}
}

// An empty database shows empty states, not blank tables or errors.
func TestEmptyDatabaseShowsEmptyStates(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t, "sqlite")
	hash, _ := models.HashPassword("correct horse battery")
	db.Create(&models.User{Name: "Ada Admin", Email: "ada@example.com", Role: models.RoleAdmin, PasswordHash: hash})
	e := newEnv(t, db)
	c := e.client()
	c.loginAs("ada@example.com", "correct horse battery")
	for _, path := range []string{"/", "/engagements", "/vendors", "/risks", "/lessons"} {
		r := c.get(path)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.StatusCode)
		}
		if r.Doc(t).Find(`[data-testid="empty"]`).Length() == 0 {
			t.Errorf("GET %s: no empty state", path)
		}
	}
}
