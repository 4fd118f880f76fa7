package components

import (
	"fmt"
	"math"
)

// StackedBarChart stacks non-negative series per category (e.g. a quarter's
// cost mix), with an optional marker per category (e.g. the baseline cost)
// drawn as a line across the bar. Rendered as SVG on the server, with its numbers
// as a table.
type StackedBarChart struct {
	ID         string
	Title      string
	Desc       string
	Categories []string
	Series     []BarSeries // bottom to top; negative values are drawn as zero
	Marker     *BarSeries  // optional: one value per category, drawn as a line
	Totals     []string    // optional: the label of each stack's total, for the table
	TotalName  string      // the table's heading of Totals
}

func (c StackedBarChart) top() float64 {
	hi := 0.0
	for i := range c.Categories {
		sum := 0.0
		for _, s := range c.Series {
			if i < len(s.Values) {
				sum += math.Max(s.Values[i], 0)
			}
		}
		hi = math.Max(hi, sum)
		if c.Marker != nil && i < len(c.Marker.Values) {
			hi = math.Max(hi, c.Marker.Values[i])
		}
	}
	if hi == 0 {
		hi = 1
	}
	return niceCeil(hi)
}

func (c StackedBarChart) y(v float64) float64 { return padT + plotH*(c.top()-v)/c.top() }

func (c StackedBarChart) barWidth() float64 {
	if len(c.Categories) == 0 {
		return 0
	}
	return math.Min(maxBarW*1.6, plotW/float64(len(c.Categories))*0.6)
}

// Bars lays out every segment of every stack.
func (c StackedBarChart) Bars() []Bar {
	var out []Bar
	w := c.barWidth()
	for i, cat := range c.Categories {
		x := c.CategoryX(i) - w/2
		base := 0.0
		for _, s := range c.Series {
			if i >= len(s.Values) {
				continue
			}
			v := math.Max(s.Values[i], 0)
			y0, y1 := c.y(base), c.y(base+v)
			base += v
			if v == 0 {
				continue
			}
			out = append(out, Bar{X: x, Y: y1, W: w, H: math.Max(y0-y1, 0.5), Class: s.Class, Label: s.Labels[i],
				Title: fmt.Sprintf("%s, %s: %s", cat, s.Name, s.Labels[i])})
		}
	}
	return out
}

// Mark is one marker line.
type Mark struct {
	X1, X2, Y float64
	Title     string
}

// Marks lays out the marker of each category.
func (c StackedBarChart) Marks() []Mark {
	if c.Marker == nil {
		return nil
	}
	var out []Mark
	w := c.barWidth()
	for i, cat := range c.Categories {
		if i >= len(c.Marker.Values) {
			continue
		}
		x := c.CategoryX(i)
		out = append(out, Mark{X1: x - w/2 - 6, X2: x + w/2 + 6, Y: c.y(c.Marker.Values[i]),
			Title: fmt.Sprintf("%s, %s: %s", cat, c.Marker.Name, c.Marker.Labels[i])})
	}
	return out
}

// Ticks gives five gridlines from zero to the top.
func (c StackedBarChart) Ticks(format func(float64) string) []Tick {
	var out []Tick
	for i := 0; i <= 4; i++ {
		v := c.top() * float64(i) / 4
		out = append(out, Tick{c.y(v), format(v)})
	}
	return out
}

// CategoryX is the centre of category i.
func (c StackedBarChart) CategoryX(i int) float64 {
	return padL + plotW/float64(len(c.Categories))*(float64(i)+0.5)
}

// ZeroY is the baseline of the stacks.
func (c StackedBarChart) ZeroY() float64 { return c.y(0) }
