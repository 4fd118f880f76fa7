package models

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"
)

// Readers of the aggregate tables (aggregates.go): each is one small query
// whatever the size of the portfolio.

// EngagementTotal is one group of engagements (model, phase, health, currency,
// active or closed) with their number and contract value.
type EngagementTotal struct {
	Model, Phase, Health, Currency string
	Active                         bool
	Engagements                    int64
	ContractValue                  int64
}

// EngagementTotals reads every group of engagements with at least one member.
func EngagementTotals(ctx context.Context, db *gorm.DB) ([]EngagementTotal, error) {
	var out []EngagementTotal
	err := ScanEach(db.WithContext(ctx), `SELECT model, phase, health, currency, active, engagements, contract_value
		FROM engagement_totals WHERE engagements <> 0 ORDER BY model, phase, health, currency, active`, nil,
		func(rows *sql.Rows) error {
			var t EngagementTotal
			err := rows.Scan(&t.Model, &t.Phase, &t.Health, &t.Currency, &t.Active, &t.Engagements, &t.ContractValue)
			out = append(out, t)
			return err
		})
	return out, err
}

// PortfolioCostSums is SumCosts for the whole portfolio between two months
// (either may be zero: open-ended), read from cost_month_totals.
func PortfolioCostSums(ctx context.Context, db *gorm.DB, from, to Date) ([]CostSums, error) {
	if from.IsZero() {
		from = D(1000, time.January, 1) // not year 1: that is the zero Date, which binds as NULL
	}
	if to.IsZero() {
		to = D(9999, time.December, 31)
	}
	var out []CostSums
	err := ScanEach(db.WithContext(ctx), `SELECT `+DateText(db, "month")+`, currency, savings_type, baseline, vendor_fees, retained,
		one_off, credits, planned_savings FROM cost_month_totals WHERE records > 0 AND month BETWEEN ? AND ?
		ORDER BY month, currency, savings_type`, []any{from, to},
		func(rows *sql.Rows) error {
			var c CostSums
			err := rows.Scan(&c.Month, &c.Currency, &c.SavingsType, &c.Baseline, &c.VendorFees, &c.Retained,
				&c.OneOff, &c.Credits, &c.Planned)
			out = append(out, c)
			return err
		})
	return out, err
}

// ScanEach runs a query and hands each row to scan: the aggregate readers scan
// their few columns by hand, which costs a fraction of GORM's reflection.
func ScanEach(db *gorm.DB, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := db.Raw(query, args...).Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// DateText selects a DATE column for Date.Scan: on SQLite as its text, as the
// driver turns a column declared DATE into a time by trying nine layouts, the
// date-only one last; PostgreSQL sends a date as is.
func DateText(db *gorm.DB, col string) string {
	if IsSQLite(db) {
		return "CAST(" + col + " AS TEXT)"
	}
	return col
}

// SLATotals counts the SLA results met and measured in the months from..to.
func SLATotals(ctx context.Context, db *gorm.DB, from, to Date) (met, measured int64, err error) {
	var r struct{ Met, Measured int64 }
	err = db.WithContext(ctx).Table("sla_month_totals").Select("COALESCE(SUM(met), 0) AS met, COALESCE(SUM(measured), 0) AS measured").
		Where("month BETWEEN ? AND ?", from, to).Scan(&r).Error
	return r.Met, r.Measured, err
}

// LiveRiskCells counts the live (not closed) risks of the whole register per
// likelihood × impact cell of kind ("residual" or "inherent"): the unfiltered
// heat map, without reading the risks. It sums risk_cells' rows over every
// category (the empty category) of the statuses other than closed: at most 625 rows a
// status (one per inherent and residual cell pair), read from its primary key.
func LiveRiskCells(ctx context.Context, db *gorm.DB, kind string) ([5][5]int, error) {
	var out [5][5]int
	l, i := "residual_likelihood", "residual_impact"
	if kind == "inherent" {
		l, i = "inherent_likelihood", "inherent_impact"
	}
	err := ScanEach(db.WithContext(ctx), `SELECT `+l+`, `+i+`, CAST(SUM(n) AS BIGINT) FROM risk_cells
		WHERE status IN ? AND category = '' GROUP BY `+l+`, `+i, []any{LiveStatuses},
		func(rows *sql.Rows) error {
			var li, im int
			var n int64
			if err := rows.Scan(&li, &im, &n); err != nil {
				return err
			}
			if ValidLevel(li) && ValidLevel(im) {
				out[li-1][im-1] = int(n)
			}
			return nil
		})
	return out, err
}
