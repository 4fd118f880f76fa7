package components

import (
	"fmt"
	"math"
	"strings"
)

// BarSeries is one series of a bar chart: its values for geometry and their
// formatted labels for the text and the table.
type BarSeries struct {
	Name   string
	Class  string // css class giving fill and pattern
	Values []float64
	Labels []string
}

// BarChart is a grouped bar chart rendered as SVG on the server.
type BarChart struct {
	ID         string
	Title      string
	Desc       string
	Categories []string
	Series     []BarSeries
}

// Bar is one drawn bar.
type Bar struct {
	X, Y, W, H float64
	Class      string
	Label      string
	Title      string
}

// Tick is a value-axis gridline.
type Tick struct {
	Y     float64
	Label string
}

// chart geometry, in SVG user units.
const (
	chartW, chartH       = 640.0, 280.0
	padL, padR, padT     = 62.0, 8.0, 12.0
	padB                 = 58.0 // two lines of category label (quarter over year)
	plotW, plotH         = chartW - padL - padR, chartH - padT - padB
	maxBarW, groupGapPct = 28.0, 0.3
)

func (c BarChart) extent() (lo, hi float64) {
	for _, s := range c.Series {
		for _, v := range s.Values {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if hi == lo {
		hi = lo + 1
	}
	return niceFloor(lo), niceCeil(hi)
}

func (c BarChart) y(v float64) float64 {
	lo, hi := c.extent()
	return padT + plotH*(hi-v)/(hi-lo)
}

// Bars lays out every bar.
func (c BarChart) Bars() []Bar {
	n := len(c.Categories)
	if n == 0 || len(c.Series) == 0 {
		return nil
	}
	groupW := plotW / float64(n)
	barW := math.Min(maxBarW, groupW*(1-groupGapPct)/float64(len(c.Series)))
	zero := c.y(0)
	var out []Bar
	for i, cat := range c.Categories {
		x0 := padL + groupW*float64(i) + (groupW-barW*float64(len(c.Series)))/2
		for j, s := range c.Series {
			if i >= len(s.Values) {
				continue
			}
			y := c.y(s.Values[i])
			top, h := math.Min(y, zero), math.Abs(zero-y)
			out = append(out, Bar{X: x0 + barW*float64(j), Y: top, W: barW - 2, H: math.Max(h, 0.5), Class: s.Class,
				Label: s.Labels[i], Title: fmt.Sprintf("%s, %s: %s", cat, s.Name, s.Labels[i])})
		}
	}
	return out
}

// Ticks gives four gridlines with labels formatted by format.
func (c BarChart) Ticks(format func(float64) string) []Tick {
	lo, hi := c.extent()
	var out []Tick
	for i := 0; i <= 4; i++ {
		v := lo + (hi-lo)*float64(i)/4
		out = append(out, Tick{c.y(v), format(v)})
	}
	return out
}

// CategoryX is the centre of category i.
func (c BarChart) CategoryX(i int) float64 {
	return padL + plotW/float64(len(c.Categories))*(float64(i)+0.5)
}

// ZeroY is the zero line.
func (c BarChart) ZeroY() float64 { return c.y(0) }

func niceCeil(v float64) float64 {
	if v <= 0 {
		return -niceFloor(-v)
	}
	m := math.Pow(10, math.Floor(math.Log10(v)))
	for _, s := range []float64{1, 2, 2.5, 5, 10} {
		if v <= s*m {
			return s * m
		}
	}
	return 10 * m
}

func niceFloor(v float64) float64 {
	if v >= 0 {
		return 0
	}
	return -niceCeil(-v)
}

// Compact formats a chart axis value (in whole currency units) as 1.2m / 350k.
func Compact(v float64) string {
	a := math.Abs(v)
	sign := ""
	if v < 0 {
		sign = "−"
	}
	switch {
	case a >= 1e9:
		return fmt.Sprintf("%s%.1fbn", sign, a/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%s%.1fm", sign, a/1e6)
	case a >= 1e3:
		return fmt.Sprintf("%s%.0fk", sign, a/1e3)
	}
	return fmt.Sprintf("%s%.0f", sign, a)
}

// F formats an SVG coordinate.
func F(v float64) string { return fmt.Sprintf("%.1f", v) }

// ViewBox is the chart's SVG viewBox.
func ViewBox() string { return fmt.Sprintf("0 0 %.0f %.0f", chartW, chartH) }

// PlotRight is the right edge of the plot area.
func PlotRight() float64 { return chartW - padR }

// PlotLeft is the left edge of the plot area.
func PlotLeft() float64 { return padL }

// AxisLabelY is where category labels sit.
func AxisLabelY() float64 { return chartH - padB + 20 }

// CategoryLines splits a label such as "2025-Q1" into "Q1" over "2025", so that
// eight quarters stay legible when the chart is scaled down to a phone's width.
func CategoryLines(cat string) (first, second string) {
	if i := strings.LastIndex(cat, "-"); i > 0 && i < len(cat)-1 {
		return cat[i+1:], cat[:i]
	}
	return cat, ""
}
