package models

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"gorm.io/gorm"
)

// ListSLAs returns an engagement's service levels, live ones first, in the order they were added.
func ListSLAs(ctx context.Context, db *gorm.DB, engagementID uint, withArchived bool) ([]ServiceLevel, error) {
	q := db.WithContext(ctx).Where("engagement_id = ?", engagementID)
	if !withArchived {
		q = q.Where("NOT archived")
	}
	var out []ServiceLevel
	return out, q.Order("archived, id").Find(&out).Error
}

// MonthResults returns the results recorded for an engagement's month, by service level id.
func MonthResults(ctx context.Context, db *gorm.DB, engagementID uint, month Date) (map[uint]SLAMeasurement, error) {
	var rows []SLAMeasurement
	if err := db.WithContext(ctx).Where("engagement_id = ? AND month = ?", engagementID, month.MonthStart()).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[uint]SLAMeasurement, len(rows))
	for _, m := range rows {
		out[m.ServiceLevelID] = m
	}
	return out, nil
}

// MetCount is how many results were met out of those measured.
type MetCount struct{ Met, Measured int64 }

// Attainment is met ÷ measured in %, false when nothing was measured.
func (m MetCount) Attainment() (float64, bool) { return Attainment(m.Met, m.Measured) }

// SLAAttainment is attainment per service level and quarter, with the
// engagement's total per quarter under service level id 0.
type SLAAttainment map[uint]map[Quarter]MetCount

// Of reads one service level's quarter.
func (a SLAAttainment) Of(slaID uint, q Quarter) MetCount { return a[slaID][q] }

// AttainmentByQuarter counts met and measured results per service level and
// fiscal quarter for the quarters given, in one grouped query: the quarter of a
// month is a CASE over the quarters' date ranges, so the fiscal calendar stays in
// Go and the counting in SQL.
func AttainmentByQuarter(ctx context.Context, db *gorm.DB, engagementID uint, f Fiscal, quarters []Quarter) (SLAAttainment, error) {
	out := SLAAttainment{}
	if len(quarters) == 0 {
		return out, nil
	}
	var cases strings.Builder
	var args []any
	lo, hi := f.Start(quarters[0]), f.End(quarters[0])
	cases.WriteString("CASE")
	for _, q := range quarters {
		cases.WriteString(" WHEN month BETWEEN ? AND ? THEN ?")
		args = append(args, f.Start(q), f.End(q), q.String())
		if s := f.Start(q); s.Before(lo) {
			lo = s
		}
		if e := f.End(q); e.After(hi) {
			hi = e
		}
	}
	cases.WriteString(" END")
	var rows []struct {
		ServiceLevelID uint
		Quarter        string
		Met, Measured  int64
	}
	args = append(args, engagementID, lo, hi)
	err := db.WithContext(ctx).Raw(`SELECT service_level_id, q AS quarter, SUM(met_n) AS met, COUNT(*) AS measured
		FROM (SELECT service_level_id, `+cases.String()+` AS q, CASE WHEN met THEN 1 ELSE 0 END AS met_n
			FROM sla_measurements WHERE engagement_id = ? AND month BETWEEN ? AND ?) x
		WHERE q IS NOT NULL GROUP BY service_level_id, q`, args...).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		q, err := ParseQuarter(r.Quarter)
		if err != nil {
			return nil, err
		}
		for _, id := range []uint{r.ServiceLevelID, 0} {
			if out[id] == nil {
				out[id] = map[Quarter]MetCount{}
			}
			c := out[id][q]
			c.Met += r.Met
			c.Measured += r.Measured
			out[id][q] = c
		}
	}
	return out, nil
}

// LastQuarters lists the n quarters ending with the one day d falls in, oldest first.
func LastQuarters(f Fiscal, d Date, n int) []Quarter {
	out := make([]Quarter, n)
	q := f.QuarterOf(d)
	for i := n - 1; i >= 0; i-- {
		out[i] = q
		q = q.Prev()
	}
	return out
}

// CreditDue is the service credit a missed service level earns: its credit % of
// the month's vendor fees, exact (rounded once, half-even, when shown).
func CreditDue(vendorFees int64, creditPct int) Exact {
	var e Exact
	e.Add(vendorFees, big.NewRat(int64(creditPct), 100))
	return e
}

// SLABreach is a missed result with what it earns in service credits.
type SLABreach struct {
	SLAMeasurement
	SLAName    string
	Unit       string
	Direction  string
	Target     int64
	CreditPct  int
	CreditRule string
	HasCost    bool   // the month has a cost record
	VendorFees int64  // that month's vendor fees, in Currency
	Currency   string // the cost record's currency
}

// Credit is the credit due, and false when the month has no cost record to compute it from.
func (b SLABreach) Credit() (Money, bool) {
	if !b.HasCost {
		return Money{}, false
	}
	return CreditDue(b.VendorFees, b.CreditPct).Money(b.Currency), true
}

func breachQuery(db *gorm.DB, engagementID uint) *gorm.DB {
	return db.Table("sla_measurements m").
		Joins("JOIN service_levels s ON s.id = m.service_level_id").
		Joins("LEFT JOIN cost_records c ON c.engagement_id = m.engagement_id AND c.month = m.month").
		Where("m.engagement_id = ? AND NOT m.met", engagementID)
}

// ListSLABreaches returns one page of an engagement's missed results, newest
// first, each with the month's vendor fees, and how many there are.
func ListSLABreaches(ctx context.Context, db *gorm.DB, engagementID uint, page, perPage int) ([]SLABreach, int64, error) {
	db = db.WithContext(ctx)
	var total int64
	if err := breachQuery(db, engagementID).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []SLABreach
	q := breachQuery(db, engagementID).Select(breachColumns).Order("m.month DESC, s.name, m.id")
	if perPage > 0 {
		q = q.Limit(perPage).Offset((page - 1) * perPage)
	}
	return rows, total, q.Scan(&rows).Error
}

// breachColumns select a breach row.
const breachColumns = `m.id, m.service_level_id, m.engagement_id, m.month, m.actual, m.met, m.note, m.version,
	s.name AS sla_name, s.unit, s.direction, s.target, s.credit_pct, s.credit_rule,
	c.id IS NOT NULL AS has_cost, COALESCE(c.vendor_fees, 0) AS vendor_fees, COALESCE(c.currency, '') AS currency`

// EachSLABreach streams every breach of an engagement, newest first (for exports).
func EachSLABreach(ctx context.Context, db *gorm.DB, engagementID uint, fn func(SLABreach) error) error {
	rows, err := breachQuery(db.WithContext(ctx), engagementID).Select(breachColumns).Order("m.month DESC, s.name, m.id").Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var b SLABreach
		if err := db.ScanRows(rows, &b); err != nil {
			return err
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	return rows.Err()
}

// CreditTotal sums the credits due in one currency.
type CreditTotal struct {
	Currency string
	Breaches int64
	Due      Exact
}

// BreachTotals are the totals of an engagement's breaches: credits due per
// currency (summed exactly in SQL, rounded once when shown), breaches whose
// month has no cost record, and the credits the cost records say were received
// in the months with breaches.
type BreachTotals struct {
	Breaches  int64
	NoCost    int64
	Due       []CreditTotal
	Received  []Money // credits received per currency, from the cost records
	HasBreach bool
}

// SumSLABreaches computes an engagement's breach totals with grouped queries.
func SumSLABreaches(ctx context.Context, db *gorm.DB, engagementID uint) (BreachTotals, error) {
	db = db.WithContext(ctx)
	var t BreachTotals
	var rows []struct {
		Currency   string
		N          int64
		Hundredths int64 // Σ vendor fees × credit %, in hundredths of a minor unit
	}
	if err := breachQuery(db, engagementID).Select("COALESCE(c.currency, '') AS currency, COUNT(*) AS n, COALESCE(SUM(c.vendor_fees * s.credit_pct), 0) AS hundredths").
		Group("COALESCE(c.currency, '')").Order("currency").Scan(&rows).Error; err != nil {
		return t, err
	}
	for _, r := range rows {
		t.Breaches += r.N
		if r.Currency == "" {
			t.NoCost += r.N
			continue
		}
		ct := CreditTotal{Currency: r.Currency, Breaches: r.N}
		ct.Due.Add(r.Hundredths, big.NewRat(1, 100))
		t.Due = append(t.Due, ct)
	}
	t.HasBreach = t.Breaches > 0
	var rec []struct {
		Currency string
		Credits  int64
	}
	if err := db.Table("cost_records").Select("currency, SUM(credits) AS credits").
		Where("engagement_id = ? AND month IN (SELECT month FROM sla_measurements WHERE engagement_id = ? AND NOT met)", engagementID, engagementID).
		Group("currency").Order("currency").Scan(&rec).Error; err != nil {
		return t, err
	}
	for _, r := range rec {
		t.Received = append(t.Received, Money{r.Credits, r.Currency})
	}
	return t, nil
}

// SLATrend is one service level's recent results, oldest first.
type SLATrend struct {
	SLA     ServiceLevel
	Results []SLAMeasurement
}

// SLATrends returns the results of the last months (up to months) of each
// service level, oldest first, in one query.
func SLATrends(ctx context.Context, db *gorm.DB, slas []ServiceLevel, from Date) ([]SLATrend, error) {
	out := make([]SLATrend, len(slas))
	if len(slas) == 0 {
		return out, nil
	}
	ids := make([]uint, len(slas))
	at := map[uint]int{}
	for i, s := range slas {
		ids[i], out[i].SLA, at[s.ID] = s.ID, s, i
	}
	var ms []SLAMeasurement
	if err := db.WithContext(ctx).Where("service_level_id IN ? AND month >= ?", ids, from).Order("month").Find(&ms).Error; err != nil {
		return nil, err
	}
	for _, m := range ms {
		i := at[m.ServiceLevelID]
		out[i].Results = append(out[i].Results, m)
	}
	return out, nil
}

// SLAResultRow is a recorded result with its service level, for the results export.
type SLAResultRow struct {
	SLAMeasurement
	SLAName   string
	Unit      string
	Direction string
	Target    int64
}

// EachSLAResult streams every result of an engagement, oldest month first.
func EachSLAResult(ctx context.Context, db *gorm.DB, engagementID uint, fn func(SLAResultRow) error) error {
	rows, err := db.WithContext(ctx).Table("sla_measurements m").Joins("JOIN service_levels s ON s.id = m.service_level_id").
		Select("m.*, s.name AS sla_name, s.unit, s.direction, s.target").Where("m.engagement_id = ?", engagementID).
		Order("m.month, s.id").Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r SLAResultRow
		if err := db.ScanRows(rows, &r); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// DirectionSymbol is ≥ for higher-is-better and ≤ for lower-is-better.
func DirectionSymbol(d string) string {
	if d == LowerIsBetter {
		return "≤"
	}
	return "≥"
}

// TargetText writes a target as people read it ("≥ 99.5 %").
func (s ServiceLevel) TargetText() string {
	return strings.TrimSpace(fmt.Sprintf("%s %s %s", DirectionSymbol(s.Direction), FormatMilli(s.Target), s.Unit))
}
