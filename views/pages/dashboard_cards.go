package pages

import (
	"fmt"
	"net/url"

	"portfolio/models"
	"portfolio/views/components"
)

// The dashboard's headline cards: each says what it counts and for which
// period, and links to the list or page that explains it, with that period or
// filter applied (the list shows the rows the figure counts).

// SavingsHref is the savings page as at a quarter, at one of its sections.
func SavingsHref(q models.Quarter, section string) string {
	h := "/savings?quarter=" + url.QueryEscape(q.String())
	if section != "" {
		h += "#" + section
	}
	return h
}

// BreachesHref is the portfolio's missed service levels in a quarter.
func BreachesHref(q models.Quarter) string {
	return "/slas/breaches?quarter=" + url.QueryEscape(q.String())
}

// EngagementsHealthHref is the active engagements of a health colour.
func EngagementsHealthHref(health string) string {
	return "/engagements?status=active&health=" + url.QueryEscape(health)
}

// RisksBandHref is the live register cut to a residual band.
func RisksBandHref(band string) string { return "/risks?band=" + url.QueryEscape(band) }

// ExpiredAcceptancesHref is the register of the accepted risks whose acceptance has expired.
const ExpiredAcceptancesHref = "/risks?status=accepted&expired=1"

// savingsCard is a savings figure with its % of plan (one decimal, on the
// exact sums) and its money variance against plan beside it.
func savingsCard(label string, s models.Savings, cur, href, testid string) components.Card {
	c := components.Card{Label: label, Value: components.Short(s.Net, cur), Href: href, Provisional: s.Provisional, TestID: testid}
	switch {
	case !s.HasData():
		c.Note = "no cost records in the period"
	case s.Planned.Sign() == 0:
		c.Note = "net realised; no plan recorded"
	default:
		v := s.Variance()
		if s.Planned.Sign() > 0 {
			c.Note = fmt.Sprintf("net realised · %s of %s plan", s.OfPlanText(), components.Short(s.Planned, cur))
		} else { // a plan that is a cost has no meaningful share: the variance says how it went
			c.Note = fmt.Sprintf("net realised · plan %s", components.Short(s.Planned, cur))
		}
		c.Variance, c.Negative = models.SignedWhole(v, cur), v.Units() < 0
	}
	return c
}

// dashboardCards are the dashboard's headline figures, in order.
func dashboardCards(p DashboardProps) []components.Card {
	d, cur := p.D, p.Cur
	return []components.Card{
		{Label: "Active engagements", Value: components.Int(d.Active), Href: "/engagements?status=active", TestID: "fig-active",
			Note: fmt.Sprintf("ITO %d · BOT %d · ", modelCount(d, models.ModelITO), modelCount(d, models.ModelBOT)),
			NoteLinks: []components.NoteLink{
				{Text: fmt.Sprintf("%d red", d.HealthCounts[models.Red]), Href: EngagementsHealthHref(models.Red), TestID: "fig-active-red"},
				{Text: fmt.Sprintf("%d amber", d.HealthCounts[models.Amber]), Href: EngagementsHealthHref(models.Amber), TestID: "fig-active-amber"},
			}},
		{Label: "Contract value", Value: components.Short(d.Value, cur), Note: "active engagements, at latest rates",
			Href: "/engagements?status=active", TestID: "fig-value", Provisional: d.ValueProvisional},
		savingsCard("Hard savings "+d.Quarter.String()+" to date", d.QuarterSav.Hard, cur, SavingsHref(d.Quarter, "hard-h"), "fig-savings-quarter"),
		savingsCard("Hard savings year to date", d.YTDSav.Hard, cur, SavingsHref(d.Quarter, "hard-h"), "fig-savings-ytd"),
		savingsCard("Cost avoidance year to date", d.YTDSav.Avoidance, cur, SavingsHref(d.Quarter, "avoid-fig-h"), "fig-avoidance-ytd"),
		{Label: "SLA attainment " + d.LastQuarter.String(), Value: components.Attainment(d.SLAMet, d.SLAMeasured),
			Note: fmt.Sprintf("%s of %s measurements met", components.Int(d.SLAMet), components.Int(d.SLAMeasured)),
			Href: BreachesHref(d.LastQuarter), TestID: "fig-sla"},
		{Label: "Open risks", Value: components.Int(d.OpenRisks), Href: "/risks", TestID: "fig-risks",
			Note: fmt.Sprintf("%d critical · %d high", d.Bands[models.BandCritical], d.Bands[models.BandHigh])},
		{Label: "Acceptances expired", Value: components.Int(d.ExpiredAcceptances), Href: ExpiredAcceptancesHref, TestID: "fig-expired",
			Note: "accepted risks past their expiry date"},
	}
}

// DashboardCards are the dashboard's headline figures, as the monthly
// portfolio digest prints them too.
func DashboardCards(p DashboardProps) []components.Card { return dashboardCards(p) }
