package components

import (
	"strconv"
	"testing"
)

// The trend draws one mark per month (circles for met, squares for missed),
// the dashed target line at the target's height, and the same numbers in a
// table; with no results it says so instead of drawing an empty chart.
func TestTrendChartMarksAndNumbers(t *testing.T) {
	tr := Trend{ID: "trend-7", Title: "Availability: monthly results", Unit: "%", Target: 99.5, TargetText: "≥ 99.5 %",
		Points: []TrendPoint{{"Sep 26", 99.7, "99.7", true}, {"Oct 26", 99.2, "99.2", false}, {"Nov 26", 99.9, "99.9", true}}}
	doc := render(t, TrendChartSVG(tr))
	fig := one(t, doc, `figure[data-testid="trend-7"]`)
	if n := fig.Find("circle.pt.met").Length(); n != 2 {
		t.Errorf("%d met marks, want 2", n)
	}
	missed := fig.Find("rect.pt.missed")
	if missed.Length() != 1 || squash(missed.Find("title").Text()) != "Oct 26: 99.2 (missed)" {
		t.Errorf("missed mark %q", missed.Find("title").Text())
	}
	// Higher values sit higher: the target line is between the miss and the best month.
	y := func(sel, attr string) float64 {
		v, _ := fig.Find(sel).First().Attr(attr)
		f, _ := strconv.ParseFloat(v, 64)
		return f
	}
	target := y("line.target", "y1")
	if best, miss := y("circle.pt.met:last-of-type", "cy"), y("rect.pt.missed", "y")+4.5; !(best < target && target < miss) {
		t.Errorf("target at %.1f is not between the best month (%.1f) and the miss (%.1f)", target, best, miss)
	}
	cells := fig.Find("table tbody tr").First().Find("td")
	if cells.Length() != 3 || squash(cells.Eq(1).Text()) != "99.2" || !cells.Eq(1).HasClass("missed") {
		t.Errorf("numbers row %q", squash(fig.Find("table tbody tr").First().Text()))
	}
	if got := squash(fig.Find("desc").Text()); got != "3 months against a target of ≥ 99.5 %; 1 missed." {
		t.Errorf("description %q", got)
	}

	empty := render(t, TrendChartSVG(Trend{ID: "trend-8", Title: "Nothing yet"}))
	if one(t, empty, `figure[data-testid="trend-8"]`).Find(`svg`).Length() != 0 || empty.Find(`[data-testid="empty"]`).Length() != 1 {
		t.Error("an empty trend draws a chart instead of saying there are no results")
	}
}

// Tick labels carry enough decimals to differ, and a lone point sits in the middle.
func TestTrendTicksAndSinglePoint(t *testing.T) {
	tr := Trend{Target: 99.9, Points: []TrendPoint{{Label: "Oct", Value: 99.95}, {Label: "Nov", Value: 99.92}}}
	ticks := tr.Ticks()
	if ticks[0].Label == ticks[1].Label || ticks[1].Label == ticks[2].Label {
		t.Errorf("tick labels repeat: %q %q %q", ticks[0].Label, ticks[1].Label, ticks[2].Label)
	}
	single := Trend{Target: 4, Points: []TrendPoint{{Label: "Nov", Value: 3}}}
	if x := single.X(0); x != (single.Left()+single.Right())/2 {
		t.Errorf("a single point at x=%.1f, want the middle", x)
	}
}
