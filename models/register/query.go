package register

import (
	"context"

	"gorm.io/gorm"

	"portfolio/models"
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
	Expired       bool // accepted risks whose acceptance has expired
	Likelihood    int  // with Impact: one heat-map cell of BandKind
	Impact        int
	Q             string
	Sort, Dir     string
	Page, PerPage int // PerPage 0: every matching row
	// After and Before are keyset cursors (risk ids): the page just after, or
	// just before, that risk in the sort order; Page then only numbers it.
	After, Before uint
	// AsAt, when set, reads the register as it stood at the end of that day,
	// reconstructed from history (asat.go); filters apply to those values.
	AsAt models.Date
	// MovedSince, when set, keeps the risks that moved between the end of that
	// day and AsAt (or today when AsAt is zero); MoveKind narrows it to one kind.
	MovedSince models.Date
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
func (f RiskFilter) apply(q *gorm.DB, s models.RiskSettings, today models.Date, withCell bool) *gorm.DB {
	q = statusCondition(q, "risks.status", f.Status)
	if f.PortfolioWide {
		q = q.Where("risks.engagement_id IS NULL")
	} else if f.EngagementID != 0 {
		q = q.Where("risks.engagement_id = ?", f.EngagementID)
	}
	if f.VendorID != 0 {
		// A subquery, not a join: the engagements table is then joined only
		// when a sort needs it.
		q = q.Where("risks.engagement_id IN (SELECT id FROM engagements WHERE vendor_id = ?)", f.VendorID)
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
		q = q.Where("risks.next_review < ? AND risks.status <> ?", today, models.StatusClosed)
	}
	if f.OutOfAppetite {
		q = q.Where("risks.residual_score > ?", s.Appetite)
	}
	if f.Expired {
		q = q.Where("risks.status = ? AND risks.accept_expiry < ?", models.StatusAccepted, today)
	}
	if withCell && models.ValidLevel(f.Likelihood) && models.ValidLevel(f.Impact) {
		q = q.Where("risks."+f.kind()+"_likelihood = ? AND risks."+f.kind()+"_impact = ?", f.Likelihood, f.Impact)
	}
	if !f.MovedSince.IsZero() {
		to := f.AsAt
		if to.IsZero() {
			to = today
		}
		if to.IsZero() { // HeatCounts knows no today
			to = models.TodayOf(q)
		}
		q = movedSince(q, f, f.MovedSince, to, f.MoveKind)
	}
	return riskSearch(q, f.Q, !f.AsAt.IsZero())
}

// riskBase is the risks table (as at a day when f.AsAt is set), joined to
// engagements as "e" only when the filter or sort needs them (or withEng): a
// join per row is most of the cost of counting a large register.
func (f RiskFilter) base(db *gorm.DB, withEng bool) *gorm.DB {
	q := db.Table("risks")
	if !f.AsAt.IsZero() {
		q = riskTableAsAt(db, f.AsAt, scopeOf(f))
	}
	if withEng || f.Sort == "engagement" {
		q = q.Joins("LEFT JOIN engagements e ON e.id = risks.engagement_id")
	}
	return q
}

// ListRisks returns one page of the register (f.Page, or the page after or
// before a cursor: see PageRisks) and the number of matching risks.
func ListRisks(ctx context.Context, db *gorm.DB, s models.RiskSettings, today models.Date, f RiskFilter) ([]models.Risk, int64, error) {
	t, err := TallyRisks(ctx, db, s, today, f)
	if err != nil {
		return nil, 0, err
	}
	p, err := PageRisks(ctx, db, s, today, f, t.Total)
	return p.Rows, t.Total, err
}

// ordered is the filtered register in its sort order, one page of it when
// f.PerPage > 0, selecting risks.* (with owners joined as "o" for the sort or
// when withRelations, engagements as "e" likewise).
func (f RiskFilter) ordered(db *gorm.DB, s models.RiskSettings, today models.Date, withRelations bool) *gorm.DB {
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
	switch col {
	case "risks.residual_score":
		q = q.Order("risks.inherent_score" + dir)
	case "o.name":
		q = q.Order("risks.owner_id" + dir) // names repeat: the pages' order (page.go)
	}
	q = q.Order("risks.id" + dir)
	if f.PerPage > 0 {
		q = q.Limit(f.PerPage).Offset((max(f.Page, 1) - 1) * f.PerPage)
	}
	return q
}
