package pack

import (
	"fmt"
	"math/big"

	"portfolio/models"
)

// headlines builds the executive summary: each figure with last quarter's value.
func (b *packBuilder) headlines() error {
	p := b.p
	prevQ := b.q.Prev()
	var prevNet, prevPlan int64
	for _, t := range p.Savings.Trend {
		if t.Quarter == prevQ.String() {
			prevNet, prevPlan = t.Net, t.Planned
		}
	}
	var prevSLA struct{ Met, Measured int64 }
	if err := b.db.Table("sla_measurements").Select("COALESCE(SUM(CASE WHEN met THEN 1 ELSE 0 END), 0) AS met, COUNT(*) AS measured").
		Where("month BETWEEN ? AND ?", b.f.Start(prevQ), b.f.End(prevQ)).Scan(&prevSLA).Error; err != nil {
		return err
	}
	var prevActive int64
	if err := b.db.Model(&models.Engagement{}).Where("start_date <= ? AND (closed_on IS NULL OR closed_on >= ?)", b.f.End(prevQ), b.f.Start(prevQ)).Count(&prevActive).Error; err != nil {
		return err
	}
	cur := p.Currency
	money := func(v int64) string { return models.Money{Minor: v, Currency: cur}.Short() }
	att, attOK := models.Attainment(p.SLA.Met, p.SLA.Measured)
	patt, pattOK := models.Attainment(prevSLA.Met, prevSLA.Measured)
	ofPlan := func(net, plan int64) string {
		if plan <= 0 { // no meaningful share of a plan that is a cost (models.Savings.OfPlanText)
			return "—"
		}
		var v models.Exact
		v.Add(net-plan, nil)
		return models.PercentText(big.NewRat(net, 1), big.NewRat(plan, 1)) + " (" + models.SignedWhole(v, cur) + ")"
	}
	p.Summary = []Headline{
		{Label: "Engagements live in the quarter", Value: fmt.Sprint(len(p.Engagements)), Previous: fmt.Sprint(prevActive), Better: 0},
		compare("Hard savings in the quarter (net realised)", money(p.Savings.Quarter), money(prevNet), p.Savings.Quarter, prevNet, true),
		{Label: "Hard savings against plan in the quarter", Value: ofPlan(p.Savings.Quarter, p.Savings.QuarterPlan), Previous: ofPlan(prevNet, prevPlan)},
		{Label: "Hard savings year to date", Value: money(p.Savings.YTD), Previous: "plan " + money(p.Savings.YTDPlan)},
		{Label: "Cost avoidance in the quarter", Value: money(p.Savings.AvoidQuarter), Previous: "—"},
		compareF("SLA attainment", models.FormatPct(att, attOK), models.FormatPct(patt, pattOK), att, patt, attOK && pattOK, true),
		compare("Open risks at quarter end", fmt.Sprint(p.Risks.Open), "", int64(p.Risks.Open), -1, false),
		{Label: "Risks new / escalated / de-escalated / closed", Value: fmt.Sprintf("%d / %d / %d / %d", p.Risks.New, p.Risks.Escalated, p.Risks.DeEscalated, p.Risks.Closed)},
	}
	return nil
}

// compare builds a headline from two integers; higherIsBetter says which way is good.
func compare(label, value, prev string, v, pv int64, higherIsBetter bool) Headline {
	h := Headline{Label: label, Value: value, Previous: prev}
	if pv < 0 {
		return h
	}
	d := v - pv
	switch {
	case d > 0:
		h.Better = 1
	case d < 0:
		h.Better = -1
	}
	if !higherIsBetter {
		h.Better = -h.Better
	}
	return h
}

func compareF(label, value, prev string, v, pv float64, ok, higherIsBetter bool) Headline {
	h := Headline{Label: label, Value: value, Previous: prev}
	if !ok {
		return h
	}
	h.Change = fmt.Sprintf("%+.1f pts", v-pv)
	switch {
	case v > pv:
		h.Better = 1
	case v < pv:
		h.Better = -1
	}
	if !higherIsBetter {
		h.Better = -h.Better
	}
	return h
}
