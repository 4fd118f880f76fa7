package models

import (
	"context"

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
	err := db.WithContext(ctx).Table("engagement_totals").
		Select("model, phase, health, currency, active, engagements, contract_value").
		Where("engagements <> 0").Order("model, phase, health, currency, active").Scan(&out).Error
	return out, err
}

// PortfolioCostSums is SumCosts for the whole portfolio between two months
// (either may be zero: open-ended), read from cost_month_totals.
func PortfolioCostSums(ctx context.Context, db *gorm.DB, from, to Date) ([]CostSums, error) {
	q := db.WithContext(ctx).Table("cost_month_totals").
		Select(`currency, month, savings_type, baseline, vendor_fees, retained, one_off, credits, planned_savings AS planned`).
		Where("records > 0").Order("month, currency, savings_type")
	if !from.IsZero() {
		q = q.Where("month >= ?", from)
	}
	if !to.IsZero() {
		q = q.Where("month <= ?", to)
	}
	var rows []CostSums
	return rows, q.Scan(&rows).Error
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
// heat map, without reading the risks.
func LiveRiskCells(ctx context.Context, db *gorm.DB, kind string) ([5][5]int, error) {
	var out [5][5]int
	if kind != "inherent" {
		kind = "residual"
	}
	var rows []struct {
		Likelihood, Impact int
		Live               int
	}
	if err := db.WithContext(ctx).Table("risk_cell_totals").Select("likelihood, impact, live").
		Where("kind = ? AND live <> 0", kind).Scan(&rows).Error; err != nil {
		return out, err
	}
	for _, r := range rows {
		if ValidLevel(r.Likelihood) && ValidLevel(r.Impact) {
			out[r.Likelihood-1][r.Impact-1] = r.Live
		}
	}
	return out, nil
}
