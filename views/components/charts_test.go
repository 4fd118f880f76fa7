package components

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func band(score int) string {
	switch {
	case score >= 20:
		return "Critical"
	case score >= 10:
		return "High"
	case score >= 5:
		return "Medium"
	}
	return "Low"
}

// The heat map is a 5×5 table, likelihood 5 at the top; non-empty cells link to
// the register filtered to that cell and say what they count; empty cells do not link.
func TestHeatMapTableCountsAndLinks(t *testing.T) {
	h := HeatMap{ID: "heatmap", Title: "Residual", BandOf: band,
		CellLink: func(l, i int) string { return fmt.Sprintf("/risks?l=%d&i=%d", l, i) }}
	h.Counts[4][3] = 2 // likelihood 5, impact 4
	h.Counts[0][0] = 7 // likelihood 1, impact 1
	doc := render(t, HeatMapTable(h))
	table := one(t, doc, `table[data-testid="heatmap"]`)
	if got := squash(table.Find("caption").Text()); got != "Residual" {
		t.Errorf("caption %q", got)
	}
	rows := table.Find("tbody tr")
	if rows.Length() != 5 {
		t.Fatalf("%d rows, want 5", rows.Length())
	}
	if got := squash(rows.First().Find("th").Text()); got != "Likelihood 5" {
		t.Errorf("first row is %q, want likelihood 5 at the top", got)
	}
	if n := table.Find("td.cell").Length(); n != 25 {
		t.Errorf("%d cells, want 25", n)
	}
	if n := table.Find("td.cell a").Length(); n != 2 {
		t.Errorf("%d linked cells, want the 2 non-empty ones", n)
	}

	a := one(t, doc, `[data-testid="cell-5-4"]`)
	if got := a.AttrOr("href", ""); got != "/risks?l=5&i=4" {
		t.Errorf("cell 5×4 links to %q", got)
	}
	if got := squash(a.Text()); got != "2" {
		t.Errorf("cell 5×4 reads %q, want 2", got)
	}
	if got := a.AttrOr("aria-label", ""); got != "2 risks at likelihood 5, impact 4 (Critical, score 20)" {
		t.Errorf("cell 5×4 aria-label %q", got)
	}
	if !a.Parent().HasClass("band-critical") {
		t.Errorf("cell 5×4 class %q, want band-critical", a.Parent().AttrOr("class", ""))
	}
	if got := squash(one(t, doc, `[data-testid="cell-1-1"]`).Text()); got != "7" {
		t.Errorf("cell 1×1 reads %q, want 7", got)
	}

	// An empty cell: a zero with words for screen readers, no link, marked zero.
	empty := rows.Eq(0).Find("td.cell").Eq(0) // likelihood 5, impact 1
	if empty.Find("a").Length() != 0 || !empty.HasClass("zero") {
		t.Errorf("empty cell: %q", goquery.NodeName(empty))
	}
	if got := squash(empty.Text()); got != "0 risks" {
		t.Errorf("empty cell reads %q to a screen reader, want %q", got, "0 risks")
	}
	if empty.Find("[aria-label]").Length() != 0 {
		t.Error("an aria-label on a plain span is ignored by screen readers; the cell should carry text")
	}
}

func attr(t *testing.T, s *goquery.Selection, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s.AttrOr(name, ""), 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s.AttrOr(name, ""), err)
	}
	return v
}

// The bar chart is an image with a title and description, draws negative values
// below the zero line, and carries its numbers as a table for readers and print.
func TestBarChartSVGWithNegativeValuesAndItsTable(t *testing.T) {
	c := BarChart{ID: "savings-chart", Title: "Savings by quarter (EUR)", Desc: "Hatched bars are planned.",
		Categories: []string{"2026-Q1", "2026-Q2", "2026-Q3"},
		Series: []BarSeries{
			{Name: "Planned", Class: "planned", Values: []float64{100000, 120000, 120000}, Labels: []string{"€100,000", "€120,000", "€120,000"}},
			{Name: "Net realised", Class: "realised", Values: []float64{90000, -40000, 130000}, Labels: []string{"€90,000", "−€40,000", "€130,000"}},
		}}
	doc := render(t, BarChartSVG(c))
	fig := one(t, doc, `figure[data-testid="savings-chart"]`)
	svg := fig.Find("svg")
	if svg.AttrOr("role", "") != "img" || svg.AttrOr("aria-labelledby", "") != "savings-chart-title savings-chart-desc" {
		t.Errorf("svg role=%q aria-labelledby=%q", svg.AttrOr("role", ""), svg.AttrOr("aria-labelledby", ""))
	}
	if got := squash(svg.Find("#savings-chart-title").Text()); got != c.Title {
		t.Errorf("svg title %q", got)
	}

	zero := attr(t, svg.Find("line.zero"), "y1")
	bars := svg.Find("rect.bar")
	if bars.Length() != 6 {
		t.Fatalf("%d bars, want 6", bars.Length())
	}
	bars.Each(func(_ int, b *goquery.Selection) {
		title := squash(b.Find("title").Text())
		y, h := attr(t, b, "y"), attr(t, b, "height")
		if strings.Contains(title, "−") {
			if y < zero-0.05 || y+h <= zero {
				t.Errorf("negative bar %q spans %.1f–%.1f; it should hang below the zero line at %.1f", title, y, y+h, zero)
			}
		} else if y+h > zero+0.05 || y >= zero {
			t.Errorf("positive bar %q spans %.1f–%.1f; it should stand on the zero line at %.1f", title, y, y+h, zero)
		}
	})
	if got := squash(bars.Eq(3).Find("title").Text()); got != "2026-Q2, Net realised: −€40,000" {
		t.Errorf("the negative bar's tooltip reads %q", got)
	}
	negTick := false
	svg.Find("text.tick").Each(func(_ int, s *goquery.Selection) { negTick = negTick || strings.HasPrefix(s.Text(), "−") })
	if !negTick {
		t.Error("with a negative value the axis should have a negative tick")
	}
	if got := squash(svg.Find("text.cat").First().Text()); got != "Q1 2026" {
		t.Errorf("first category label reads %q, want quarter over year", got)
	}

	// The numbers, as a table with a header per series and a row per period.
	table := fig.Find("table.chart-table")
	var head []string
	table.Find("thead th").Each(func(_ int, s *goquery.Selection) { head = append(head, squash(s.Text())) })
	if strings.Join(head, "|") != "Period|Planned|Net realised" {
		t.Errorf("table header %v", head)
	}
	rows := table.Find("tbody tr")
	if rows.Length() != 3 {
		t.Fatalf("%d table rows, want 3", rows.Length())
	}
	var cells []string
	rows.Eq(1).Children().Each(func(_ int, s *goquery.Selection) { cells = append(cells, squash(s.Text())) })
	if got := strings.Join(cells, "|"); got != "2026-Q2|€120,000|−€40,000" {
		t.Errorf("second row reads %q", got)
	}
	var legend []string
	fig.Find("figcaption .legend-item").Each(func(_ int, s *goquery.Selection) { legend = append(legend, squash(s.Text())) })
	if strings.Join(legend, "|") != "Planned|Net realised" {
		t.Errorf("legend %v", legend)
	}
}

// A chart without data draws no bars and does not fail.
func TestBarChartSVGEmpty(t *testing.T) {
	doc := render(t, BarChartSVG(BarChart{ID: "c", Title: "Nothing yet"}))
	if n := doc.Find("rect.bar").Length(); n != 0 {
		t.Errorf("%d bars for no data", n)
	}
	if n := doc.Find("table.chart-table tbody tr").Length(); n != 0 {
		t.Errorf("%d table rows for no data", n)
	}
}

func TestCompactAxisLabels(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 950: "950", 250000: "250k", -250000: "−250k", 1.2e6: "1.2m", 3.4e9: "3.4bn"} {
		if got := Compact(v); got != want {
			t.Errorf("Compact(%v) = %q, want %q", v, got, want)
		}
	}
}
