package models

// ITO exit readiness (DOMAIN: Governance) mirrors BOT transfer readiness: a
// weighted checklist per ITO engagement, each item not started, in progress
// or done, giving an exit-readiness % by the same rule (Readiness). It lives
// in its own table, not readiness_items: the transfers page, health's
// transfer rule and the pack sum readiness_items without asking the model,
// so an exit item there would count as transfer readiness.

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
)

// ExitAreas are the exit checklist's default areas and weights (sum 100).
var ExitAreas = []ReadinessArea{
	{"Exit plan agreed", 20}, {"Data return tested", 20}, {"Documentation current", 15},
	{"Knowledge held in-house", 15}, {"Licences and assets transferable", 15}, {"Termination assistance priced", 15},
}

// ExitItem is one area of an ITO engagement's exit-readiness checklist.
type ExitItem struct {
	ID           uint `gorm:"primaryKey"`
	EngagementID uint
	Area         string
	Weight       int
	Status       int // ReadinessNotStarted, ReadinessInProgress or ReadinessDone
	Owner        string
	Evidence     string
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName is the exit checklists' table (migration 29).
func (ExitItem) TableName() string { return "exit_readiness_items" }

// EntityExitItem names exit checklist items in the history.
const EntityExitItem = "exit_readiness_item"

// ErrNotITO is returned for an exit checklist of an engagement that is not an ITO contract.
var ErrNotITO = errors.New("only ITO engagements have an exit-readiness checklist")

// ErrExitChecklistExists is returned when asked to create an exit checklist that exists.
var ErrExitChecklistExists = errors.New("this engagement already has an exit checklist")

// ExitReadiness is Readiness of an exit checklist: Σ weight × progress as a %
// of the total weight; false when there are no items.
func ExitReadiness(items []ExitItem) (float64, bool) {
	rs := make([]ReadinessItem, len(items))
	for i, it := range items {
		rs[i] = ReadinessItem{Weight: it.Weight, Status: it.Status}
	}
	return Readiness(rs)
}

func requireITO(tx *gorm.DB, engagementID uint) error {
	var e Engagement
	if err := tx.Select("id, model").First(&e, engagementID).Error; err != nil {
		return err
	}
	if e.Model != ModelITO {
		return ErrNotITO
	}
	return nil
}

// CreateExitChecklist gives an ITO engagement that has none the default exit
// areas and weights (ExitAreas), all not started, each with its history.
func CreateExitChecklist(ctx context.Context, db *gorm.DB, w Actor, engagementID uint) ([]ExitItem, error) {
	items := make([]ExitItem, len(ExitAreas))
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		if err := requireITO(tx, engagementID); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&ExitItem{}).Where("engagement_id = ?", engagementID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrExitChecklistExists
		}
		for i, a := range ExitAreas {
			items[i] = ExitItem{EngagementID: engagementID, Area: a.Area, Weight: a.Weight, Status: ReadinessNotStarted,
				Version: 1, CreatedAt: w.stamp(tx), UpdatedAt: w.stamp(tx)}
			it := &items[i]
			if err := createTracked(tx, w, EntityExitItem, it, func() uint { return it.ID }, prettyReadiness, readinessFields...); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		err = ErrExitChecklistExists // two creates at once: the unique (engagement, area) keeps one
	}
	return items, err
}

// UpdateExitItem edits an exit checklist item (weight, status, owner,
// evidence) if it is still at version (ErrStale otherwise), with its history,
// and returns the item as it was.
func UpdateExitItem(ctx context.Context, db *gorm.DB, w Actor, id uint, version int, next ExitItem) (ExitItem, error) {
	var old ExitItem
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var err error
		old, err = updateTracked(tx, w, EntityExitItem, id, version, &next, prettyReadiness, "Weight", "Status", "Owner", "Evidence")
		return err
	})
	return old, err
}

// ListExitItems returns an engagement's exit checklist, heaviest areas first.
func ListExitItems(ctx context.Context, db *gorm.DB, engagementID uint) ([]ExitItem, error) {
	var out []ExitItem
	return out, db.WithContext(ctx).Where("engagement_id = ?", engagementID).Order("weight DESC, id").Find(&out).Error
}

// ExitReadinessOf is the exit readiness % of each of the engagements that has
// an exit checklist, summed in SQL as the transfers' readiness is: got is
// Σ weight × status (status in halves), total Σ weight × 2.
func ExitReadinessOf(ctx context.Context, db *gorm.DB, engagementIDs []uint) (map[uint]float64, error) {
	out := map[uint]float64{}
	if len(engagementIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		EngagementID uint
		Got, Total   int
	}
	if err := db.WithContext(ctx).Model(&ExitItem{}).Select("engagement_id, SUM(weight * status) AS got, SUM(weight) * 2 AS total").
		Where("engagement_id IN ?", engagementIDs).Group("engagement_id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.Total > 0 {
			out[r.EngagementID] = 100 * float64(r.Got) / float64(r.Total)
		}
	}
	return out, nil
}
