package handlers_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

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
