package models

import (
	"context"
	"errors"
	"strconv"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
)

// readinessFields are the ReadinessItem fields every write records.
var readinessFields = []string{"Area", "Weight", "Status", "Owner", "Evidence"}

// gateFields are the TransferGate fields every write records.
var gateFields = []string{"Decision", "DecidedOn", "DecidedBy", "Conditions"}

// Gate decisions.
var GateDecisions = []string{"go", "no-go", "conditional"}

// ReadinessStatuses are the item statuses in order, for forms.
var ReadinessStatuses = []int{ReadinessNotStarted, ReadinessInProgress, ReadinessDone}

// ErrNotBOT is returned for transfer records of an engagement that is not a BOT programme.
var ErrNotBOT = errors.New("only BOT engagements have a transfer checklist and gate")

// ErrChecklistExists is returned when asked to create a checklist that exists.
var ErrChecklistExists = errors.New("this engagement already has a transfer checklist")

// prettyReadiness shows statuses by name in history.
func prettyReadiness(c *Change) {
	if c.Field != "status" {
		return
	}
	for _, p := range []*string{&c.Old, &c.New} {
		if n, err := strconv.Atoi(*p); err == nil {
			*p = ReadinessStatusLabel(n)
		}
	}
}

func requireBOT(tx *gorm.DB, engagementID uint) error {
	var e Engagement
	if err := tx.Select("id, model").First(&e, engagementID).Error; err != nil {
		return err
	}
	if !e.IsBOT() {
		return ErrNotBOT
	}
	return nil
}

// CreateDefaultChecklist gives a BOT engagement that has no checklist the
// default areas and weights (ReadinessAreas), all not started, with history,
// and refreshes its health (readiness feeds the transfer gate rule).
func CreateDefaultChecklist(ctx context.Context, db *gorm.DB, w Actor, engagementID uint) ([]ReadinessItem, error) {
	var items []ReadinessItem
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		if err := requireBOT(tx, engagementID); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&ReadinessItem{}).Where("engagement_id = ?", engagementID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrChecklistExists
		}
		var err error
		if items, err = createChecklist(tx, w, engagementID); err != nil {
			return err
		}
		return w.refresh(ctx, tx, engagementID)
	})
	return items, err
}

// createChecklist writes the default checklist's items, each with its history.
func createChecklist(tx *gorm.DB, w Actor, engagementID uint) ([]ReadinessItem, error) {
	items := make([]ReadinessItem, len(ReadinessAreas))
	for i, a := range ReadinessAreas {
		items[i] = ReadinessItem{EngagementID: engagementID, Area: a.Area, Weight: a.Weight, Status: ReadinessNotStarted,
			Version: 1, CreatedAt: w.stamp(tx), UpdatedAt: w.stamp(tx)}
		it := &items[i]
		if err := createTracked(tx, w, EntityReadinessItem, it, func() uint { return it.ID }, prettyReadiness, readinessFields...); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// UpdateReadinessItem edits a checklist item (weight, status, owner, evidence) if
// it is still at version, and refreshes the engagement's health.
func UpdateReadinessItem(ctx context.Context, db *gorm.DB, w Actor, id uint, version int, next ReadinessItem) (ReadinessItem, error) {
	var old ReadinessItem
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var err error
		if old, err = updateTracked(tx, w, EntityReadinessItem, id, version, &next, prettyReadiness, "Weight", "Status", "Owner", "Evidence"); err != nil {
			return err
		}
		return w.refresh(ctx, tx, old.EngagementID)
	})
	return old, err
}

// ListReadiness returns an engagement's checklist, heaviest areas first.
func ListReadiness(ctx context.Context, db *gorm.DB, engagementID uint) ([]ReadinessItem, error) {
	var out []ReadinessItem
	return out, db.WithContext(ctx).Where("engagement_id = ?", engagementID).Order("weight DESC, id").Find(&out).Error
}

// CreateGate records a go/no-go decision on a BOT engagement's transfer.
func CreateGate(ctx context.Context, db *gorm.DB, w Actor, g *TransferGate) error {
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		if err := requireBOT(tx, g.EngagementID); err != nil {
			return err
		}
		g.ID, g.Version = 0, 1
		g.CreatedAt, g.UpdatedAt = w.stamp(tx), w.stamp(tx)
		return createTracked(tx, w, EntityTransferGate, g, func() uint { return g.ID }, nil, gateFields...)
	})
}

// UpdateGate corrects a gate record if it is still at version (ErrStale otherwise).
func UpdateGate(ctx context.Context, db *gorm.DB, w Actor, id uint, version int, next TransferGate) (TransferGate, error) {
	var old TransferGate
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var err error
		old, err = updateTracked(tx, w, EntityTransferGate, id, version, &next, nil, gateFields...)
		return err
	})
	return old, err
}

// ListGates returns an engagement's gate decisions, latest first.
func ListGates(ctx context.Context, db *gorm.DB, engagementID uint) ([]TransferGate, error) {
	var out []TransferGate
	return out, db.WithContext(ctx).Where("engagement_id = ?", engagementID).Order("decided_on DESC, id DESC").Find(&out).Error
}
