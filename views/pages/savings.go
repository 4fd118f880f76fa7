package pages

import (
	"fmt"

	"portfolio/models"
	"portfolio/views/components"
	"portfolio/views/layouts"
)

// SavingsFilter is the savings page's slice of the portfolio and its period.
type SavingsFilter struct {
	VendorID, EngagementID uint
	Tower                  string
	AsAt                   models.Quarter
	By                     string // breakdown: engagement, vendor or tower
	Page                   int
}

// SavingsRow is one engagement, vendor or tower of the breakdown with its figures.
type SavingsRow struct {
	Key        models.BreakdownKey
	Link       string
	F          models.SavingsFigures
	Payback    models.Date // engagements only
	HasPayback bool
	OneOffs    bool // the engagement has one-off costs to pay back
}

// SavingsProps feed the savings page.
type SavingsProps struct {
	Chrome      layouts.Chrome
	Cur         string // the reporting currency
	Today       models.Date
	Filter      SavingsFilter
	Query       components.Query
	F           models.SavingsFigures
	Rows        []SavingsRow
	Pages       components.Pages
	Rates       *models.Rates
	Quarters    []models.Quarter // the periods offered, newest first
	Vendors     []models.Vendor
	Engagements []models.Engagement // nil when there are too many for a select
	IsAdmin     bool
}

// whole formats an exact sum in the reporting currency, in whole units.
func (p SavingsProps) whole(e models.Exact) string { return components.Whole(e, p.Cur) }

// QuarterLabel names the period of the quarter figures ("2026-Q4 to date").
func (p SavingsProps) QuarterLabel() string {
	if p.F.InProgress {
		return p.F.AsAt.String() + " to date"
	}
	return p.F.AsAt.String()
}

// YTDLabel names the year-to-date period.
func (p SavingsProps) YTDLabel() string {
	return fmt.Sprintf("FY%d to the end of %s", p.F.AsAt.Year, p.F.AsAt)
}

func planNote(s models.Savings, cur string) string {
	if !s.HasData() {
		return "no records in the period"
	}
	if s.Planned.Sign() <= 0 { // no share of a zero or negative plan (OfPlanText)
		return "plan " + components.Whole(s.Planned, cur)
	}
	return fmt.Sprintf("%s of plan %s", s.OfPlanText(), components.Whole(s.Planned, cur))
}

// planCard is a savings figure with its % of plan and, where there is a plan,
// its money variance against it.
func (p SavingsProps) planCard(label string, s models.Savings, testid string) components.Card {
	c := components.Card{Label: label, Value: p.whole(s.Net), Note: planNote(s, p.Cur), Provisional: s.Provisional, TestID: testid}
	if s.HasData() && s.Planned.Sign() != 0 {
		v := s.Variance()
		c.Variance, c.Negative = models.SignedWhole(v, p.Cur), v.Units() < 0
	}
	return c
}

func pctOfBaseline(s models.Savings) string { return s.PctText() }

func pctOfPlan(s models.Savings) string { return s.OfPlanText() }

// TrendChart shows planned against net realised savings of a type for the last eight quarters.
func (p SavingsProps) TrendChart(id, savingsType string) components.BarChart {
	label := "hard savings"
	if savingsType == models.SavingsAvoidance {
		label = "cost avoidance"
	}
	c := components.BarChart{ID: id, Title: fmt.Sprintf("Planned and net realised %s by quarter (%s)", label, p.Cur),
		Desc: "Hatched bars are planned savings, solid bars net realised savings, per fiscal quarter, converted at each month's rate."}
	planned := components.BarSeries{Name: "Planned", Class: "planned"}
	net := components.BarSeries{Name: "Net realised", Class: "realised"}
	for _, q := range p.F.LastQuarters(8) {
		split := p.F.ByQuarter[q]
		s := *split.Of(savingsType)
		c.Categories = append(c.Categories, q.String())
		planned.Values = append(planned.Values, s.Planned.Float())
		planned.Labels = append(planned.Labels, p.whole(s.Planned))
		net.Values = append(net.Values, s.Net.Float())
		net.Labels = append(net.Labels, p.whole(s.Net))
	}
	c.Series = []components.BarSeries{planned, net}
	return c
}

// MixChart stacks each quarter's costs: vendor fees net of service credits,
// retained organisation and one-off transition cost, with the baseline as a line.
// Hard savings and cost avoidance records both count: a cost is a cost.
func (p SavingsProps) MixChart(id string) components.StackedBarChart {
	c := components.StackedBarChart{ID: id, Title: fmt.Sprintf("Cost mix by quarter against the baseline (%s)", p.Cur),
		Desc:      "Stacked bars: vendor fees after service credits, retained organisation, one-off transition cost; the line is the baseline cost.",
		TotalName: "Total cost"}
	fees := components.BarSeries{Name: "Vendor fees after credits", Class: "mix-fees"}
	retained := components.BarSeries{Name: "Retained organisation", Class: "mix-retained"}
	oneOff := components.BarSeries{Name: "One-off transition", Class: "mix-oneoff"}
	baseline := components.BarSeries{Name: "Baseline"}
	for _, q := range p.F.LastQuarters(8) {
		split := p.F.ByQuarter[q]
		var f, r, o, b, total models.Exact
		for _, s := range []models.Savings{split.Hard, split.Avoidance} {
			f.AddExact(s.VendorFees)
			f.Sub(s.Credits)
			r.AddExact(s.Retained)
			o.AddExact(s.OneOff)
			b.AddExact(s.Baseline)
		}
		total.AddExact(f)
		total.AddExact(r)
		total.AddExact(o)
		c.Categories = append(c.Categories, q.String())
		for _, x := range []struct {
			s *components.BarSeries
			v models.Exact
		}{{&fees, f}, {&retained, r}, {&oneOff, o}, {&baseline, b}} {
			x.s.Values = append(x.s.Values, x.v.Float())
			x.s.Labels = append(x.s.Labels, p.whole(x.v))
		}
		c.Totals = append(c.Totals, p.whole(total))
	}
	c.Series = []components.BarSeries{fees, retained, oneOff}
	c.Marker = &baseline
	return c
}

// ByName names the breakdown.
func (p SavingsProps) ByName() string {
	switch p.Filter.By {
	case "vendor":
		return "Vendor"
	case "tower":
		return "Tower"
	}
	return "Engagement"
}

// BreakdownChart shows year-to-date planned against net realised hard savings per row.
func (p SavingsProps) BreakdownChart(id string) components.HBarChart {
	c := components.HBarChart{ID: id, Head: p.ByName(), NumbersIn: "breakdown-table",
		Title: fmt.Sprintf("Net realised against planned hard savings, %s, by %s (%s)", p.YTDLabel(), lower(p.ByName()), p.Cur),
		Desc:  "Hatched bars are planned savings, solid bars net realised savings, year to date."}
	planned := components.BarSeries{Name: "Planned", Class: "planned"}
	net := components.BarSeries{Name: "Net realised", Class: "realised"}
	for _, r := range p.Rows {
		label := r.Key.Label
		if r.Key.Code != "" {
			label = r.Key.Code + " " + r.Key.Label
		}
		c.Rows = append(c.Rows, label)
		planned.Values = append(planned.Values, r.F.YTD.Hard.Planned.Float())
		planned.Labels = append(planned.Labels, p.whole(r.F.YTD.Hard.Planned))
		net.Values = append(net.Values, r.F.YTD.Hard.Net.Float())
		net.Labels = append(net.Labels, p.whole(r.F.YTD.Hard.Net))
	}
	c.Series = []components.BarSeries{planned, net}
	return c
}

// ByURL is the page broken down another way (back on page one).
func (p SavingsProps) ByURL(by string) string { return p.Query.WithAll("by", by, "page", "") }

// ExportURL is the export of the cost records in the page's slice.
func (p SavingsProps) ExportURL(format string) string {
	q := p.Query
	q.Path = "/costs/export"
	return q.WithAll("format", format, "by", "", "quarter", "", "page", "")
}
