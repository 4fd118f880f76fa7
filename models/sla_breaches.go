package models

import (
	"context"

	"gorm.io/gorm"
)

// PortfolioBreach is a missed service-level result anywhere in the portfolio,
// with its engagement: a row of the list the dashboard's SLA card opens.
type PortfolioBreach struct {
	SLABreach
	EngCode, EngName string
}

// portfolioBreachQuery selects the missed results of the months from..to over
// every engagement: the results sla_month_totals counts (archived service
// levels and closed engagements included), so the list matches the card.
func portfolioBreachQuery(db *gorm.DB, from, to Date) *gorm.DB {
	return db.Table("sla_measurements m").
		Joins("JOIN service_levels s ON s.id = m.service_level_id").
		Joins("JOIN engagements e ON e.id = m.engagement_id").
		Where("NOT m.met AND m.month BETWEEN ? AND ?", from, to)
}

// ListPortfolioBreaches returns one page of the portfolio's missed results in
// the months from..to, newest month first, then by engagement code and
// service level, and how many there are in all.
func ListPortfolioBreaches(ctx context.Context, db *gorm.DB, from, to Date, page, perPage int) ([]PortfolioBreach, int64, error) {
	db = db.WithContext(ctx)
	var total int64
	if err := portfolioBreachQuery(db, from, to).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []PortfolioBreach
	err := portfolioBreachQuery(db, from, to).
		Select(`m.id, m.service_level_id, m.engagement_id, m.month, m.actual, m.met, m.note, m.version,
			s.name AS sla_name, s.unit, s.direction, s.target, s.credit_pct, s.credit_rule, e.code AS eng_code, e.name AS eng_name`).
		Order("m.month DESC, e.code, s.name, m.id").Limit(perPage).Offset((page - 1) * perPage).Scan(&rows).Error
	return rows, total, err
}
