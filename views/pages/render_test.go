package pages

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	"portfolio/views/viewtest"
)

// render writes a page or partial to a buffer and parses it as a browser would.
func render(t *testing.T, c templ.Component) *goquery.Document { return viewtest.Render(t, c) }

// squash collapses the whitespace of a node's text, as a reader sees it.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// emptyIn returns the title of the empty state inside css, failing when there is none.
func emptyIn(t *testing.T, doc *goquery.Document, css string) string {
	t.Helper()
	region := doc.Find(css)
	if region.Length() != 1 {
		t.Fatalf("%s: found %d regions, want 1", css, region.Length())
	}
	e := region.Find(`[data-testid="empty"]`)
	if e.Length() != 1 {
		t.Fatalf("%s: no empty state (found %d)", css, e.Length())
	}
	return squash(e.Find(".empty-title").Text())
}
