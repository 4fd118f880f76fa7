package components

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	"portfolio/views/viewtest"
)

// render writes a component to a buffer and parses it as a browser would.
func render(t *testing.T, c templ.Component) *goquery.Document { return viewtest.Render(t, c) }

// inRow wraps a header cell in a table, where an HTML parser keeps it.
func inRow(c templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		io.WriteString(w, "<table><thead><tr>")
		if err := c.Render(ctx, w); err != nil {
			return err
		}
		_, err := io.WriteString(w, "</tr></thead></table>")
		return err
	})
}

// squash collapses the whitespace of a node's text, as a reader sees it.
func squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// one finds exactly one element or fails.
func one(t *testing.T, doc *goquery.Document, css string) *goquery.Selection {
	t.Helper()
	s := doc.Find(css)
	if s.Length() != 1 {
		t.Fatalf("%s: found %d elements, want 1", css, s.Length())
	}
	return s
}
