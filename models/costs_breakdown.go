package models

import (
	"context"
	"fmt"
	"strconv"

	"gorm.io/gorm"
)

// Breakdowns are the slices the savings page figures: per engagement, vendor or tower.
var Breakdowns = []string{"engagement", "vendor", "tower"}

// BreakdownKey is one engagement, vendor or tower with cost records.
type BreakdownKey struct {
	Key      string // engagement or vendor id, or the tower's name
	Label    string // name
	Code     string // engagement code
	Currency string // engagement currency
	ClosedOn Date   // engagement closure
}

// KeyedSums are the monthly sums of one breakdown key.
type KeyedSums struct {
	Key         string
	Currency    string
	Month       Date
	SavingsType string
	Baseline    int64
	VendorFees  int64
	Retained    int64
	OneOff      int64
	Credits     int64
	Planned     int64
}

// Sums drops the key.
func (k KeyedSums) Sums() CostSums {
	return CostSums{Currency: k.Currency, Month: k.Month, SavingsType: k.SavingsType, Baseline: k.Baseline, VendorFees: k.VendorFees,
		Retained: k.Retained, OneOff: k.OneOff, Credits: k.Credits, Planned: k.Planned}
}

// scopeEngagements narrows a query over engagements e to a cost scope's slice of the portfolio.
func scopeEngagements(q *gorm.DB, s CostScope) *gorm.DB {
	if s.EngagementID != 0 {
		q = q.Where("e.id = ?", s.EngagementID)
	}
	if s.VendorID != 0 {
		q = q.Where("e.vendor_id = ?", s.VendorID)
	}
	if s.Tower != "" {
		q = q.Where("e.tower = ?", s.Tower)
	}
	return q
}

const hasCosts = "EXISTS (SELECT 1 FROM cost_records c WHERE c.engagement_id = e.id)"

// CostBreakdownKeys lists one page of the engagements, vendors or towers (by)
// in scope that have cost records, by code or name, and how many there are.
func CostBreakdownKeys(ctx context.Context, db *gorm.DB, by string, s CostScope, page, perPage int) ([]BreakdownKey, int64, error) {
	db = db.WithContext(ctx)
	var q *gorm.DB
	switch by {
	case "engagement":
		q = scopeEngagements(db.Table("engagements e").Where(hasCosts), s).
			Select("CAST(e.id AS TEXT) AS key, e.name AS label, e.code AS code, e.currency AS currency, e.closed_on AS closed_on").Order("e.code")
	case "vendor":
		inner := scopeEngagements(db.Table("engagements e").Select("e.vendor_id").Where(hasCosts), s)
		q = db.Table("vendors v").Where("v.id IN (?)", inner).Select("CAST(v.id AS TEXT) AS key, v.name AS label").Order("v.name")
	case "tower":
		q = scopeEngagements(db.Table("engagements e").Where(hasCosts), s).
			Select("e.tower AS key, e.tower AS label").Group("e.tower").Order("e.tower")
	default:
		return nil, 0, fmt.Errorf("unknown breakdown %q", by)
	}
	var total int64
	if err := db.Table("(?) AS k", q.Session(&gorm.Session{})).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var keys []BreakdownKey
	err := q.Limit(perPage).Offset((page - 1) * perPage).Scan(&keys).Error
	return keys, total, err
}

// SumCostsBy returns cost-record sums per key (engagement id, vendor id or
// tower), currency, month and savings type for the given keys, months to..., oldest first.
func SumCostsBy(ctx context.Context, db *gorm.DB, by string, s CostScope, keys []string) ([]KeyedSums, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	col := map[string]string{"engagement": "c.engagement_id", "vendor": "e.vendor_id", "tower": "e.tower"}[by]
	if col == "" {
		return nil, fmt.Errorf("unknown breakdown %q", by)
	}
	// Ids filter as numbers, so that the indexes on them serve the query.
	var in any = keys
	if by != "tower" {
		ids := make([]uint64, 0, len(keys))
		for _, k := range keys {
			if n, err := strconv.ParseUint(k, 10, 64); err == nil {
				ids = append(ids, n)
			}
		}
		in = ids
	}
	q := scopeEngagements(db.WithContext(ctx).Table("cost_records c").Joins("JOIN engagements e ON e.id = c.engagement_id"), s).
		Select(col+` AS key, c.currency AS currency, c.month AS month, c.savings_type AS savings_type,
			SUM(c.baseline) AS baseline, SUM(c.vendor_fees) AS vendor_fees, SUM(c.retained) AS retained,
			SUM(c.one_off) AS one_off, SUM(c.credits) AS credits, SUM(c.planned_savings) AS planned`).
		Where(col+" IN ?", in).
		Group(col + ", c.currency, c.month, c.savings_type").Order("c.month, c.currency, c.savings_type")
	if !s.From.IsZero() {
		q = q.Where("c.month >= ?", s.From)
	}
	if !s.To.IsZero() {
		q = q.Where("c.month <= ?", s.To)
	}
	var rows []KeyedSums
	return rows, q.Scan(&rows).Error
}
