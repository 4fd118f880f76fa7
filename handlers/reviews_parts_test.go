package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"portfolio/handlers"
	"portfolio/models"
)

// sectionIDs are the engagements whose sections a pack page shows, in order.
func sectionIDs(doc *goquery.Document) []string {
	var ids []string
	doc.Find(`[data-testid="pack-engagement"]`).Each(func(_ int, s *goquery.Selection) {
		ids = append(ids, s.AttrOr("aria-labelledby", ""))
	})
	return ids
}

// actionRows counts the rows of the portfolio's table of actions.
func actionRows(doc *goquery.Document) int {
	n := 0
	doc.Find(`section[aria-labelledby="ld-h"] table`).Each(func(_ int, s *goquery.Selection) {
		if strings.HasPrefix(strings.TrimSpace(s.Find("caption").Text()), "Actions") {
			n += s.Find("tbody tr").Length()
		}
	})
	return n
}

// A portfolio of more engagements than a part holds is read a part at a time:
// the first part has the portfolio's sections, each part its engagements in
// the pack's order, with a way to the next and to the whole pack; the
// portfolio-wide lists show their first rows and say how many there are; a
// part out of range shows the nearest; the whole pack has every section and
// every row.
func TestReviewPackParts(t *testing.T) {
	defer handlers.SetPackParts(4, 3)()
	e := demoEnv(t, "sqlite")
	c := e.client()
	c.login(models.RoleExecutive)
	whole := c.get("/reviews/" + reviewQuarter() + "?part=all")
	if whole.StatusCode != http.StatusOK {
		t.Fatalf("the whole pack: %d", whole.StatusCode)
	}
	wdoc := whole.Doc(t)
	all := sectionIDs(wdoc)
	actions := actionRows(wdoc)
	meetings := wdoc.Find(`[data-testid="pack-meetings"] tbody tr`).Length()
	readiness := wdoc.Find(`[data-testid="pack-trend-readiness"] tbody tr`).Length()
	if len(all) <= 8 || actions <= 3 || meetings <= 3 || readiness <= 3 {
		t.Fatalf("the demo has %d engagements, %d actions, %d meetings that decided and %d BOT readiness trends: too few to cut",
			len(all), actions, meetings, readiness)
	}
	if wdoc.Find(`[data-testid="pack-parts"]`).Length() != 0 || wdoc.Find(`[data-testid="pack-cut"]`).Length() != 0 ||
		wdoc.Find(`[data-testid="pack-whole"]`).Length() != 1 || wdoc.Find(`[data-testid="pack-summary"]`).Length() != 1 {
		t.Error("the whole pack should have no parts, nothing cut, and say it is whole")
	}
	parts := (len(all) + 3) / 4
	for _, tc := range []struct {
		query string
		part  int
	}{{"", 1}, {"?part=2", 2}, {fmt.Sprintf("?part=%d", parts), parts}, {"?part=999", parts}, {"?part=abc", 1}, {"?part=-3", 1}} {
		r := c.get("/reviews/" + reviewQuarter() + tc.query)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", tc.query, r.StatusCode)
		}
		doc := r.Doc(t)
		lo := (tc.part - 1) * 4
		if got, want := sectionIDs(doc), all[lo:min(lo+4, len(all))]; !slices.Equal(got, want) {
			t.Errorf("%s: sections %v, want part %d's %v", tc.query, got, tc.part, want)
		}
		cover := doc.Find(`[data-testid="pack-part"]`).Text()
		if !strings.Contains(cover, fmt.Sprintf("Part %d of %d", tc.part, parts)) {
			t.Errorf("%s: the cover says %q", tc.query, cover)
		}
		summary := doc.Find(`[data-testid="pack-summary"]`).Length() == 1
		if summary != (tc.part == 1) {
			t.Errorf("%s: the portfolio's summary shown: %v", tc.query, summary)
		}
		nav := doc.Find(`[data-testid="pack-parts"]`).First()
		next := nav.Find(`a[rel="next"]`).AttrOr("href", "")
		if (tc.part < parts) != (next == fmt.Sprintf("/reviews/"+reviewQuarter()+"?part=%d", tc.part+1)) {
			t.Errorf("%s: next part link %q", tc.query, next)
		}
		if nav.Find(`a[href="/reviews/`+reviewQuarter()+`?part=all"]`).Length() != 1 {
			t.Errorf("%s: no way to the whole pack", tc.query)
		}
		if tc.part == 1 {
			if n := actionRows(doc); n != 3 {
				t.Errorf("%s: %d actions shown, want the first 3", tc.query, n)
			}
			if note := doc.Find(`[data-testid="pack-cut"]`).Text(); !strings.Contains(note, fmt.Sprintf("The first 3 of %d actions", actions)) ||
				!strings.Contains(note, fmt.Sprintf("The first 3 of %d meeting decisions", meetings)) {
				t.Errorf("%s: the cut notes say %q", tc.query, note)
			}
			if n := doc.Find(`[data-testid="pack-meetings"] tbody tr`).Length(); n != 3 {
				t.Errorf("%s: %d meetings' decisions shown, want the first 3", tc.query, n)
			}
			// A large portfolio's readiness over eight quarters is a row a
			// BOT engagement: thousands, most of the first part's size.
			trend := doc.Find(`[data-testid="pack-trend-readiness"]`)
			if n := trend.Find("tbody tr").Length(); n != 3 || !strings.Contains(doc.Find(`[data-testid="pack-trends"]`).Text(), fmt.Sprintf("The first 3 of %d BOT engagements' readiness trends", readiness)) {
				t.Errorf("%s: %d readiness trends shown, want the first 3 and a note of %d", tc.query, n, readiness)
			}
		}
	}
}

// The portfolio's pack is cached between views: a second view runs a handful
// of statements, not the build's. A write it reads shows at once: commentary
// saved through the form, and a review action changed by any writer (the
// data version's triggers, migration 13).
func TestReviewPackIsCachedUntilAWrite(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		var mgr models.User
		e.db.Where("email = ?", "manager@portfolio.example").First(&mgr)
		var mine models.Engagement
		e.db.Where("manager_id = ?", mgr.ID).Order("id").First(&mine)
		c := e.client()
		c.login(models.RoleManager)
		n := countStatements(t, e.db)
		first := n.Load()
		if r := c.get("/reviews/" + reviewQuarter()); r.StatusCode != http.StatusOK {
			t.Fatalf("pack: %d", r.StatusCode)
		}
		built := n.Load() - first
		second := n.Load()
		c.get("/reviews/" + reviewQuarter())
		if cached := n.Load() - second; cached*3 > built {
			t.Errorf("the second view ran %d statements, the first %d: the pack was not cached", cached, built)
		}
		// Several quarters stay cached: after the previous quarter's pack, the
		// last one is still a lookup.
		c.get("/reviews/" + reviewQuarter(-1))
		third := n.Load()
		c.get("/reviews/" + reviewQuarter())
		if cached := n.Load() - third; cached*3 > built {
			t.Errorf("after another quarter's pack the last one ran %d statements again (built: %d): only one quarter is cached", cached, built)
		}

		path := fmt.Sprintf("/reviews/"+reviewQuarter()+"/engagements/%d/commentary", mine.ID)
		version := c.get(path).Doc(t).Find(`input[name="version"]`).AttrOr("value", "")
		r := c.post(path, url.Values{"_csrf": {c.csrf(path)}, "version": {version}, "rating": {"amber"}, "commentary": {"Cached packs follow writes."}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("save commentary: %d", r.StatusCode)
		}
		if !strings.Contains(c.get("/reviews/"+reviewQuarter()).Body, "Cached packs follow writes.") {
			t.Error("the portfolio pack does not show the commentary just saved")
		}
		if err := e.db.Exec(`UPDATE review_actions SET action = 'Renamed by another writer' WHERE id = (SELECT MIN(a.id) FROM review_actions a
			JOIN governance_reviews g ON g.id = a.governance_review_id WHERE g.quarter = ?)`, reviewQuarter()).Error; err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(c.get("/reviews/"+reviewQuarter()).Body, "Renamed by another writer") {
			t.Error("the portfolio pack does not show an action changed by another writer")
		}
	})
}

// The portfolio pack is cached alike for everyone, so every engagement
// links to its commentary for every user; the page it opens has the form for
// an admin and the engagement's managers, and the commentary read-only, with
// the reason, for an executive and another engagement's manager (who may not
// post it either). The whole pack, rendered for the request, links the same.
func TestReviewPackCommentaryLinks(t *testing.T) {
	t.Parallel()
	e := demoEnv(t, "sqlite")
	var mgr models.User
	e.db.Where("email = ?", "manager@portfolio.example").First(&mgr)
	var managed []uint
	e.db.Model(&models.Engagement{}).Where("manager_id = ? OR id IN (SELECT engagement_id FROM engagement_managers WHERE user_id = ?)", mgr.ID, mgr.ID).
		Pluck("id", &managed)
	for _, role := range []string{models.RoleAdmin, models.RoleManager, models.RoleExecutive} {
		c := e.client()
		c.login(role)
		for _, path := range []string{"/reviews/" + reviewQuarter(), "/reviews/" + reviewQuarter() + "?part=all"} {
			doc := c.get(path).Doc(t)
			var links []string
			n := 0
			doc.Find(`[data-testid="pack-engagement"]`).Each(func(_ int, sec *goquery.Selection) {
				n++
				var id uint
				fmt.Sscanf(sec.AttrOr("aria-labelledby", ""), "eng-%d-h", &id)
				want := fmt.Sprintf("/reviews/"+reviewQuarter()+"/engagements/%d/commentary", id)
				if got := sec.Find(`a[href$="/commentary"]`).AttrOr("href", ""); got != want {
					t.Errorf("%s, %s: engagement %d links %q, want %q", role, path, id, got, want)
				}
				links = append(links, want)
			})
			if n == 0 {
				t.Fatalf("%s, %s: no engagement sections", role, path)
			}
			if path != "/reviews/"+reviewQuarter() {
				continue
			}
			for _, link := range links {
				var id uint
				fmt.Sscanf(link, "/reviews/"+reviewQuarter()+"/engagements/%d/commentary", &id)
				may := role == models.RoleAdmin || (role == models.RoleManager && slices.Contains(managed, id))
				r := c.get(link)
				doc := r.Doc(t)
				form, view := doc.Find(`[data-testid="commentary-form"] form`).Length(), doc.Find(`[data-testid="read-only"]`).Text()
				switch {
				case r.StatusCode != http.StatusOK:
					t.Errorf("%s, %s: %d", role, link, r.StatusCode)
				case may && form != 1:
					t.Errorf("%s may change %s but has no form", role, link)
				case !may && (form != 0 || !strings.Contains(view, "Only an administrator or a manager of")):
					t.Errorf("%s may not change %s: form %d, note %q", role, link, form, view)
				}
				if !may {
					if p := c.post(link, url.Values{"_csrf": {c.csrf("/")}, "version": {"0"}, "commentary": {"x"}}); p.StatusCode != http.StatusForbidden {
						t.Errorf("%s posted %s: %d, want 403", role, link, p.StatusCode)
					}
				}
			}
		}
	}
}
