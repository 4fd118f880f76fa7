package models

import (
	"context"

	"gorm.io/gorm"
)

// CostScope narrows the cost aggregates to a period and a slice of the portfolio.
type CostScope struct {
	From, To     Date // months from..to inclusive; zero means open
	EngagementID uint
	VendorID     uint
	Tower        string
}

// SumCosts returns cost-record sums per currency, month and savings type: SQL
// does the adding, Go only converts the few grouped rows.
func SumCosts(ctx context.Context, db *gorm.DB, s CostScope) ([]CostSums, error) {
	q := db.WithContext(ctx).Table("cost_records c").
		Select(`c.currency AS currency, c.month AS month, c.savings_type AS savings_type,
			SUM(c.baseline) AS baseline, SUM(c.vendor_fees) AS vendor_fees, SUM(c.retained) AS retained,
			SUM(c.one_off) AS one_off, SUM(c.credits) AS credits, SUM(c.planned_savings) AS planned`).
		Group("c.currency, c.month, c.savings_type").Order("c.month, c.currency, c.savings_type")
	if !s.From.IsZero() {
		q = q.Where("c.month >= ?", s.From)
	}
	if !s.To.IsZero() {
		q = q.Where("c.month <= ?", s.To)
	}
	if s.EngagementID != 0 {
		q = q.Where("c.engagement_id = ?", s.EngagementID)
	}
	if s.VendorID != 0 || s.Tower != "" {
		q = q.Joins("JOIN engagements e ON e.id = c.engagement_id")
		if s.VendorID != 0 {
			q = q.Where("e.vendor_id = ?", s.VendorID)
		}
		if s.Tower != "" {
			q = q.Where("e.tower = ?", s.Tower)
		}
	}
	var rows []CostSums
	return rows, q.Scan(&rows).Error
}

// LoadRates reads every stored FX rate into a conversion table.
func LoadRates(ctx context.Context, db *gorm.DB, reporting string) (*Rates, error) {
	var rows []FXRate
	if err := db.WithContext(ctx).Order("currency, month").Find(&rows).Error; err != nil {
		return nil, err
	}
	return NewRates(reporting, rows), nil
}
