package models

import (
	"context"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// EngagementFilter selects engagements for the list.
type EngagementFilter struct {
	Model, Tower, Phase, Health, Q string
	Status                         string // "active", "closed" or "" for both
	VendorID, ManagerID            uint
	Sort, Dir                      string
	Page, PerPage                  int
	// Reporting and Today make the "value" sort order by the contract value
	// in the reporting currency, converted as ValueRates converts it (each
	// currency at its latest rate up to today's month; none: 0). Without
	// them it orders by the amounts as stored, whatever their currency.
	Reporting string
	Today     Date
}

// valueInReporting is a contract value in the reporting currency, for
// ordering only (a float is fine there; the page's figures are exact).
const valueInReporting = `(engagements.contract_value * CASE WHEN engagements.currency = ? THEN 1.0 ELSE COALESCE((SELECT CAST(r.rate AS DOUBLE PRECISION)
	FROM fx_rates r WHERE r.currency = engagements.currency AND r.month <= ? ORDER BY r.month DESC LIMIT 1), 0) END)`

// EngagementSorts maps sort keys to columns.
var EngagementSorts = map[string]string{
	"code": "engagements.code", "name": "engagements.name", "vendor": "Vendor.name", "tower": "engagements.tower",
	"phase": "engagements.phase", "value": "engagements.contract_value", "end": "engagements.contract_end",
	"health": "CASE engagements.health WHEN 'red' THEN 0 WHEN 'amber' THEN 1 ELSE 2 END",
}

func (f EngagementFilter) apply(q *gorm.DB) *gorm.DB {
	if f.Model != "" {
		q = q.Where("engagements.model = ?", f.Model)
	}
	if f.Tower != "" {
		q = q.Where("engagements.tower = ?", f.Tower)
	}
	if f.Phase != "" {
		q = q.Where("engagements.phase = ?", f.Phase)
	}
	if f.Health != "" {
		q = q.Where("engagements.health = ? AND engagements.closed_on IS NULL", f.Health)
	}
	switch f.Status {
	case "active":
		q = q.Where("engagements.closed_on IS NULL")
	case "closed":
		q = q.Where("engagements.closed_on IS NOT NULL")
	}
	if f.VendorID != 0 {
		q = q.Where("engagements.vendor_id = ?", f.VendorID)
	}
	if f.ManagerID != 0 {
		q = q.Scopes(ManagedBy(f.ManagerID))
	}
	if t := strings.TrimSpace(f.Q); t != "" {
		like := "%" + EscapeLike(strings.ToLower(t)) + "%"
		q = q.Where(`(LOWER(engagements.name) LIKE ? ESCAPE '\' OR LOWER(engagements.code) LIKE ? ESCAPE '\' OR LOWER("Vendor".name) LIKE ? ESCAPE '\' OR LOWER(engagements.business_unit) LIKE ? ESCAPE '\')`, like, like, like, like)
	}
	return q
}

// Scope narrows a query over engagements (joined to their vendor as "Vendor") to the filter.
func (f EngagementFilter) Scope(q *gorm.DB) *gorm.DB { return f.apply(q) }

// EngagementRow is an engagement in the list with its open risk count and
// (ConvertContractValues) its contract value in the reporting currency.
type EngagementRow struct {
	Engagement
	OpenRisks int
	Converted ConvertedValue
}

// ListEngagements returns one page of engagements and the number that match.
func ListEngagements(ctx context.Context, db *gorm.DB, f EngagementFilter) ([]EngagementRow, int64, error) {
	db = db.WithContext(ctx)
	var total int64
	if err := f.apply(db.Model(&Engagement{}).Joins("Vendor")).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	col, ok := EngagementSorts[f.Sort]
	if !ok {
		col = EngagementSorts["code"]
	}
	col = strings.Replace(col, "Vendor.", `"Vendor".`, 1)
	dir := " ASC"
	if f.Dir == "desc" {
		dir = " DESC"
	}
	order := clause.Expr{SQL: col + dir + ", engagements.id" + dir}
	if f.Sort == "value" && f.Reporting != "" {
		order = clause.Expr{SQL: valueInReporting + dir + ", engagements.id" + dir, Vars: []any{f.Reporting, f.Today.MonthStart()}}
	}
	var engs []Engagement
	if err := f.apply(db.Joins("Vendor")).Order(clause.OrderBy{Expression: order}).
		Limit(f.PerPage).Offset((f.Page - 1) * f.PerPage).Find(&engs).Error; err != nil {
		return nil, 0, err
	}
	rows := make([]EngagementRow, len(engs))
	ids := make([]uint, len(engs))
	for i, e := range engs {
		rows[i].Engagement, ids[i] = e, e.ID
	}
	if len(ids) > 0 {
		var counts []struct {
			EngagementID uint
			N            int
		}
		if err := db.Table("risks").Select("engagement_id, COUNT(*) AS n").Where("engagement_id IN ? AND status <> ?", ids, StatusClosed).
			Group("engagement_id").Scan(&counts).Error; err != nil {
			return nil, 0, err
		}
		for _, c := range counts {
			for i := range rows {
				if rows[i].ID == c.EngagementID {
					rows[i].OpenRisks = c.N
				}
			}
		}
	}
	return rows, total, nil
}

// EngagementDetail is everything the engagement page shows.
type EngagementDetail struct {
	Engagement Engagement
	Managers   []User
	Costs      []CostSums // per month, oldest first
	SLAs       []SLAView
	Risks      []Risk // live risks, worst first
	Closed     int64  // closed risks, counted
	Milestones []Milestone
	Readiness  []ReadinessItem
	Exit       []ExitItem // an ITO contract's exit checklist
	Gates      []TransferGate
	Reviews    []GovernanceReview
	Phases     []PhaseChange
	Lessons    []Lesson
}

// SLAView is a service level with its recent measurements.
type SLAView struct {
	SLA    ServiceLevel
	Recent []SLAMeasurement // the last six months measured, oldest first
}

// LoadEngagement reads an engagement and everything on its page; gorm.ErrRecordNotFound when absent.
func LoadEngagement(ctx context.Context, db *gorm.DB, id uint) (*EngagementDetail, error) {
	db = db.WithContext(ctx)
	d := &EngagementDetail{}
	if err := db.Preload("Vendor").Preload("Manager").First(&d.Engagement, id).Error; err != nil {
		return nil, err
	}
	e := d.Engagement
	steps := []func() error{
		func() error {
			return db.Where("id IN (SELECT user_id FROM engagement_managers WHERE engagement_id = ?)", id).Order("name").Find(&d.Managers).Error
		},
		func() (err error) { d.Costs, err = SumCosts(ctx, db, CostScope{EngagementID: id}); return },
		func() error {
			return db.Preload("Owner").Where("engagement_id = ? AND status <> ?", id, StatusClosed).
				Order("residual_score DESC, inherent_score DESC, id").Find(&d.Risks).Error
		},
		func() error {
			return db.Model(&Risk{}).Where("engagement_id = ? AND status = ?", id, StatusClosed).Count(&d.Closed).Error
		},
		func() error { return db.Where("engagement_id = ?", id).Order("planned, id").Find(&d.Milestones).Error },
		func() error {
			return db.Where("engagement_id = ?", id).Order("weight DESC, id").Find(&d.Readiness).Error
		},
		func() (err error) {
			if e.Model == ModelITO {
				d.Exit, err = ListExitItems(ctx, db, id)
			}
			return
		},
		func() error { return db.Where("engagement_id = ?", id).Order("decided_on DESC").Find(&d.Gates).Error },
		func() error {
			return db.Where("engagement_id = ?", id).Order("quarter DESC").Limit(4).Find(&d.Reviews).Error
		},
		func() error { return db.Where("engagement_id = ?", id).Order("changed_on, id").Find(&d.Phases).Error },
		func() (err error) { d.SLAs, err = loadSLAViews(ctx, db, id); return },
		func() (err error) { d.Lessons, err = RelevantLessons(ctx, db, e, 5); return },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func loadSLAViews(ctx context.Context, db *gorm.DB, engagementID uint) ([]SLAView, error) {
	var slas []ServiceLevel
	if err := db.WithContext(ctx).Where("engagement_id = ? AND NOT archived", engagementID).Order("id").Find(&slas).Error; err != nil {
		return nil, err
	}
	var latest Date
	var ms []SLAMeasurement
	if err := db.WithContext(ctx).Model(&SLAMeasurement{}).Where("engagement_id = ?", engagementID).Select("MAX(month)").Scan(&latest).Error; err != nil {
		return nil, err
	}
	if !latest.IsZero() {
		if err := db.WithContext(ctx).Where("engagement_id = ? AND month > ?", engagementID, Date{latest.AddDate(0, -6, 0)}).
			Order("month").Find(&ms).Error; err != nil {
			return nil, err
		}
	}
	out := make([]SLAView, len(slas))
	for i, s := range slas {
		out[i].SLA = s
		for _, m := range ms {
			if m.ServiceLevelID == s.ID {
				out[i].Recent = append(out[i].Recent, m)
			}
		}
	}
	return out, nil
}

// LessonPhaseOf maps an engagement phase to the lesson phase it is in.
func LessonPhaseOf(phase string) string {
	switch phase {
	case "Selection":
		return "selection"
	case "Build", "Transition":
		return "build/transition"
	case "Operate", "Run":
		return "operate"
	}
	return "transfer/exit"
}

// EngagementByID reads one engagement (gorm.ErrRecordNotFound, a 404, when there is none).
func EngagementByID(ctx context.Context, db *gorm.DB, id uint) (Engagement, error) {
	var e Engagement
	err := db.WithContext(ctx).First(&e, id).Error
	return e, err
}
