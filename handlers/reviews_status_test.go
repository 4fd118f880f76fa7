package handlers_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"portfolio/handlers"
	"portfolio/models"
)

// The pack's engagement sections come red first, then amber, then green,
// each colour by code; each has its status line with a word for every
// colour; an engagement in another currency than the pack's shows its
// figures in the pack's with its own in brackets.
func TestReviewPackSectionsByHealth(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		c := e.client()
		c.login(models.RoleExecutive)
		r := c.get("/reviews/" + reviewQuarter() + "?part=all")
		if r.StatusCode != http.StatusOK {
			t.Fatalf("the pack: %d", r.StatusCode)
		}
		doc := r.Doc(t)
		rank := map[string]int{models.Red: 0, models.Amber: 1, models.Green: 2}
		type sec struct{ code, health string }
		var secs []sec
		colours := map[string]int{}
		foreign := 0
		inBrackets := regexp.MustCompile(`^−?\$[0-9,]+ \(−?(₹|€|£)[0-9,]+\)$`)
		doc.Find(`[data-testid="pack-engagement"]`).Each(func(_ int, s *goquery.Selection) {
			h := s.AttrOr("data-health", "")
			secs = append(secs, sec{s.AttrOr("data-code", ""), h})
			colours[h]++
			line := s.Find(`[data-testid="pack-rag-line"]`)
			if line.Length() != 1 {
				t.Errorf("%s has no status line", s.AttrOr("data-code", ""))
				return
			}
			if got := strings.TrimSpace(line.Find(`[data-testid="health"]`).Text()); got != models.HealthLabel(h) {
				t.Errorf("%s: the status line says %q, the section %q", s.AttrOr("data-code", ""), got, h)
			}
			for _, name := range []string{"Savings vs plan", "SLA", "Risk", "Milestones", "BOT readiness"} {
				if !strings.Contains(line.Text(), name) {
					t.Errorf("%s: the status line lacks %s", s.AttrOr("data-code", ""), name)
				}
			}
			line.Find(".rag").Each(func(_ int, b *goquery.Selection) {
				if w := strings.TrimSpace(b.Text()); w != "Red" && w != "Amber" && w != "Green" && w != "n/a" {
					t.Errorf("%s: a colour without its word: %q", s.AttrOr("data-code", ""), w)
				}
			})
			caption := s.Find("caption").First().Text()
			if strings.Contains(caption, "in brackets") {
				foreign++
				ytd := strings.TrimSpace(s.Find(`th:contains("Hard savings year to date")`).Next().Text())
				if !inBrackets.MatchString(ytd) {
					t.Errorf("%s: year to date %q, want dollars with the local amount in brackets", s.AttrOr("data-code", ""), ytd)
				}
			}
		})
		if len(secs) < 10 {
			t.Fatalf("%d sections", len(secs))
		}
		for i := 1; i < len(secs); i++ {
			a, b := secs[i-1], secs[i]
			if rank[a.health] > rank[b.health] || (a.health == b.health && a.code > b.code) {
				t.Errorf("section %d %s (%s) before %s (%s)", i, a.code, a.health, b.code, b.health)
			}
		}
		if colours[models.Red] == 0 || colours[models.Green]+colours[models.Amber] == 0 {
			t.Errorf("the demo's colours in the pack: %v, want reds and others", colours)
		}
		if foreign == 0 {
			t.Error("no engagement in another currency than the pack's")
		}
	})
}

// Page 2 of the pack, right after the cover, is the status on a page: every
// engagement live in the quarter, in one grid, and for each an arrow for the
// change of its health since the previous quarter's end, which is the health
// the previous quarter's own pack gives it.
func TestReviewPackStatusOnAPage(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		c := e.client()
		c.login(models.RoleExecutive)
		doc := c.get("/reviews/" + reviewQuarter() + "?part=all").Doc(t)
		sheets := doc.Find(`article.pack > section.sheet`)
		if sheets.Eq(0).AttrOr("data-testid", "") != "pack-cover" || sheets.Eq(1).AttrOr("data-testid", "") != "pack-status-grid" {
			t.Fatalf("the pack's first two sheets: %q, %q", sheets.Eq(0).AttrOr("data-testid", ""), sheets.Eq(1).AttrOr("data-testid", ""))
		}
		if !strings.Contains(sheets.Eq(1).Find("h2").Text(), "Status on a page") {
			t.Errorf("page 2 heading: %q", sheets.Eq(1).Find("h2").Text())
		}
		q, _ := models.ParseQuarter(reviewQuarter())
		var live []string
		e.db.Model(&models.Engagement{}).Where("start_date <= ? AND (closed_on IS NULL OR closed_on >= ?)",
			models.DefaultFiscal.End(q), models.DefaultFiscal.Start(q)).Order("code").Pluck("code", &live)
		rows := doc.Find(`[data-testid="status-row"]`)
		inGrid := map[string]*goquery.Selection{}
		rows.Each(func(_ int, s *goquery.Selection) { inGrid[s.AttrOr("data-code", "")] = s })
		if len(live) < 10 || rows.Length() != len(live) {
			t.Fatalf("%d rows in the grid, %d engagements live in the quarter", rows.Length(), len(live))
		}
		for _, code := range live {
			if inGrid[code] == nil || !strings.Contains(inGrid[code].Find("th").Text(), code) {
				t.Errorf("%s is not in the grid", code)
			}
		}
		// The previous quarter's pack says what each engagement's health was.
		before := map[string]string{}
		c.get("/reviews/" + reviewQuarter(-1) + "?part=all").Doc(t).Find(`[data-testid="pack-engagement"]`).Each(func(_ int, s *goquery.Selection) {
			before[s.AttrOr("data-code", "")] = s.AttrOr("data-health", "")
		})
		rank := map[string]int{"Red": 0, "Amber": 1, "Green": 2}
		changed := 0
		for code, row := range inGrid {
			now := strings.TrimSpace(row.Find(`[data-testid="health"]`).Text())
			change := strings.Join(strings.Fields(row.Find(`[data-testid="status-change"]`).Text()), " ")
			was, ok := before[code]
			switch {
			case !ok:
				if change != "new" {
					t.Errorf("%s was not live in %s; its change reads %q", code, reviewQuarter(-1), change)
				}
			case models.HealthLabel(was) == now:
				if !strings.HasPrefix(change, "→") || !strings.Contains(change, "the same") {
					t.Errorf("%s stayed %s; its change reads %q", code, now, change)
				}
			default:
				changed++
				arrow, word := "↑", "better"
				if rank[now] < rank[models.HealthLabel(was)] {
					arrow, word = "↓", "worse"
				}
				want := arrow + word + " than at the end of " + reviewQuarter(-1) + ": was " + models.HealthLabel(was)
				if change != want {
					t.Errorf("%s went from %s to %s; its change reads %q, want %q", code, was, now, change, want)
				}
			}
		}
		if changed == 0 {
			t.Error("no engagement's health changed since the previous quarter in the demo: the arrows are untested")
		}
	})
}

// A large portfolio's pack read a part at a time shows the first rows of the
// status on a page in its first part and says how many there are; the whole
// pack lists them all.
func TestReviewPackStatusInParts(t *testing.T) {
	defer handlers.SetPackParts(4, 3)()
	e := demoEnv(t, "sqlite")
	c := e.client()
	c.login(models.RoleExecutive)
	whole := c.get("/reviews/" + reviewQuarter() + "?part=all").Doc(t)
	all := whole.Find(`[data-testid="status-row"]`).Length()
	first := c.get("/reviews/" + reviewQuarter() + "?part=1").Doc(t)
	if n := first.Find(`[data-testid="status-row"]`).Length(); n != 3 || all <= 3 {
		t.Fatalf("the first part's status has %d rows, the whole pack's %d", n, all)
	}
	note := first.Find(`[data-testid="pack-status-grid"] [data-testid="pack-cut"]`).Text()
	if !strings.Contains(note, "The first 3 of") || !strings.Contains(note, "status on a page") {
		t.Errorf("the cut status says %q", note)
	}
	if first.Find(`[data-testid="pack-print"]`).AttrOr("data-print", "none") != "none" {
		t.Error("a part of the pack offers to print itself rather than the whole")
	}
	if whole.Find(`[data-testid="pack-print"]`).AttrOr("href", "") != "/reviews/"+reviewQuarter()+"?part=all" {
		t.Error("the print link does not lead to the whole pack")
	}
}

// The summary page states the pack's key facts by itself: shortfalls against
// plan, risks that became Critical, transfers planned for the next quarter.
func TestReviewPackKeyFacts(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	c := e.client()
	c.login(models.RoleExecutive)
	facts := c.get("/reviews/" + reviewQuarter()).Doc(t).Find(`[data-testid="pack-key-facts"] li`)
	text := facts.Text()
	if facts.Length() < 2 || !strings.Contains(text, "Critical in "+reviewQuarter()) || !strings.Contains(text, "next quarter") {
		t.Errorf("the pack's key facts: %d items: %q", facts.Length(), text)
	}
}
