package models

import (
	"context"
	"reflect"

	"gorm.io/gorm"
)

// CostImportRow is one month an import writes: New as the file has it, and Old
// the record it updates as it was checked (ID 0 for a new month).
type CostImportRow struct {
	New, Old CostRecord
}

// ImportCosts writes the months of an import in the caller's transaction, each
// with its history, then refreshes the health of the engagements touched. An
// update whose record moved on since the check returns ErrStale; a new month
// that someone recorded meanwhile returns gorm.ErrDuplicatedKey: either way the
// caller rolls the whole file back.
func ImportCosts(ctx context.Context, tx *gorm.DB, w Actor, rows []CostImportRow) error {
	tx = tx.WithContext(ctx)
	now := NowOf(tx)
	touched := map[uint]bool{}
	var ids []uint
	var totals aggDeltas
	for _, r := range rows {
		in := r.New
		in.Month = in.Month.MonthStart()
		if r.Old.ID == 0 {
			in.ID, in.Version = 0, 1
			if err := tx.Create(&in).Error; err != nil {
				return err
			}
			totals.costRecord(in, +1)
			if err := RecordChanges(tx, Created("cost", in.ID, w.UserID, now, in, append([]string{"Month", "Currency"}, CostFields...)...)); err != nil {
				return err
			}
		} else {
			cols := map[string]any{}
			for _, f := range CostFields {
				cols[naming.ColumnName("", f)] = fieldValue(in, f)
			}
			if err := UpdateVersioned(tx, &CostRecord{}, r.Old.ID, r.Old.Version, cols); err != nil {
				return err
			}
			if err := RecordChanges(tx, Diff("cost", r.Old.ID, w.UserID, now, r.Old, in, CostFields...)); err != nil {
				return err
			}
			// The month and currency stay as stored: only the amounts and type change.
			next := r.Old
			for _, f := range CostFields {
				reflect.ValueOf(&next).Elem().FieldByName(f).Set(reflect.ValueOf(in).FieldByName(f))
			}
			totals.costRecord(r.Old, -1)
			totals.costRecord(next, +1)
		}
		if !touched[in.EngagementID] {
			touched[in.EngagementID] = true
			ids = append(ids, in.EngagementID)
		}
	}
	if err := totals.apply(tx); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	return RefreshHealth(ctx, tx, w.Settings, w.Today, ids...)
}
