package models

import (
	"context"
	"strings"

	"gorm.io/gorm"
)

// RiskFilter selects risks for the register, its heat maps and exports.
type RiskFilter struct {
	EngagementID  uint
	PortfolioWide bool // only risks not tied to an engagement
	VendorID      uint
	OwnerID       uint
	Category      string
	Status        string // "" = live (not closed), "all", or one status
	Band          string
	BandKind      string // "residual" (default) or "inherent"
	Overdue       bool
	OutOfAppetite bool
	Likelihood    int // with Impact: one heat-map cell of BandKind
	Impact        int
	Q             string
	Sort, Dir     string
	Page, PerPage int // PerPage 0: every matching row
	// AsAt, when set, reads the register as it stood at the end of that day,
	// reconstructed from history (risks_asat.go); filters apply to those values.
	AsAt Date
	// MovedSince, when set, keeps the risks that moved between the end of that
	// day and AsAt (or today when AsAt is zero); MoveKind narrows it to one kind.
	MovedSince Date
	MoveKind   string
}

// RiskSorts maps sort keys to columns; anything else sorts by residual score.
var RiskSorts = map[string]string{
	"ref": "risks.ref", "title": "risks.title", "engagement": "e.code", "category": "risks.category",
	"inherent": "risks.inherent_score", "residual": "risks.residual_score", "owner": "o.name",
	"status": "risks.status", "review": "risks.next_review", "raised": "risks.raised_on",
}

func (f RiskFilter) kind() string {
	if f.BandKind == "inherent" {
		return "inherent"
	}
	return "residual"
}

// apply adds the filter's conditions; the query must have risks joined as "risks" and engagements as "e".
func (f RiskFilter) apply(q *gorm.DB, s RiskSettings, today Date, withCell bool) *gorm.DB {
	switch f.Status {
	case "":
		q = q.Where("risks.status <> ?", StatusClosed)
	case "all":
	default:
		q = q.Where("risks.status = ?", f.Status)
	}
	if f.PortfolioWide {
		q = q.Where("risks.engagement_id IS NULL")
	} else if f.EngagementID != 0 {
		q = q.Where("risks.engagement_id = ?", f.EngagementID)
	}
	if f.VendorID != 0 {
		q = q.Where("e.vendor_id = ?", f.VendorID)
	}
	if f.OwnerID != 0 {
		q = q.Where("risks.owner_id = ?", f.OwnerID)
	}
	if f.Category != "" {
		q = q.Where("risks.category = ?", f.Category)
	}
	if lo, hi, ok := s.BandRange(f.Band); ok {
		q = q.Where("risks."+f.kind()+"_score BETWEEN ? AND ?", lo, hi)
	}
	if f.Overdue {
		q = q.Where("risks.next_review < ? AND risks.status <> ?", today, StatusClosed)
	}
	if f.OutOfAppetite {
		q = q.Where("risks.residual_score > ?", s.Appetite)
	}
	if withCell && ValidLevel(f.Likelihood) && ValidLevel(f.Impact) {
		q = q.Where("risks."+f.kind()+"_likelihood = ? AND risks."+f.kind()+"_impact = ?", f.Likelihood, f.Impact)
	}
	if !f.MovedSince.IsZero() {
		to := f.AsAt
		if to.IsZero() {
			to = today
		}
		if to.IsZero() { // HeatCounts knows no today
			to = Today()
		}
		q = movedSince(q, f, f.MovedSince, to, f.MoveKind)
	}
	if t := strings.TrimSpace(f.Q); t != "" {
		like := "%" + EscapeLike(strings.ToLower(t)) + "%"
		q = q.Where(`(LOWER(risks.title) LIKE ? ESCAPE '\' OR LOWER(risks.ref) LIKE ? ESCAPE '\' OR LOWER(risks.description) LIKE ? ESCAPE '\')`, like, like, like)
	}
	return q
}

// EscapeLike escapes LIKE wildcards so user text matches literally.
func EscapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(s)
}

// riskBase is the risks table (as at a day when f.AsAt is set), joined to
// engagements as "e" only when the filter or sort needs them (or withEng): a
// join per row is most of the cost of counting a large register.
func (f RiskFilter) base(db *gorm.DB, withEng bool) *gorm.DB {
	q := db.Table("risks")
	if !f.AsAt.IsZero() {
		q = riskTableAsAt(db, f.AsAt, f)
	}
	if withEng || f.VendorID != 0 || f.Sort == "engagement" {
		q = q.Joins("LEFT JOIN engagements e ON e.id = risks.engagement_id")
	}
	return q
}

// ListRisks returns one page of the register and the number of matching risks.
func ListRisks(ctx context.Context, db *gorm.DB, s RiskSettings, today Date, f RiskFilter) ([]Risk, int64, error) {
	db = db.WithContext(ctx)
	var total int64
	if err := f.apply(f.base(db, false), s, today, true).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []Risk
	err := f.ordered(db, s, today, false).Preload("Engagement").Preload("Owner").Find(&rows).Error
	return rows, total, err
}

// ordered is the filtered register in its sort order, one page of it when
// f.PerPage > 0, selecting risks.* (with owners joined as "o" for the sort or
// when withRelations, engagements as "e" likewise).
func (f RiskFilter) ordered(db *gorm.DB, s RiskSettings, today Date, withRelations bool) *gorm.DB {
	col, ok := RiskSorts[f.Sort]
	if !ok {
		col = "risks.residual_score"
		if f.Dir == "" {
			f.Dir = "desc"
		}
	}
	dir := " ASC"
	if f.Dir == "desc" {
		dir = " DESC"
	}
	q := f.apply(f.base(db, withRelations), s, today, true)
	if withRelations || f.Sort == "owner" {
		q = q.Joins("LEFT JOIN users o ON o.id = risks.owner_id")
	}
	q = q.Select("risks.*").Order(col + dir)
	if col == "risks.residual_score" {
		q = q.Order("risks.inherent_score" + dir)
	}
	q = q.Order("risks.id" + dir)
	if f.PerPage > 0 {
		q = q.Limit(f.PerPage).Offset((max(f.Page, 1) - 1) * f.PerPage)
	}
	return q
}

// HeatCounts counts the filtered live risks per likelihood × impact cell of kind
// ("residual" or "inherent"), ignoring the filter's own cell.
func HeatCounts(ctx context.Context, db *gorm.DB, kind string, f RiskFilter) ([5][5]int, error) {
	var out [5][5]int
	f.BandKind = kind
	// A map shows the spread of the other filters: band, appetite and overdue
	// filters would only blank out cells.
	f.Band, f.OutOfAppetite, f.Overdue = "", false, false
	q := f.apply(f.base(db.WithContext(ctx), false), RiskSettings{}, f.AsAt, false)
	var rows []struct{ L, I, N int }
	k := f.kind()
	if err := q.Select("risks." + k + "_likelihood AS l, risks." + k + "_impact AS i, COUNT(*) AS n").
		Group("risks." + k + "_likelihood, risks." + k + "_impact").Scan(&rows).Error; err != nil {
		return out, err
	}
	for _, r := range rows {
		if ValidLevel(r.L) && ValidLevel(r.I) {
			out[r.L-1][r.I-1] = r.N
		}
	}
	return out, nil
}
