package models

import (
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
	if err := db.Table("engagements").Select("phase AS key, model, COUNT(*) AS count").
		Group("model, phase").Order("model, phase").Scan(&d.Phases).Error; err != nil {
		return nil, err
	}
	var health []Counted
	if err := db.Table("engagements").Select("health AS key, COUNT(*) AS count").Where("closed_on IS NULL").
		Group("health").Scan(&health).Error; err != nil {
		return nil, err
	}
	for _, h := range health {
		d.HealthCounts[h.Key] = h.Count
		d.Active += h.Count
	}
	var values []struct {
		Currency string
		Total    int64
	}
	if err := db.Table("engagements").Select("currency, SUM(contract_value) AS total").Where("closed_on IS NULL").
		Group("currency").Order("currency").Scan(&values).Error; err != nil {
		return nil, err
	}
	for _, v := range values {
		d.Value.Add(v.Total, rates.LatestRate(v.Currency))
	}
	ytdFrom := f.YearStart(d.Quarter.Year)
	from := ytdFrom
	if lq := f.Start(d.LastQuarter); lq.Before(from) {
		from = lq
	}
	sums, err := SumCosts(ctx, db, CostScope{From: from, To: f.End(d.Quarter)})
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
	var sla struct{ Met, Measured int64 }
	if err := db.Table("sla_measurements").Select("COALESCE(SUM(CASE WHEN met THEN 1 ELSE 0 END), 0) AS met, COUNT(*) AS measured").
		Where("month BETWEEN ? AND ?", f.Start(d.LastQuarter), f.End(d.LastQuarter)).Scan(&sla).Error; err != nil {
		return nil, err
	}
	d.SLAMet, d.SLAMeasured = sla.Met, sla.Measured
	if d.Heat, err = HeatCounts(ctx, db, "residual", RiskFilter{}); err != nil {
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
	if err := db.Joins("Vendor").Where("engagements.closed_on IS NULL AND engagements.health IN ?", []string{Red, Amber}).
		Order("CASE engagements.health WHEN 'red' THEN 0 ELSE 1 END, engagements.code").Limit(10).Find(&d.Attention).Error; err != nil {
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
