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

// Actor is who makes a write, when, and the settings it is judged by: the one
// context every audited write takes (its change rows name the user and the
// moment; the health refresh and the date rules judge by its day).
type Actor struct {
	UserID   *uint
	At       time.Time // zero: now, on the database handle's clock (NowOf)
	Today    Date      // zero: At's day
	Settings Settings
}

// stamp is the moment the write's rows are stamped with.
func (a Actor) stamp(tx *gorm.DB) time.Time {
	if a.At.IsZero() {
		return NowOf(tx)
	}
	return a.At.UTC()
}

// at is the write's moment, when the caller gave it (the risk writes do).
func (a Actor) at() time.Time { return a.At.UTC() }

// today is the day the write is judged on.
func (a Actor) today() Date {
	if !a.Today.IsZero() {
		return a.Today
	}
	return DateOf(a.At)
}

// refresh recomputes the health of an engagement inside the writer's transaction.
func (a Actor) refresh(ctx context.Context, tx *gorm.DB, engagementID uint) error {
	if engagementID == 0 {
		return nil
	}
	return RefreshHealth(ctx, tx, a.Settings, a.today(), engagementID)
}

// updateTracked writes the listed fields of next over the row id of T if the row
// is still at version, and records one history row per changed field (with
// pretty to rewrite the stored text of a field, e.g. thousandths as decimals). It
// returns the row as it was. A save that changes nothing writes nothing, but a
// stale version is still ErrStale, so a conflict is never hidden.
func updateTracked[T any](tx *gorm.DB, w Actor, entity string, id uint, version int, next *T,
	pretty func(*Change), fields ...string) (T, error) {
	var old T
	if err := tx.First(&old, id).Error; err != nil {
		return old, err
	}
	changes := Diff(entity, id, w.UserID, w.stamp(tx), &old, next, fields...)
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
	cols["updated_at"] = w.stamp(tx)
	if err := UpdateVersioned(tx, &old, id, version, cols); err != nil {
		return old, err
	}
	return old, RecordChanges(tx, changes)
}

// createTracked inserts row and records its creation with the listed fields.
func createTracked[T any](tx *gorm.DB, w Actor, entity string, row *T, id func() uint,
	pretty func(*Change), fields ...string) error {
	if err := tx.Create(row).Error; err != nil {
		return err
	}
	changes := Created(entity, id(), w.UserID, w.stamp(tx), row, fields...)
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
