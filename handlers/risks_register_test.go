package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"portfolio/models"
	"portfolio/models/register"
)

// ?as_at= shows the register as it stood at the end of that day, read-only and
// labelled; ?since= adds the movement, and its counts filter the register.
func TestRiskRegisterAsAtAndMovement(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		c := e.client()
		c.login(models.RoleManager)
		ctx := context.Background()
		s := models.DefaultRiskSettings()
		// The last complete quarter's end, and the movement over that quarter.
		fy := models.DefaultFiscal
		q := fy.LastComplete(today())
		asAt, since := fy.End(q), fy.End(q.Prev())
		query := "as_at=" + asAt.String() + "&since=" + since.String()
		past, err := register.RegisterAsAt(ctx, e.db, s, asAt, register.RiskFilter{})
		if err != nil {
			t.Fatal(err)
		}
		r := c.get("/risks?" + query)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("as-at register: %d", r.StatusCode)
		}
		doc := r.Doc(t)
		if !strings.Contains(doc.Find(`[data-testid="as-at-banner"]`).Text(), asAt.Human()) {
			t.Error("the as-at view is not labelled with its date")
		}
		if got := doc.Find(`[data-testid="risk-count"]`).Text(); got != strconv.Itoa(len(past))+" matching risks" {
			t.Errorf("as-at count %q, reconstruction %d", got, len(past))
		}
		if doc.Find(`[data-testid="quick-actions"]`).Length() != 0 || doc.Find(`[data-testid="new-risk"]`).Length() == 0 {
			t.Error("the as-at view must be read-only (no quick actions)")
		}
		mv, err := register.Movement(ctx, e.db, since, asAt, register.RiskFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range register.MoveKinds {
			got := strings.TrimSpace(doc.Find(`[data-testid="move-count-` + k + `"]`).Text())
			if want := k + " " + strconv.Itoa(mv.Count(k)); got != want {
				t.Errorf("movement count %q, want %q", got, want)
			}
		}
		if mv.Count(register.MoveNew) == 0 || mv.Count(register.MoveEscalated)+mv.Count(register.MoveDeescalated) == 0 {
			t.Fatalf("the demo history shows no movement in %s: %+v", q, mv.Moves)
		}
		// Filtered to the escalated risks: every row carries the badge.
		esc := c.htmx("/risks?" + query + "&move=escalated&status=all")
		rows := esc.Doc(t).Find(`[data-testid="risk-row"]`)
		if rows.Length() != mv.Count(register.MoveEscalated) {
			t.Errorf("escalated filter: %d rows, movement says %d", rows.Length(), mv.Count(register.MoveEscalated))
		}
		rows.Each(func(_ int, s *goquery.Selection) {
			if !strings.Contains(s.Find(`[data-testid="move"]`).Text(), "escalated") {
				t.Errorf("row without the escalated badge: %s", s.Find("td").First().Text())
			}
		})
		// A risk raised after the as-at date is absent; one closed after it is there, live.
		var later models.Risk
		if e.db.Where("created_at >= ?", register.EndOfDay(asAt)).Order("id").Limit(1).Find(&later); later.ID != 0 {
			if doc.Find(fmt.Sprintf("#risk-%d", later.ID)).Length() != 0 {
				t.Errorf("%s, raised after 30 Sep, is in the as-at register", later.Ref)
			}
		}
		// Bad dates fall back to today's register.
		for _, q := range []string{"as_at=2099-01-01", "as_at=yesterday", "since=2099-01-01"} {
			d := c.get("/risks?" + q).Doc(t)
			if d.Find(`[data-testid="as-at-banner"]`).Length() != 0 || d.Find(`[data-testid="movement"]`).Length() != 0 {
				t.Errorf("%s: not the live register", q)
			}
		}
	})
}

// An engagement's register lists its risks only, sorted by any column, with
// the URL in its links; htmx gets the partial.
func TestEngagementRegister(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		f := pickRisks(t, e)
		c := e.client()
		c.login(models.RoleManager)
		path := fmt.Sprintf("/engagements/%d/risks", f.mineEng.ID)
		r := c.get(path + "?status=all&sort=title")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("engagement register: %d", r.StatusCode)
		}
		var n int64
		e.db.Model(&models.Risk{}).Where("engagement_id = ?", f.mineEng.ID).Count(&n)
		doc := r.Doc(t)
		if got := doc.Find(`[data-testid="risk-row"]`).Length(); int64(got) != n || n == 0 {
			t.Errorf("%d rows, the engagement has %d risks", got, n)
		}
		var titles []string
		doc.Find(`[data-testid="risk-row"]`).Each(func(_ int, s *goquery.Selection) { titles = append(titles, s.Find("td").Eq(1).Text()) })
		for i := 1; i < len(titles); i++ {
			if strings.ToLower(titles[i-1]) > strings.ToLower(titles[i]) && titles[i-1] > titles[i] {
				t.Errorf("not sorted by title: %q before %q", titles[i-1], titles[i])
			}
		}
		if a := doc.Find(`form.filters`).AttrOr("action", ""); a != path {
			t.Errorf("filter form posts to %q", a)
		}
		if href := doc.Find(`[data-testid="export-csv"]`).AttrOr("href", ""); !strings.Contains(href, fmt.Sprintf("engagement=%d", f.mineEng.ID)) {
			t.Errorf("export link %q loses the engagement", href)
		}
		p := c.htmx(path + "?band=Low")
		if p.StatusCode != http.StatusOK || strings.Contains(p.Body, "<html") || !strings.Contains(p.Body, `id="risk-register"`) {
			t.Errorf("htmx engagement register: %d", p.StatusCode)
		}
		// Sorting by every column works, both ways.
		for key := range register.RiskSorts {
			for _, dir := range []string{"asc", "desc"} {
				if r := c.get("/risks?sort=" + key + "&dir=" + dir); r.StatusCode != http.StatusOK {
					t.Errorf("sort %s %s: %d", key, dir, r.StatusCode)
				}
			}
		}
		// Portfolio-wide filter.
		pw := c.get("/risks?engagement=portfolio").Doc(t)
		pw.Find(`[data-testid="risk-row"]`).Each(func(_ int, s *goquery.Selection) {
			if !strings.Contains(s.Text(), "Portfolio-wide") {
				t.Errorf("portfolio filter shows %s", s.Find("td").First().Text())
			}
		})
		if pw.Find(`[data-testid="risk-row"]`).Length() == 0 {
			t.Error("no portfolio-wide risks listed")
		}
	})
}
