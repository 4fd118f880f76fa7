package models

import (
	"context"

	"gorm.io/gorm"
)

// ScoreWeights weight the selection scorecard (sum 100).
var ScoreWeights = []struct {
	Name   string
	Weight int
	Get    func(Vendor) int
}{
	{"Expertise and experience", 25, func(v Vendor) int { return v.Expertise }},
	{"Track record", 25, func(v Vendor) int { return v.TrackRecord }},
	{"Financial stability", 20, func(v Vendor) int { return v.FinancialStability }},
	{"Cultural fit", 15, func(v Vendor) int { return v.CulturalFit }},
	{"Security posture", 15, func(v Vendor) int { return v.SecurityPosture }},
}

// WeightedScore is the scorecard's weighted mean on the 1–5 scale.
func (v Vendor) WeightedScore() float64 {
	total := 0
	for _, w := range ScoreWeights {
		total += w.Weight * w.Get(v)
	}
	return float64(total) / 100
}

// VendorRow is a vendor in the list with its portfolio figures.
type VendorRow struct {
	Vendor
	Engagements int
	Active      int
	OpenRisks   int
	Red         int
}

// ListVendorsArchived lists the archived vendors (archived true) or the others, with their counts.
func ListVendorsArchived(ctx context.Context, db *gorm.DB, archived bool) ([]VendorRow, error) {
	db = db.WithContext(ctx)
	var vs []Vendor
	if err := db.Where("archived = ?", archived).Order("name").Find(&vs).Error; err != nil {
		return nil, err
	}
	var engs []struct {
		VendorID                 uint
		Engagements, Active, Red int
	}
	if err := db.Table("engagements").Select(`vendor_id, COUNT(*) AS engagements,
		SUM(CASE WHEN closed_on IS NULL THEN 1 ELSE 0 END) AS active,
		SUM(CASE WHEN closed_on IS NULL AND health = 'red' THEN 1 ELSE 0 END) AS red`).Group("vendor_id").Scan(&engs).Error; err != nil {
		return nil, err
	}
	var risks []struct {
		VendorID uint
		N        int
	}
	if err := db.Table("risks").Joins("JOIN engagements e ON e.id = risks.engagement_id").
		Select("e.vendor_id AS vendor_id, COUNT(*) AS n").Where("risks.status <> ?", StatusClosed).
		Group("e.vendor_id").Scan(&risks).Error; err != nil {
		return nil, err
	}
	out := make([]VendorRow, len(vs))
	idx := map[uint]int{}
	for i, v := range vs {
		out[i].Vendor = v
		idx[v.ID] = i
	}
	for _, e := range engs {
		if i, ok := idx[e.VendorID]; ok {
			out[i].Engagements, out[i].Active, out[i].Red = e.Engagements, e.Active, e.Red
		}
	}
	for _, r := range risks {
		if i, ok := idx[r.VendorID]; ok {
			out[i].OpenRisks = r.N
		}
	}
	return out, nil
}
