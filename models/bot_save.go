package models

import (
	"context"
	"reflect"
	"time"

	"gorm.io/gorm"
)

// History entity names of the service-level, BOT-transfer and lesson records.
const (
	EntitySLA            = "sla"
	EntitySLAMeasurement = "sla_measurement"
	EntityMilestone      = "milestone"
	EntityReadinessItem  = "readiness_item"
	EntityTransferGate   = "transfer_gate"
	EntityLesson         = "lesson"
)

// DeliveryWrite is one write to service levels, milestones, transfer readiness,
// gates or lessons: who makes it, when, and what the health refresh needs.
type DeliveryWrite struct {
	Settings Settings
	Today    Date
	UserID   *uint
	At       time.Time // zero: now
}

func (w DeliveryWrite) at(tx *gorm.DB) time.Time {
	if w.At.IsZero() {
		return NowOf(tx)
	}
	return w.At.UTC()
}

// refresh recomputes the health of an engagement inside the writer's transaction.
func (w DeliveryWrite) refresh(ctx context.Context, tx *gorm.DB, engagementID uint) error {
	if engagementID == 0 {
		return nil
	}
	return RefreshHealth(ctx, tx, w.Settings, w.Today, engagementID)
}

// updateTracked writes the listed fields of next over the row id of T if the row
// is still at version, and records one history row per changed field (with
// pretty to rewrite the stored text of a field, e.g. thousandths as decimals). It
// returns the row as it was. A save that changes nothing writes nothing, but a
// stale version is still ErrStale, so a conflict is never hidden.
func updateTracked[T any](tx *gorm.DB, w DeliveryWrite, entity string, id uint, version int, next *T,
	pretty func(*Change), fields ...string) (T, error) {
	var old T
	if err := tx.First(&old, id).Error; err != nil {
		return old, err
	}
	changes := Diff(entity, id, w.UserID, w.at(tx), &old, next, fields...)
	cols := map[string]any{}
	for i := range changes {
		cols[changes[i].Field] = fieldByColumn(next, changes[i].Field, fields)
		if pretty != nil {
			pretty(&changes[i])
		}
	}
	if len(cols) == 0 {
		var n int64
		if err := tx.Model(&old).Where("id = ? AND version = ?", id, version).Count(&n).Error; err != nil {
			return old, err
		}
		if n == 0 {
			return old, ErrStale
		}
		return old, nil
	}
	cols["updated_at"] = w.at(tx)
	if err := UpdateVersioned(tx, &old, id, version, cols); err != nil {
		return old, err
	}
	return old, RecordChanges(tx, changes)
}

// createTracked inserts row and records its creation with the listed fields.
func createTracked[T any](tx *gorm.DB, w DeliveryWrite, entity string, row *T, id func() uint,
	pretty func(*Change), fields ...string) error {
	if err := tx.Create(row).Error; err != nil {
		return err
	}
	changes := Created(entity, id(), w.UserID, w.at(tx), row, fields...)
	if pretty != nil {
		for i := range changes {
			pretty(&changes[i])
		}
	}
	return RecordChanges(tx, changes)
}

// fieldByColumn reads the value of the field (Go name among fields) whose column is col.
func fieldByColumn(v any, col string, fields []string) any {
	for _, f := range fields {
		if naming.ColumnName("", f) == col {
			return reflect.Indirect(reflect.ValueOf(v)).FieldByName(f).Interface()
		}
	}
	return nil
}
