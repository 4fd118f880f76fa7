package components

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// TrendPoint is one period of a trend: its label, value and whether it met the target.
type TrendPoint struct {
	Label string  // "Oct 26"
	Value float64 // for geometry
	Text  string  // the value as people read it
	Met   bool
}

// Trend is a small line chart of one measure against its target, rendered on the
// server, with its numbers as a table.
type Trend struct {
	ID         string
	Title      string
	Unit       string
	Target     float64
	TargetText string
	Points     []TrendPoint
	// Vertical lists the numbers a period a row (for a narrow column)
	// rather than a period a column.
	Vertical bool
}

// trend geometry, in SVG user units.
const (
	trW, trH                  = 480.0, 170.0
	trL, trR, trTop, trBottom = 66.0, 30.0, 12.0, 30.0
)

// TrendViewBox is the trend chart's viewBox.
func TrendViewBox() string { return fmt.Sprintf("0 0 %.0f %.0f", trW, trH) }

func (t Trend) extent() (lo, hi float64) {
	lo, hi = t.Target, t.Target
	for _, p := range t.Points {
		lo, hi = math.Min(lo, p.Value), math.Max(hi, p.Value)
	}
	pad := (hi - lo) * 0.15
	if pad == 0 {
		pad = math.Max(math.Abs(hi)*0.05, 1)
	}
	return lo - pad, hi + pad
}

// Y places a value on the vertical axis.
func (t Trend) Y(v float64) float64 {
	lo, hi := t.extent()
	return trTop + (trH-trTop-trBottom)*(hi-v)/(hi-lo)
}

// X places point i on the horizontal axis.
func (t Trend) X(i int) float64 {
	n := len(t.Points)
	if n <= 1 {
		return (trL + trW - trR) / 2
	}
	return trL + (trW-trL-trR)*float64(i)/float64(n-1)
}

// Path is the polyline through the points.
func (t Trend) Path() string {
	var b strings.Builder
	for i, p := range t.Points {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.1f,%.1f", t.X(i), t.Y(p.Value))
	}
	return b.String()
}

// Ticks are three labelled gridlines: bottom, middle and top of the range.
func (t Trend) Ticks() []Tick {
	lo, hi := t.extent()
	var out []Tick
	// Enough decimals that the three labels differ: a range of 0.15 needs two.
	step := (hi - lo) / 2
	dec := 0
	for dec < 3 && step < math.Pow10(-dec) {
		dec++
	}
	for i := 0; i <= 2; i++ {
		v := lo + step*float64(i)
		out = append(out, Tick{Y: t.Y(v), Label: trimNumber(v, dec)})
	}
	return out
}

// ShowLabel thins the labels so that they never overlap (at most seven):
// every step-th, and the last, without the one before it that would crowd it.
func (t Trend) ShowLabel(i int) bool {
	n := len(t.Points)
	step := (n + 6) / 7
	if step <= 1 || i == n-1 {
		return true
	}
	return i%step == 0 && n-1-i >= step
}

// Left, Right and Bottom are the plot's edges; LabelY is where month labels sit.
func (t Trend) Left() float64   { return trL }
func (t Trend) Right() float64  { return trW - trR }
func (t Trend) LabelY() float64 { return trH - trBottom + 18 }

// Missed counts the points that missed the target.
func (t Trend) Missed() int {
	n := 0
	for _, p := range t.Points {
		if !p.Met {
			n++
		}
	}
	return n
}

// trimNumber writes v with up to dec decimals, without trailing zeros; negatives take "−".
func trimNumber(v float64, dec int) string {
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if strings.HasPrefix(s, "-") {
		s = "−" + s[1:]
	}
	return s
}
