package components

import (
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// cellsOf joins a row's cells with "|".
func cellsOf(row *goquery.Selection) string {
	var out []string
	row.Find("th, td").Each(func(_ int, s *goquery.Selection) { out = append(out, squash(s.Text())) })
	return strings.Join(out, "|")
}

func attrF(t *testing.T, v string, ok bool) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(v, 64)
	if !ok || err != nil {
		t.Fatalf("attribute %q", v)
	}
	return f
}

// A stacked chart puts each segment on the one below it, draws the marker as a
// line, and lists every number (segments, total, marker) in its table.
func TestStackedBarChartStacksAndTabulates(t *testing.T) {
	c := StackedBarChart{ID: "mix", Title: "Cost mix", Categories: []string{"2026-Q1", "2026-Q2"}, TotalName: "Total",
		Series: []BarSeries{
			{Name: "Fees", Class: "mix-fees", Values: []float64{60, 80}, Labels: []string{"$60", "$80"}},
			{Name: "Retained", Class: "mix-retained", Values: []float64{20, 0}, Labels: []string{"$20", "$0"}},
		},
		Marker: &BarSeries{Name: "Baseline", Values: []float64{100, 90}, Labels: []string{"$100", "$90"}},
		Totals: []string{"$80", "$80"}}
	doc := render(t, StackedBarChartSVG(c))
	fig := one(t, doc, `figure[data-testid="mix"]`)
	bars := fig.Find("rect.bar")
	if bars.Length() != 3 { // a zero segment is not drawn
		t.Fatalf("%d segments, want 3", bars.Length())
	}
	fees, retained := bars.Eq(0), bars.Eq(1)
	feesTop := attrF(t, fees.AttrOr("y", ""), true)
	retBottom := attrF(t, retained.AttrOr("y", ""), true) + attrF(t, retained.AttrOr("height", ""), true)
	if d := feesTop - retBottom; d > 0.11 || d < -0.11 {
		t.Errorf("retained sits at %.1f, fees end at %.1f", retBottom, feesTop)
	}
	if fig.Find("line.marker").Length() != 2 {
		t.Error("no marker lines")
	}
	rows := fig.Find("table tbody tr")
	if rows.Length() != 2 {
		t.Fatalf("%d table rows", rows.Length())
	}
	if got := cellsOf(rows.First()); got != "2026-Q1|$60|$20|$80|$100" {
		t.Errorf("first row %q", got)
	}
	if got := cellsOf(fig.Find("thead tr")); got != "Period|Fees|Retained|Total|Baseline" {
		t.Errorf("head %q", got)
	}
}

// A horizontal chart draws a bar per row and series, negative values left of
// zero; its numbers are in its table, or in the table it names.
func TestHBarChartRowsAndTable(t *testing.T) {
	c := HBarChart{ID: "by-eng", Title: "By engagement", Head: "Engagement", Rows: []string{"ITO-01 A very long engagement name indeed", "BOT-02 Short"},
		Series: []BarSeries{
			{Name: "Planned", Class: "planned", Values: []float64{100, -50}, Labels: []string{"$100", "−$50"}},
			{Name: "Net realised", Class: "realised", Values: []float64{120, -40}, Labels: []string{"$120", "−$40"}},
		}}
	doc := render(t, HBarChartSVG(c))
	fig := one(t, doc, `figure[data-testid="by-eng"]`)
	bars := fig.Find("rect.bar")
	if bars.Length() != 4 {
		t.Fatalf("%d bars", bars.Length())
	}
	zero := attrF(t, fig.Find("line.zero").AttrOr("x1", ""), true)
	negX := attrF(t, bars.Eq(2).AttrOr("x", ""), true)
	negW := attrF(t, bars.Eq(2).AttrOr("width", ""), true)
	if negX >= zero || negX+negW > zero+0.11 {
		t.Errorf("negative bar at %.1f+%.1f, zero at %.1f", negX, negW, zero)
	}
	if got := squash(fig.Find("text.cat").First().Text()); len([]rune(got)) > 29 {
		t.Errorf("long label not shortened: %q", got)
	}
	if got := cellsOf(fig.Find("table tbody tr").Eq(1)); got != "BOT-02 Short|−$50|−$40" {
		t.Errorf("table row %q", got)
	}
	c.NumbersIn = "breakdown"
	doc = render(t, HBarChartSVG(c))
	if doc.Find("table").Length() != 0 || doc.Find(`a[href="#breakdown"]`).Length() != 1 {
		t.Error("a chart whose numbers are elsewhere should link to them, not repeat them")
	}
}
