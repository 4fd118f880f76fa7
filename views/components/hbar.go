package components

import (
	"fmt"
	"math"
	"unicode/utf8"
)

// HBarChart is a horizontal grouped bar chart: one row per item (an
// engagement, a vendor, a tower) with a bar per series, so long names stay
// readable. Rendered as SVG on the server, with its numbers as a table.
type HBarChart struct {
	ID     string
	Title  string
	Desc   string
	Rows   []string // row labels
	Series []BarSeries
	Head   string // the table's first column heading
	// NumbersIn is the id of a table elsewhere on the page that holds these
	// numbers; the chart then links to it rather than repeat it.
	NumbersIn string
}

// horizontal chart geometry, in SVG user units.
const (
	hbW, hbLabelW, hbPadR = 640.0, 230.0, 24.0
	hbPadT, hbPadB, hbRow = 8.0, 26.0, 30.0
	hbPlotW               = hbW - hbLabelW - hbPadR
)

// Height is the chart's height for its rows.
func (c HBarChart) Height() float64 { return hbPadT + hbRow*float64(len(c.Rows)) + hbPadB }

// HViewBox is the SVG viewBox.
func (c HBarChart) HViewBox() string { return fmt.Sprintf("0 0 %.0f %.0f", hbW, c.Height()) }

// step is the distance between gridlines: a round number giving about four intervals.
func (c HBarChart) step() float64 {
	lo, hi := 0.0, 0.0
	for _, s := range c.Series {
		for _, v := range s.Values {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if hi == lo {
		hi = lo + 1
	}
	return niceCeil((hi - lo) / 4)
}

// extent is the value axis: whole steps around every value and zero.
func (c HBarChart) extent() (lo, hi float64) {
	for _, s := range c.Series {
		for _, v := range s.Values {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	st := c.step()
	lo, hi = math.Floor(lo/st)*st, math.Ceil(hi/st)*st
	if hi == lo {
		hi = lo + st
	}
	return lo, hi
}

func (c HBarChart) x(v float64) float64 {
	lo, hi := c.extent()
	return hbLabelW + hbPlotW*(v-lo)/(hi-lo)
}

// Bars lays out every bar.
func (c HBarChart) Bars() []Bar {
	if len(c.Series) == 0 {
		return nil
	}
	barH := (hbRow - 8) / float64(len(c.Series))
	zero := c.x(0)
	var out []Bar
	for i, row := range c.Rows {
		y0 := hbPadT + hbRow*float64(i) + 4
		for j, s := range c.Series {
			if i >= len(s.Values) {
				continue
			}
			x := c.x(s.Values[i])
			out = append(out, Bar{X: math.Min(x, zero), Y: y0 + barH*float64(j), W: math.Max(math.Abs(x-zero), 0.5), H: barH - 1,
				Class: s.Class, Label: s.Labels[i], Title: fmt.Sprintf("%s, %s: %s", row, s.Name, s.Labels[i])})
		}
	}
	return out
}

// RowLabel is a row's label, shortened to fit the label column.
func (c HBarChart) RowLabel(i int) string {
	s := c.Rows[i]
	if utf8.RuneCountInString(s) <= 29 {
		return s
	}
	return string([]rune(s)[:28]) + "…"
}

// RowY is the baseline of row i's label.
func (c HBarChart) RowY(i int) float64 { return hbPadT + hbRow*float64(i) + hbRow/2 + 4 }

// LabelX is where the row labels end.
func (c HBarChart) LabelX() float64 { return hbLabelW - 8 }

// ZeroX is the zero line.
func (c HBarChart) ZeroX() float64 { return c.x(0) }

// PlotBottom is the bottom of the rows.
func (c HBarChart) PlotBottom() float64 { return hbPadT + hbRow*float64(len(c.Rows)) }

// HTick is a value-axis gridline of a horizontal chart.
type HTick struct {
	X     float64
	Label string
}

// Ticks gives a gridline at every step of the value axis.
func (c HBarChart) Ticks(format func(float64) string) []HTick {
	lo, hi := c.extent()
	st := c.step()
	var out []HTick
	for i := 0; ; i++ {
		v := lo + st*float64(i)
		if v > hi+st/2 {
			break
		}
		out = append(out, HTick{c.x(v), format(v)})
	}
	return out
}
