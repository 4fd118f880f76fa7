package models

import (
	"cmp"
	"context"

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
	HealthCounts map[string]int64
	Value        Exact // contract value of active engagements, reporting currency
	QuarterSav   Split // current quarter to date
	LastQSav     Split
	YTDSav       Split
	SLAMet       int64
	SLAMeasured  int64
	Bands        map[string]int64 // open risks by residual band
	OpenRisks    int64
	Heat         [5][5]int
	TopRisks     []Risk
	Attention    []Engagement
	Transfers    []Transfer
	Milestones   []Milestone
	Rates        *Rates
}

// Transfer is an upcoming BOT transfer with its readiness.
type Transfer struct {
	Engagement   Engagement
	Readiness    float64
	HasReadiness bool
}

// LoadDashboard runs the dashboard's aggregates: a fixed number of queries whatever the portfolio's size.
func LoadDashboard(ctx context.Context, db *gorm.DB, s Settings, today Date) (*Dashboard, error) {
	db = db.WithContext(ctx)
	f := s.Fiscal()
	d := &Dashboard{Today: today, Quarter: f.QuarterOf(today), LastQuarter: f.LastComplete(today),
		HealthCounts: map[string]int64{}, Bands: map[string]int64{}}
	rates, err := LoadRates(ctx, db, s.Finance.ReportingCurrency)
	if err != nil {
		return nil, err
	}
	d.Rates = rates
	if err := d.addEngagementTotals(ctx, db, rates); err != nil {
		return nil, err
	}
	ytdFrom := f.YearStart(d.Quarter.Year)
	from := ytdFrom
	if lq := f.Start(d.LastQuarter); lq.Before(from) {
		from = lq
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
	d.QuarterSav, d.LastQSav, d.YTDSav = Sum(inQ, rates), Sum(lastQ, rates), Sum(ytd, rates)
	if d.SLAMet, d.SLAMeasured, err = SLATotals(ctx, db, f.Start(d.LastQuarter), f.End(d.LastQuarter)); err != nil {
		return nil, err
	}
	if d.Heat, err = LiveRiskCells(ctx, db, "residual"); err != nil {
		return nil, err
	}
	for l := 1; l <= 5; l++ {
		for i := 1; i <= 5; i++ {
			n := int64(d.Heat[l-1][i-1])
			d.Bands[s.Risk.Band(l*i)] += n
			d.OpenRisks += n
		}
	}
	if err := db.Preload("Engagement").Preload("Owner").Where("status <> ?", StatusClosed).
		Order("residual_score DESC, inherent_score DESC, next_review, id").Limit(8).Find(&d.TopRisks).Error; err != nil {
		return nil, err
	}
	if d.Attention, err = needsAttention(db, 10); err != nil {
		return nil, err
	}
	var bots []Engagement
	if err := db.Joins("Vendor").Where("engagements.model = ? AND engagements.actual_transfer IS NULL AND engagements.planned_transfer >= ? AND engagements.closed_on IS NULL", ModelBOT, today.AddDays(-90)).
		Order("engagements.planned_transfer").Limit(6).Find(&bots).Error; err != nil {
		return nil, err
	}
	if d.Transfers, err = withReadiness(ctx, db, bots); err != nil {
		return nil, err
	}
	if err := db.Preload("Engagement").Where("actual IS NULL AND planned <= ?", today.AddDays(60)).
		Order("planned, id").Limit(10).Find(&d.Milestones).Error; err != nil {
		return nil, err
	}
	return d, nil
}

// withReadiness attaches transfer readiness to BOT engagements in one grouped query.
func withReadiness(ctx context.Context, db *gorm.DB, engs []Engagement) ([]Transfer, error) {
	out := make([]Transfer, len(engs))
	if len(engs) == 0 {
		return out, nil
	}
	ids := make([]uint, len(engs))
	for i, e := range engs {
		ids[i] = e.ID
		out[i].Engagement = e
	}
	var rows []struct {
		EngagementID uint
		Got, Total   int
	}
	if err := db.WithContext(ctx).Table("readiness_items").Select("engagement_id, SUM(weight * status) AS got, SUM(weight) * 2 AS total").
		Where("engagement_id IN ?", ids).Group("engagement_id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		for i := range out {
			if out[i].Engagement.ID == r.EngagementID && r.Total > 0 {
				out[i].Readiness, out[i].HasReadiness = 100*float64(r.Got)/float64(r.Total), true
			}
		}
	}
	return out, nil
}

// addEngagementTotals fills the counts by model and phase, by health and the
// contract value of the active engagements from engagement_totals.
func (d *Dashboard) addEngagementTotals(ctx context.Context, db *gorm.DB, rates *Rates) error {
	totals, err := EngagementTotals(ctx, db)
	if err != nil {
		return err
	}
	phases := map[[2]string]int64{}
	values := map[string]int64{}
	for _, t := range totals {
		phases[[2]string{t.Model, t.Phase}] += t.Engagements
		if t.Active {
			d.HealthCounts[t.Health] += t.Engagements
			d.Active += t.Engagements
			values[t.Currency] += t.ContractValue
		}
	}
	for _, k := range sortedKeys(phases, func(a, b [2]string) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) }) {
		d.Phases = append(d.Phases, Counted{Key: k[1], Model: k[0], Count: phases[k]})
	}
	for _, cur := range sortedKeys(values, cmp.Compare[string]) {
		d.Value.Add(values[cur], rates.LatestRate(cur))
	}
	return nil
}

// needsAttention lists up to n active engagements that are red, then amber,
// each by code. Each colour is read as the first rows of an index range
// (engagements_attention); one ORDER BY over both colours would sort them all.
func needsAttention(db *gorm.DB, n int) ([]Engagement, error) {
	colour := func(h string) *gorm.DB {
		return db.Table("engagements").Select("id").Where("health = ? AND closed_on IS NULL", h).Order("code").Limit(n)
	}
	var out []Engagement
	err := db.Joins("Vendor").
		Where("engagements.id IN (SELECT id FROM (?) red UNION ALL SELECT id FROM (?) amber)", colour(Red), colour(Amber)).
		Order("CASE engagements.health WHEN 'red' THEN 0 ELSE 1 END, engagements.code").Limit(n).Find(&out).Error
	return out, err
}
