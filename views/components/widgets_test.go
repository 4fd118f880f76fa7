package components

import (
	"net/url"
	"strings"
	"testing"

	"portfolio/models"
)

// Health is always written as a word, with a shape that is hidden from screen readers.
func TestHealthBadgeSaysTheColourInWords(t *testing.T) {
	for _, tc := range []struct{ health, label string }{
		{models.Red, "Red"}, {models.Amber, "Amber"}, {models.Green, "Green"}, {"", "Unknown"},
	} {
		doc := render(t, HealthBadge(tc.health))
		b := one(t, doc, `[data-testid="health"]`)
		if got := squash(b.Text()); got != tc.label {
			t.Errorf("health %q reads %q, want %q", tc.health, got, tc.label)
		}
		if !b.HasClass("rag-" + tc.health) {
			t.Errorf("health %q: class %q lacks rag-%s", tc.health, b.AttrOr("class", ""), tc.health)
		}
		if h := b.Find(".dot").AttrOr("aria-hidden", ""); h != "true" {
			t.Errorf("health %q: the dot should be aria-hidden, got %q", tc.health, h)
		}
	}
}

// A band badge gives the score and the band's name, and the same in its title.
func TestBandBadgeShowsScoreAndBand(t *testing.T) {
	doc := render(t, BandBadge(20, models.BandCritical))
	b := one(t, doc, ".badge.band")
	if got := squash(b.Text()); got != "20 Critical" {
		t.Errorf("badge reads %q, want %q", got, "20 Critical")
	}
	if !b.HasClass("band-critical") {
		t.Errorf("class %q lacks band-critical", b.AttrOr("class", ""))
	}
	if got := b.AttrOr("title", ""); got != "Critical risk, score 20" {
		t.Errorf("title %q", got)
	}
}

func listQuery() Query {
	return Query{Path: "/engagements", Values: url.Values{"model": {"BOT"}, "q": {"hub"}, "page": {"2"}}, Target: "#engagements-table"}
}

// The pager links keep the filters, and offer only the directions that exist.
func TestPagerAtFirstMiddleLastAndEmpty(t *testing.T) {
	q := listQuery()
	for _, tc := range []struct {
		name       string
		p          Pages
		rows, page string
		prev, next string // expected hrefs; "" means no link
	}{
		{"first", Pages{Page: 1, PerPage: 25, Total: 60}, "Rows 1–25 of 60", "Page 1 of 3", "", "/engagements?model=BOT&page=2&q=hub"},
		{"middle", Pages{Page: 2, PerPage: 25, Total: 60}, "Rows 26–50 of 60", "Page 2 of 3", "/engagements?model=BOT&q=hub", "/engagements?model=BOT&page=3&q=hub"},
		{"last", Pages{Page: 3, PerPage: 25, Total: 60}, "Rows 51–60 of 60", "Page 3 of 3", "/engagements?model=BOT&page=2&q=hub", ""},
		{"empty", Pages{Page: 1, PerPage: 25, Total: 0}, "No rows", "Page 1 of 1", "", ""},
		{"thousands", Pages{Page: 1, PerPage: 25, Total: 25000}, "Rows 1–25 of 25,000", "Page 1 of 1,000", "", "/engagements?model=BOT&page=2&q=hub"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := render(t, Pager(q, tc.p))
			nav := one(t, doc, `nav[data-testid="pager"]`)
			text := squash(nav.Text())
			if !strings.Contains(text, tc.rows) {
				t.Errorf("pager reads %q, want %q", text, tc.rows)
			}
			if tc.name != "thousands" && !strings.Contains(text, tc.page) {
				t.Errorf("pager reads %q, want %q", text, tc.page)
			}
			for rel, want := range map[string]string{"prev": tc.prev, "next": tc.next} {
				a := nav.Find(`a[rel="` + rel + `"]`)
				if want == "" {
					if a.Length() != 0 {
						t.Errorf("%s link %q should not exist", rel, a.AttrOr("href", ""))
					}
					continue
				}
				if a.Length() != 1 {
					t.Fatalf("no %s link", rel)
				}
				if href, hx := a.AttrOr("href", ""), a.AttrOr("hx-get", ""); href != want || hx != want {
					t.Errorf("%s link href=%q hx-get=%q, want %q", rel, href, hx, want)
				}
				if tgt := a.AttrOr("hx-target", ""); tgt != "#engagements-table" {
					t.Errorf("%s link targets %q", rel, tgt)
				}
			}
		})
	}
}

// An empty state says what happened and what to do next; without a hint it says only the first.
func TestEmptySaysWhatToDoNext(t *testing.T) {
	doc := render(t, Empty("No risks match these filters", "Clear a filter."))
	e := one(t, doc, `[data-testid="empty"]`)
	if got := squash(e.Find(".empty-title").Text()); got != "No risks match these filters" {
		t.Errorf("title %q", got)
	}
	if got := squash(e.Find(".muted").Text()); got != "Clear a filter." {
		t.Errorf("hint %q", got)
	}
	doc = render(t, Empty("No vendors yet", ""))
	if n := doc.Find(`[data-testid="empty"] p`).Length(); n != 1 {
		t.Errorf("an empty state without a hint has %d paragraphs, want 1", n)
	}
}

// A headline figure carries its label, value and period note under its test id.
func TestFigureHasLabelValueAndNote(t *testing.T) {
	doc := render(t, Figure("Open risks", "119", "3 critical · 19 high", "fig-risks"))
	f := one(t, doc, `[data-testid="fig-risks"]`)
	for css, want := range map[string]string{".figure-label": "Open risks", ".figure-value": "119", ".figure-note": "3 critical · 19 high"} {
		if got := squash(f.Find(css).Text()); got != want {
			t.Errorf("%s = %q, want %q", css, got, want)
		}
	}
	doc = render(t, Figure("Payback", "Not yet", "", "fig-payback"))
	if doc.Find(".figure-note").Length() != 0 {
		t.Error("a figure without a note should not render an empty note")
	}
}

// A sortable header links to its sort, and says how it is sorted for screen readers.
func TestSortHeaderTogglesAndAnnounces(t *testing.T) {
	q := Query{Path: "/risks", Values: url.Values{"sort": {"residual"}, "dir": {"asc"}, "band": {"High"}}, Target: "#risk-register"}
	doc := render(t, inRow(SortHeader(q, "residual", "Residual", true)))
	th := one(t, doc, "th")
	if got := th.AttrOr("aria-sort", ""); got != "ascending" {
		t.Errorf("aria-sort %q, want ascending", got)
	}
	if !th.HasClass("num") {
		t.Error("a numeric column header should be class num")
	}
	if href := th.Find("a").AttrOr("href", ""); href != "/risks?band=High&dir=desc&sort=residual" {
		t.Errorf("sorted column links to %q, want the descending sort with the band kept", href)
	}
	doc = render(t, inRow(SortHeader(q, "title", "Risk", false)))
	if got := doc.Find("th").AttrOr("aria-sort", ""); got != "none" {
		t.Errorf("unsorted column aria-sort %q, want none", got)
	}
}

// Money cells mark negative amounts with a class as well as the sign.
func TestMoneyMarksNegatives(t *testing.T) {
	doc := render(t, Money(models.Money{Minor: -1234500, Currency: "EUR"}))
	m := one(t, doc, ".money")
	if !m.HasClass("neg") {
		t.Error("a negative amount should be class neg")
	}
	if got := m.Text(); !strings.Contains(got, "12,345") || !strings.ContainsAny(got, "−-") {
		t.Errorf("negative amount reads %q", got)
	}
	doc = render(t, Money(models.Money{Minor: 500, Currency: "EUR"}))
	if doc.Find(".money").HasClass("neg") {
		t.Error("a positive amount should not be class neg")
	}
}
