package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// Transfer red-flag rule, as engagement health has it: a transfer within
// TransferWarnDays whose readiness is below TransferMinReadiness %.
const (
	TransferWarnDays     = 60
	TransferMinReadiness = 70
)

// TransferFilter selects the upcoming transfers.
type TransferFilter struct {
	AtRisk        bool // red-flagged only
	Page, PerPage int
}

// TransferRow is an upcoming BOT transfer with its readiness and latest gate.
type TransferRow struct {
	Engagement   Engagement
	Readiness    float64
	HasReadiness bool
	DaysToGo     int           // negative when the planned date has passed
	Gate         *TransferGate // the latest go/no-go decision, if any
	RedFlag      bool
}

// TransferSummary counts the upcoming transfers.
type TransferSummary struct {
	Upcoming, RedFlags, Within90, Overdue int64
}

// readinessAgg is the checklist of each engagement summed in SQL: got is Σ
// weight × status (status in halves) and total Σ weight × 2.
const readinessAgg = `(SELECT engagement_id, SUM(weight * status) AS got, SUM(weight) * 2 AS total
	FROM readiness_items GROUP BY engagement_id) r`

// upcomingTransfers are BOT engagements not yet transferred nor closed, with a planned transfer date.
func upcomingTransfers(db *gorm.DB, today Date, f TransferFilter) *gorm.DB {
	q := db.Table("engagements").Joins("LEFT JOIN "+readinessAgg+" ON r.engagement_id = engagements.id").
		Where("engagements.model = ? AND engagements.actual_transfer IS NULL AND engagements.closed_on IS NULL AND engagements.planned_transfer IS NOT NULL AND engagements.phase <> ?",
			ModelBOT, "Transferred")
	if f.AtRisk {
		q = q.Where(redFlagSQL, today.AddDays(TransferWarnDays))
	}
	return q
}

// redFlagSQL is the red-flag rule in SQL: readiness % = 100 × got ÷ total, so
// "below 70 %" is 100 × got < 70 × total; no checklist counts as not ready.
var redFlagSQL = fmt.Sprintf("(engagements.planned_transfer <= ? AND (r.total IS NULL OR r.total = 0 OR 100 * r.got < %d * r.total))", TransferMinReadiness)

// ListTransfers returns one page of upcoming transfers, soonest first, and how many there are.
func ListTransfers(ctx context.Context, db *gorm.DB, today Date, f TransferFilter) ([]TransferRow, int64, error) {
	db = db.WithContext(ctx)
	var total int64
	if err := upcomingTransfers(db, today, f).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var raw []struct {
		ID         uint
		Got, Total *int
	}
	q := upcomingTransfers(db, today, f).Select("engagements.id, r.got, r.total").
		Order("engagements.planned_transfer, engagements.code")
	if f.PerPage > 0 {
		q = q.Limit(f.PerPage).Offset((f.Page - 1) * f.PerPage)
	}
	if err := q.Scan(&raw).Error; err != nil {
		return nil, 0, err
	}
	if len(raw) == 0 {
		return nil, total, nil
	}
	ids := make([]uint, len(raw))
	for i, r := range raw {
		ids[i] = r.ID
	}
	var engs []Engagement
	if err := db.Preload("Vendor").Preload("Manager").Where("id IN ?", ids).Find(&engs).Error; err != nil {
		return nil, 0, err
	}
	byID := map[uint]Engagement{}
	for _, e := range engs {
		byID[e.ID] = e
	}
	var gates []TransferGate
	if err := db.Where("engagement_id IN ?", ids).Order("engagement_id, decided_on DESC, id DESC").Find(&gates).Error; err != nil {
		return nil, 0, err
	}
	latest := map[uint]*TransferGate{}
	for i := range gates {
		if latest[gates[i].EngagementID] == nil {
			latest[gates[i].EngagementID] = &gates[i]
		}
	}
	out := make([]TransferRow, len(raw))
	for i, r := range raw {
		e := byID[r.ID]
		row := TransferRow{Engagement: e, DaysToGo: today.DaysUntil(e.PlannedTransfer), Gate: latest[r.ID]}
		if r.Total != nil && *r.Total > 0 {
			row.Readiness, row.HasReadiness = 100*float64(*r.Got)/float64(*r.Total), true
		}
		row.RedFlag = TransferRedFlag(row.DaysToGo, row.Readiness, row.HasReadiness)
		out[i] = row
	}
	return out, total, nil
}

// TransferRedFlag is the rule: within 60 days (or overdue) and below 70 % ready (or no checklist).
func TransferRedFlag(daysToGo int, readiness float64, hasReadiness bool) bool {
	return daysToGo <= TransferWarnDays && (!hasReadiness || readiness < TransferMinReadiness)
}

// SummariseTransfers counts the upcoming transfers, red flags, those within 90
// days and those past their planned date, in one query.
func SummariseTransfers(ctx context.Context, db *gorm.DB, today Date) (TransferSummary, error) {
	var s TransferSummary
	err := upcomingTransfers(db.WithContext(ctx), today, TransferFilter{}).Select(`COUNT(*) AS upcoming,
		COALESCE(SUM(CASE WHEN `+redFlagSQL+` THEN 1 ELSE 0 END), 0) AS red_flags,
		COALESCE(SUM(CASE WHEN engagements.planned_transfer BETWEEN ? AND ? THEN 1 ELSE 0 END), 0) AS within90,
		COALESCE(SUM(CASE WHEN engagements.planned_transfer < ? THEN 1 ELSE 0 END), 0) AS overdue`,
		today.AddDays(TransferWarnDays), today, today.AddDays(90), today).Scan(&s).Error
	return s, err
}
