package pages

import (
	"fmt"

	"portfolio/models"
	"portfolio/views/components"
)

// CostView is an engagement's (single-currency) money figures, derived from its monthly sums.
type CostView struct {
	Cur        string
	Type       string // the savings type charted: hard unless the engagement only records avoidance
	Quarters   []models.Quarter
	ByQuarter  map[models.Quarter]models.Split
	YTD        models.Split
	LastQ      models.Quarter
	LastQSplit models.Split
	Cumulative models.Split
	Payback    models.Date
	HasPayback bool
	OneOffs    bool
}

// NewCostView computes the figures of one engagement's cost records.
func NewCostView(rows []models.CostSums, cur string, f models.Fiscal, today models.Date) CostView {
	rates := models.NewRates(cur, nil)
	v := CostView{Cur: cur, LastQ: f.LastComplete(today)}
	v.Quarters, v.ByQuarter = models.ByQuarter(rows, rates, f)
	ytdFrom := f.YearStart(f.QuarterOf(today).Year)
	var ytd []models.CostSums
	for _, c := range rows {
		if !c.Month.Before(ytdFrom) {
			ytd = append(ytd, c)
		}
		if c.OneOff > 0 {
			v.OneOffs = true
		}
	}
	v.YTD = models.Sum(ytd, rates)
	v.LastQSplit = v.ByQuarter[v.LastQ]
	v.Cumulative = models.Sum(rows, rates)
	v.Payback, v.HasPayback = models.Payback(rows)
	v.Type = models.SavingsHard
	if !v.Cumulative.Hard.HasData() && v.Cumulative.Avoidance.HasData() {
		v.Type = models.SavingsAvoidance
	}
	return v
}

// TypeLabel names the charted savings type.
func (v CostView) TypeLabel() string {
	if v.Type == models.SavingsAvoidance {
		return "cost avoidance"
	}
	return "hard savings"
}

// Of picks the charted type from a split.
func (v CostView) Of(s models.Split) models.Savings { return *s.Of(v.Type) }

// Chart shows planned against net realised savings for the last eight quarters.
func (v CostView) Chart(id string) components.BarChart {
	qs := v.Quarters
	if len(qs) > 8 {
		qs = qs[len(qs)-8:]
	}
	c := components.BarChart{ID: id, Title: fmt.Sprintf("Planned and net realised %s by quarter (%s)", v.TypeLabel(), v.Cur),
		Desc: "Hatched bars are planned savings, solid bars net realised savings, per fiscal quarter."}
	planned := components.BarSeries{Name: "Planned", Class: "planned"}
	net := components.BarSeries{Name: "Net realised", Class: "realised"}
	for _, q := range qs {
		s := v.Of(v.ByQuarter[q])
		c.Categories = append(c.Categories, q.String())
		planned.Values = append(planned.Values, s.Planned.Float())
		planned.Labels = append(planned.Labels, components.Whole(s.Planned, v.Cur))
		net.Values = append(net.Values, s.Net.Float())
		net.Labels = append(net.Labels, components.Whole(s.Net, v.Cur))
	}
	c.Series = []components.BarSeries{planned, net}
	return c
}

// RunRate is the last complete quarter's gross savings × 4.
func (v CostView) RunRate() string {
	return components.Whole(models.RunRate(v.Of(v.LastQSplit)), v.Cur)
}
