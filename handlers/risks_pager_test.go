package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/register"
)

// rowIDs are the risk ids of the rows of a register page, in order.
func rowIDs(doc *goquery.Document) []uint {
	var out []uint
	doc.Find(`[data-testid="risk-row"]`).Each(func(_ int, s *goquery.Selection) {
		var id uint
		fmt.Sscanf(s.AttrOr("id", ""), "risk-%d", &id)
		out = append(out, id)
	})
	return out
}

// The pager's Next links seek from the last row shown (?after=), Previous from
// the first (?before=), Last counts from the end: following them without
// JavaScript visits every risk of a filtered, sorted register once, in order,
// and the page numbers and row ranges say where each page is.
func TestRiskRegisterPagerSeeks(t *testing.T) {
	t.Parallel()
	forEachDB(t, func(t *testing.T, e *env) {
		c := e.client()
		c.login(models.RoleManager)
		f := register.RiskFilter{Status: "all", Sort: "review", Dir: "desc"}
		all, total, err := register.ListRisks(context.Background(), e.db, models.DefaultRiskSettings(), models.DateOf(dbtest.Now()), f)
		if err != nil || total <= 50 {
			t.Fatalf("the demo register has %d risks (%v): too few for two pages", total, err)
		}
		want := make([]uint, len(all))
		for i, r := range all {
			want[i] = r.ID
		}
		last := int((total + 49) / 50)
		path := "/risks?status=all&sort=review&dir=desc"
		var got []uint
		var pages []string
		for n := 1; path != ""; n++ {
			r := c.get(path)
			if r.StatusCode != http.StatusOK {
				t.Fatalf("GET %s: %d", path, r.StatusCode)
			}
			doc := r.Doc(t)
			got = append(got, rowIDs(doc)...)
			pager := strings.Join(strings.Fields(doc.Find(`[data-testid="pager"]`).Text()), " ")
			if !strings.Contains(pager, fmt.Sprintf("Page %d of %d", n, last)) || !strings.Contains(pager, fmt.Sprintf("Rows %d–", (n-1)*50+1)) {
				t.Errorf("page %d reads %q", n, pager)
			}
			pages = append(pages, path)
			next, ok := doc.Find(`[data-testid="pager"] a[rel="next"]`).Attr("href")
			if ok && n+1 < last && !strings.Contains(next, "after=") {
				t.Errorf("Next from page %d is not a seek: %s", n, next)
			}
			if doc.Find(`th a[href*="after="]`).Length() != 0 {
				t.Errorf("a sort link on page %d keeps the cursor", n)
			}
			path = next
			if n > last {
				t.Fatalf("more than %d pages", last)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Next links visit\n%v\nthe register is\n%v", got, want)
		}
		// Last, then Previous, back to the first page.
		doc := c.get(pages[0]).Doc(t)
		lastURL, _ := doc.Find(`a[rel="last"]`).Attr("href")
		doc = c.get(lastURL).Doc(t)
		if ids := rowIDs(doc); !slices.Equal(ids, want[(last-1)*50:]) {
			t.Errorf("the last page shows %v", ids)
		}
		var back []uint
		for n := last; ; n-- {
			back = append(rowIDs(doc), back...)
			prev, ok := doc.Find(`[data-testid="pager"] a[rel="prev"]`).Attr("href")
			if !ok {
				break
			}
			if n > 2 && !strings.Contains(prev, "before=") {
				t.Errorf("Previous from page %d is not a seek: %s", n, prev)
			}
			doc = c.get(prev).Doc(t)
		}
		if !slices.Equal(back, want) {
			t.Errorf("Previous links visit\n%v", back)
		}
		// An htmx pager click gets the register partial; a quick action on a
		// seeked page returns to that very page.
		if len(pages) > 1 {
			hx := c.htmx(pages[1])
			if !strings.Contains(hx.Body, `id="risk-register"`) || strings.Contains(hx.Body, "<html") {
				t.Errorf("htmx page 2 is not the partial")
			}
			link, ok := hx.Doc(t).Find(`[data-testid="quick-actions"]`).Attr("hx-get")
			u, err := url.Parse(link)
			if !ok || err != nil || !strings.Contains(u.Query().Get("back"), "after=") {
				t.Errorf("a quick action on page 2 returns to %q", link)
			}
		}
	})
}
