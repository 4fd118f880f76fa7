package pack

// The review pack's savings: the portfolio's from its monthly totals
// (maintained on write), each engagement's from its own months.

import (
	"context"
	"database/sql"
	"slices"

	"gorm.io/gorm"

	"portfolio/models"
)

// EngagementCostSums are cost sums of one engagement, currency, month and savings type.
type EngagementCostSums struct {
	EngagementID uint
	models.CostSums
}

// EachCostSum calls fn with the cost sums of each engagement, currency,
// month and savings type over a period, of engagement only or of every
// engagement when only is 0, ordered by engagement and month, as they are
// read. The rows are scanned by hand: a portfolio's five quarters are 150,000
// of them at 10,000 engagements, and GORM's reflection per field was most of
// their cost. An error from fn stops it.
func EachCostSum(ctx context.Context, db *gorm.DB, from, to models.Date, only uint, fn func(EngagementCostSums) error) error {
	where, args := "c.month BETWEEN ? AND ?", []any{from, to}
	if only != 0 {
		where, args = where+" AND c.engagement_id = ?", append(args, only)
	}
	return models.ScanEach(db.WithContext(ctx), `SELECT c.engagement_id, c.currency, `+models.DateText(db, "c.month")+`, c.savings_type,
		SUM(c.baseline), SUM(c.vendor_fees), SUM(c.retained), SUM(c.one_off), SUM(c.credits), SUM(c.planned_savings)
		FROM cost_records c WHERE `+where+`
		GROUP BY c.engagement_id, c.currency, c.month, c.savings_type ORDER BY c.engagement_id, c.month`, args,
		func(rows *sql.Rows) error {
			var r EngagementCostSums
			if err := rows.Scan(&r.EngagementID, &r.Currency, &r.Month, &r.SavingsType, &r.Baseline, &r.VendorFees, &r.Retained,
				&r.OneOff, &r.Credits, &r.Planned); err != nil {
				return err
			}
			return fn(r)
		})
}

// savings sums the quarter, the year to date and a five-quarter trend.
func (b *packBuilder) savings() error {
	first := b.q
	for range 4 {
		first = first.Prev()
	}
	ytdFrom := b.f.YearStart(b.q.Year)
	from := b.f.Start(first)
	if ytdFrom.Before(from) {
		from = ytdFrom
	}
	// The trends go back further, from the portfolio's monthly totals only.
	portfolioFrom := from
	if b.p.Trends != nil {
		if t := b.f.Start(b.trendQuarters()[0]); t.Before(portfolioFrom) {
			portfolioFrom = t
		}
	}
	// The portfolio's figures from its monthly totals maintained on write (a
	// few hundred rows), not by adding up every engagement's months again:
	// exact sums over every month of every engagement grow with the portfolio
	// and would be most of the pack's own work.
	var all []models.CostSums
	var err error
	if b.only == 0 {
		if all, err = models.PortfolioCostSums(b.ctx, b.db, portfolioFrom, b.p.End); err != nil {
			return err
		}
	}
	// Each engagement's own, one engagement's rows at a time (they come in
	// its order): all of them at once would hold the whole portfolio's months
	// in memory while the pack is built.
	// Each engagement's figures are in its own currency and, when it is
	// another, in the pack's (Reported); the year to date at the previous
	// quarter's end is kept for its status then.
	prevQ := b.q.Prev()
	prevYTDFrom, prevEnd := b.f.YearStart(prevQ.Year), b.f.End(prevQ)
	// The same quarter a year before, for the year-on-year comparison: every
	// engagement's, live now or not (one that ended is often the reason).
	yearAgo := first
	yoy := map[uint]yoyRow{}
	var cur uint
	var inQ1, ytd1, prevYTD1, yearAgo1 []models.CostSums
	filled := map[uint]bool{}
	fill := func(id uint) {
		if id != 0 && len(inQ1)+len(yearAgo1) > 0 {
			now, then := models.Sum(inQ1, b.rates).Hard, models.Sum(yearAgo1, b.rates).Hard
			yoy[id] = yoyRow{now.Net.Minor() - then.Net.Minor(), now.Planned.Minor() - then.Planned.Minor()}
		}
		if ep := b.byID[id]; ep != nil {
			own := models.NewRates(ep.Currency, nil)
			ep.Savings.fill(models.Sum(inQ1, own), models.Sum(ytd1, own))
			if ep.Currency != b.p.Currency {
				rep := PackSavings{}
				rep.fill(models.Sum(inQ1, b.rates), models.Sum(ytd1, b.rates))
				ep.Reported = &rep
			}
			b.ytd[id] = [2]int64{ep.Savings.YTD, ep.Savings.YTDPlan}
			py := models.Sum(prevYTD1, own).Hard
			b.prevYTD[id] = [2]int64{py.Net.Minor(), py.Planned.Minor()}
			filled[id] = true
		}
		inQ1, ytd1, prevYTD1, yearAgo1 = inQ1[:0], ytd1[:0], prevYTD1[:0], yearAgo1[:0]
	}
	err = EachCostSum(b.ctx, b.db, from, b.p.End, b.only, func(r EngagementCostSums) error {
		if r.EngagementID != cur {
			fill(cur)
			cur = r.EngagementID
		}
		if b.only != 0 {
			all = append(all, r.CostSums)
		}
		switch b.f.QuarterOf(r.Month) {
		case b.q:
			inQ1 = append(inQ1, r.CostSums)
		case yearAgo:
			yearAgo1 = append(yearAgo1, r.CostSums)
		}
		if !r.Month.Before(ytdFrom) {
			ytd1 = append(ytd1, r.CostSums)
		}
		if !r.Month.Before(prevYTDFrom) && !r.Month.After(prevEnd) {
			prevYTD1 = append(prevYTD1, r.CostSums)
		}
		return b.pace()
	})
	if err != nil {
		return err
	}
	fill(cur)
	for id := range b.byID { // no cost record in the period
		if !filled[id] {
			fill(id)
		}
	}
	var inQ, ytd []models.CostSums
	for _, r := range all {
		if b.f.QuarterOf(r.Month) == b.q {
			inQ = append(inQ, r)
		}
		if !r.Month.Before(ytdFrom) {
			ytd = append(ytd, r)
		}
	}
	qs, byQ := models.ByQuarter(all, b.rates, b.f)
	if b.p.Trends != nil {
		b.savingsTrend(byQ)
	}
	if _, ok := byQ[yearAgo]; ok && b.only == 0 {
		if err := b.yearOnYear(yearAgo, byQ, yoy); err != nil {
			return err
		}
	}
	for _, q := range qs {
		if q.Before(first) {
			continue
		}
		h := byQ[q].Hard
		b.p.Savings.Trend = append(b.p.Savings.Trend, PackQuarterSavings{Quarter: q.String(), Net: h.Net.Minor(), Planned: h.Planned.Minor()})
	}
	b.p.Savings.fill(models.Sum(inQ, b.rates), models.Sum(ytd, b.rates))
	return nil
}

// fill sets a pack's savings from the quarter's and year-to-date sums, rounding once.
func (s *PackSavings) fill(q, ytd models.Split) {
	s.Quarter, s.QuarterPlan = q.Hard.Net.Minor(), q.Hard.Planned.Minor()
	s.YTD, s.YTDPlan, s.Baseline = ytd.Hard.Net.Minor(), ytd.Hard.Planned.Minor(), ytd.Hard.Baseline.Minor()
	s.AvoidQuarter, s.AvoidYTD = q.Avoidance.Net.Minor(), ytd.Avoidance.Net.Minor()
	s.RunRate = models.RunRate(q.Hard).Minor()
}

// yoyRow is an engagement's change of hard savings, net realised and
// planned, from the same quarter a year before, in the pack's currency.
type yoyRow struct{ net, plan int64 }

// PackYearOnYear compares the quarter's hard savings with the same quarter a
// year before, in the pack's currency: the change of net realised savings
// and of their plan (a drop the plan foresaw is not a shortfall), and the
// engagements that moved them most. The movers and Others sum to the change.
type PackYearOnYear struct {
	Quarter, Prior   string
	Net, PriorNet    int64
	Plan, PriorPlan  int64
	Movers           []PackMover
	Others           int64 // the change of every other engagement together
	OthersPlan       int64
	OtherEngagements int
}

// PackMover is an engagement's change of hard savings against the same
// quarter a year before.
type PackMover struct {
	Engagement         string
	Change, PlanChange int64
	Note               string // "ended 30 Jun 2026", "started 1 Feb 2026"
}

// yearOnYear compares the quarter's hard savings with those of quarter
// prior, naming the three engagements whose change was largest.
func (b *packBuilder) yearOnYear(prior models.Quarter, byQ map[models.Quarter]models.Split, per map[uint]yoyRow) error {
	now, then := byQ[b.q].Hard, byQ[prior].Hard
	y := &PackYearOnYear{Quarter: b.p.Quarter, Prior: prior.String(), Net: now.Net.Minor(), PriorNet: then.Net.Minor(),
		Plan: now.Planned.Minor(), PriorPlan: then.Planned.Minor()}
	ids := make([]uint, 0, len(per))
	for id, r := range per {
		if r.net != 0 {
			ids = append(ids, id)
		}
	}
	abs := func(v int64) int64 { return max(v, -v) }
	slices.SortFunc(ids, func(a, c uint) int {
		if d := abs(per[c].net) - abs(per[a].net); d != 0 {
			return int(min(max(d, -1), 1))
		}
		return int(a) - int(c)
	})
	top := ids[:min(3, len(ids))]
	var engs []models.Engagement
	if len(top) > 0 {
		if err := b.db.Where("id IN ?", top).Find(&engs).Error; err != nil {
			return err
		}
	}
	byID := map[uint]models.Engagement{}
	for _, e := range engs {
		byID[e.ID] = e
	}
	y.Others, y.OthersPlan, y.OtherEngagements = y.Net-y.PriorNet, y.Plan-y.PriorPlan, len(ids)-len(top)
	priorEnd := b.f.End(prior)
	for _, id := range top {
		e := byID[id]
		m := PackMover{Engagement: e.Code + " " + e.Name, Change: per[id].net, PlanChange: per[id].plan}
		switch {
		case !e.ClosedOn.IsZero() && e.ClosedOn.After(priorEnd) && !e.ClosedOn.After(b.p.End):
			m.Note = "ended " + e.ClosedOn.Human()
		case e.StartDate.After(priorEnd):
			m.Note = "started " + e.StartDate.Human()
		}
		y.Movers = append(y.Movers, m)
		y.Others -= m.Change
		y.OthersPlan -= m.PlanChange
	}
	b.p.YearOnYear = y
	return nil
}
