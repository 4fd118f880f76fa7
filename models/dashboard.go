package models

import (
	"cmp"
	"context"
	"database/sql"
	"slices"

	"gorm.io/gorm"
)

// Counted is a label with a count, from a GROUP BY.
type Counted struct {
	Key   string
	Model string
	Count int64
}

// Dashboard is everything the executive dashboard shows.
type Dashboard struct {
	Today        Date
	Quarter      Quarter // current fiscal quarter (in progress)
	LastQuarter  Quarter // last complete quarter
	Phases       []Counted
	Active       int64
	HealthCounts map[string]int64 // of the active engagements
	// ActiveByModel splits Active by delivery model: the split sums to it
	// (the phase counts include ended engagements).
	ActiveByModel map[string]int64
	Value         Exact // contract value of active engagements, reporting currency
	// ValueProvisional notes each rate the contract value carried forward
	// (ValueRates: its currency's last complete month has no rate yet).
	ValueProvisional []string
	QuarterSav       Split // current quarter to date
	LastQSav         Split
	YTDSav           Split
	SLAMet           int64
	SLAMeasured      int64
	Bands            map[string]int64 // open risks by residual band
	OpenRisks        int64
	// ExpiredAcceptances counts the accepted risks whose acceptance has expired.
	ExpiredAcceptances int64
	Heat               [5][5]int
	TopRisks           []Risk
	Attention          []Engagement
	Transfers          []Transfer
	Milestones         []Milestone
	// How many each cut list has in all (Attention's is the red and amber
	// active engagements): a cut list says "10 of 13".
	TransfersAll, MilestonesAll int64
	// Notices are the contract notice deadlines of the next NoticeWindowDays
	// and those passed undecided (NoticeDeadlines), the soonest first.
	Notices    []NoticeRow
	NoticesAll int64
	// Cooling are the partnerships whose latest survey fell or scored low.
	Cooling    []Cooling
	CoolingAll int64
	// LateObligations are the open engagements' obligations late today, the
	// longest late first (the first few), of LateObligationsAll.
	LateObligations    []ObligationLine
	LateObligationsAll int64
	// Dependency is each vendor's share of the last 12 months' spend and of
	// the engagements in delivery, and the towers and locations one vendor
	// alone serves.
	Dependency *Dependency
	Rates      *Rates
}

// NoticeWindowDays is how far ahead the dashboard lists notice deadlines.
const NoticeWindowDays = 180

// Transfer is an upcoming BOT transfer with its readiness.
type Transfer struct {
	Engagement   Engagement
	Readiness    float64
	HasReadiness bool
}

// LoadDashboard runs the dashboard's queries: a fixed number, each reading a
// few hundred rows at most whatever the portfolio's size. The headline
// figures come from the aggregate tables maintained on write (aggregates.go),
// the lists from the first rows of an index (dashboard_lists.go).
func LoadDashboard(ctx context.Context, db *gorm.DB, s Settings, today Date) (*Dashboard, error) {
	d, err := LoadDashboardApartFromRisks(ctx, db, s, today)
	if err != nil {
		return nil, err
	}
	return d.WithRisks(ctx, db, s)
}

// DashboardReadsApartFromRisks are the tables LoadDashboardApartFromRisks
// reads: none of RiskTables, so that what it loads may be cached through the
// register's writes.
var DashboardReadsApartFromRisks = []string{"engagements", "engagement_totals", "cost_month_totals", "sla_month_totals",
	"milestones", "readiness_items", "fx_rates", "settings", "vendors", "users", "contract_terms", "contract_decisions",
	"partnership_surveys", "survey_suggestions", "vendor_month_totals", "obligations", "obligation_occurrences"}

// LoadDashboardApartFromRisks loads every figure and list of the dashboard
// but the risks' (WithRisks): the engagements' counts, costs and savings,
// service levels, transfers, milestones, notices, partnerships, obligations
// and the vendors' dependency. It reads no table of RiskTables nor the
// engagements' health columns, so its result may be cached at the version of
// the others and shared: nothing changes it after.
func LoadDashboardApartFromRisks(ctx context.Context, db *gorm.DB, s Settings, today Date) (*Dashboard, error) {
	if IsSQLite(db) {
		// The SQLite driver fetches every row on a goroutine of its own when the
		// context can be cancelled (to interrupt a long query), a hand-off per
		// row paid on every view. These statements read a few hundred rows
		// through indexes and cannot run long.
		ctx = context.WithoutCancel(ctx)
	}
	db = db.WithContext(ctx)
	f := s.Fiscal()
	d := &Dashboard{Today: today, Quarter: f.QuarterOf(today), LastQuarter: f.LastComplete(today),
		HealthCounts: map[string]int64{}, ActiveByModel: map[string]int64{}}
	ytdFrom := f.YearStart(d.Quarter.Year)
	from := ytdFrom
	if lq := f.Start(d.LastQuarter); lq.Before(from) {
		from = lq
	}
	ratesFrom := from
	if dep, _ := DependencyWindow(today); dep.Before(ratesFrom) { // the vendors' spend reads the last 12 months
		ratesFrom = dep
	}
	rates, err := loadRatesFor(db, s.Finance.ReportingCurrency, ratesFrom, f.End(d.Quarter))
	if err != nil {
		return nil, err
	}
	d.Rates = rates
	values, err := LoadValueRates(ctx, db, s.Finance.ReportingCurrency, today)
	if err != nil {
		return nil, err
	}
	if err := d.addEngagementTotals(ctx, db, rates, values); err != nil {
		return nil, err
	}
	sums, err := PortfolioCostSums(ctx, db, from, f.End(d.Quarter))
	if err != nil {
		return nil, err
	}
	var inQ, lastQ, ytd []CostSums
	for _, c := range sums {
		q := f.QuarterOf(c.Month)
		if q == d.Quarter {
			inQ = append(inQ, c)
		}
		if q == d.LastQuarter {
			lastQ = append(lastQ, c)
		}
		if !c.Month.Before(ytdFrom) {
			ytd = append(ytd, c)
		}
	}
	d.QuarterSav, d.LastQSav, d.YTDSav = sumSplit(inQ, rates), sumSplit(lastQ, rates), sumSplit(ytd, rates)
	if d.SLAMet, d.SLAMeasured, err = SLATotals(ctx, db, f.Start(d.LastQuarter), f.End(d.LastQuarter)); err != nil {
		return nil, err
	}
	if d.Transfers, d.TransfersAll, err = upcomingBOTTransfers(db, today, 6); err != nil {
		return nil, err
	}
	if d.Milestones, d.MilestonesAll, err = dueMilestones(db, today.AddDays(60), 10); err != nil {
		return nil, err
	}
	if d.Notices, d.NoticesAll, err = NoticeDeadlines(ctx, db, today, NoticeWindowDays, 8); err != nil {
		return nil, err
	}
	if d.Cooling, d.CoolingAll, err = CoolingPartnerships(ctx, db, 8); err != nil {
		return nil, err
	}
	if d.Dependency, err = LoadDependency(ctx, db, rates, today); err != nil {
		return nil, err
	}
	late, err := ObligationLines(ctx, db, ObligationFilter{AsAt: today, OnlyPending: true})
	if err != nil {
		return nil, err
	}
	late = slices.DeleteFunc(late, func(l ObligationLine) bool { return len(l.Late) == 0 })
	d.LateObligations, d.LateObligationsAll = late[:min(len(late), 8)], int64(len(late))
	return d, nil
}

// WithRisks is a copy of d (LoadDashboardApartFromRisks, left as it is) with
// the risks' figures added: the residual heat map, its bands, the open and
// the top risks, the expired acceptances and the red and amber engagements
// with their reasons (the health a risk's write refreshes).
func (d *Dashboard) WithRisks(ctx context.Context, db *gorm.DB, s Settings) (*Dashboard, error) {
	if IsSQLite(db) {
		ctx = context.WithoutCancel(ctx) // as in LoadDashboardApartFromRisks
	}
	db = db.WithContext(ctx)
	out := *d
	out.Bands = map[string]int64{}
	var err error
	if out.Heat, err = LiveRiskCells(ctx, db, "residual"); err != nil {
		return nil, err
	}
	for l := 1; l <= 5; l++ {
		for i := 1; i <= 5; i++ {
			n := int64(out.Heat[l-1][i-1])
			out.Bands[s.Risk.Band(l*i)] += n
			out.OpenRisks += n
		}
	}
	if err := db.Model(&Risk{}).Where("status = ? AND accept_expiry < ?", StatusAccepted, d.Today).Count(&out.ExpiredAcceptances).Error; err != nil {
		return nil, err
	}
	if out.TopRisks, err = topRisks(db, 8); err != nil {
		return nil, err
	}
	// An engagement's health reasons are refreshed with its risks (migration 35).
	if out.Attention, err = needsAttention(db, 10); err != nil {
		return nil, err
	}
	return &out, nil
}

// addEngagementTotals fills the counts by model and phase, by health and the
// contract value of the active engagements from engagement_totals, grouped
// in SQL: fifteen rows to read instead of every group's.
func (d *Dashboard) addEngagementTotals(ctx context.Context, db *gorm.DB, rates *Rates, vr ValueRates) error {
	values := map[string]int64{}
	err := ScanEach(db.WithContext(ctx), `
		SELECT 'phase', model, phase, CAST(SUM(engagements) AS BIGINT) FROM engagement_totals
		GROUP BY model, phase HAVING SUM(engagements) <> 0
		UNION ALL SELECT 'health', health, '', CAST(SUM(engagements) AS BIGINT) FROM engagement_totals
		WHERE active GROUP BY health HAVING SUM(engagements) <> 0
		UNION ALL SELECT 'model', model, '', CAST(SUM(engagements) AS BIGINT) FROM engagement_totals
		WHERE active GROUP BY model HAVING SUM(engagements) <> 0
		UNION ALL SELECT 'value', currency, '', CAST(SUM(contract_value) AS BIGINT) FROM engagement_totals
		WHERE active GROUP BY currency HAVING SUM(engagements) <> 0`, nil,
		func(rows *sql.Rows) error {
			var kind, k1, k2 string
			var n int64
			if err := rows.Scan(&kind, &k1, &k2, &n); err != nil {
				return err
			}
			switch kind {
			case "phase":
				d.Phases = append(d.Phases, Counted{Key: k2, Model: k1, Count: n})
			case "health":
				d.HealthCounts[k1] += n
				d.Active += n
			case "model":
				d.ActiveByModel[k1] += n
			case "value":
				values[k1] += n
			}
			return nil
		})
	if err != nil {
		return err
	}
	slices.SortFunc(d.Phases, func(a, b Counted) int { return cmp.Or(cmp.Compare(a.Model, b.Model), cmp.Compare(a.Key, b.Key)) })
	// Converted as the engagements list converts them, so that its total of
	// the active engagements is this figure.
	for _, cur := range sortedKeys(values, cmp.Compare[string]) {
		c := vr.Convert(Money{values[cur], cur})
		d.Value.AddExact(c.Reporting)
		switch {
		case !c.Converted:
		case c.Rate.Missing:
			rates.LatestRate(cur) // listed as missing on the page, as before
		default:
			rates.Rate(cur, c.Rate.From) // named among the rates the page used
		}
		if c.Provisional() {
			d.ValueProvisional = append(d.ValueProvisional, c.ProvisionalLabel())
		}
	}
	return nil
}

// loadRatesFor reads the FX rates of the months from..to, each currency's
// latest rate before from (a first month without its own rate carries it
// forward, as every other page does) and its latest of all (contract values
// convert at it): the rate table the dashboard needs, not every month of
// every year.
func loadRatesFor(db *gorm.DB, reporting string, from, to Date) (*Rates, error) {
	var fx []FXRate
	err := ScanEach(db, `SELECT currency, `+DateText(db, "month")+`, rate FROM fx_rates
		WHERE month BETWEEN ? AND ? OR (currency, month) IN (SELECT currency, MAX(month) FROM fx_rates GROUP BY currency)
		OR (currency, month) IN (SELECT currency, MAX(month) FROM fx_rates WHERE month < ? GROUP BY currency)`,
		[]any{from, to, from}, func(rows *sql.Rows) error {
			var r FXRate
			err := rows.Scan(&r.Currency, &r.Month, &r.Rate)
			fx = append(fx, r)
			return err
		})
	return NewRates(reporting, fx), err
}
