package models

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portfolio/models/sqlstore"
)

// CostFields are the amounts and type of a cost record a manager edits; each
// change to one is a history row (entity "cost").
var CostFields = []string{"Baseline", "VendorFees", "Retained", "OneOff", "Credits", "PlannedSavings", "SavingsType"}

// SavingsTypes are the two kinds of savings, never summed together.
var SavingsTypes = []string{SavingsHard, SavingsAvoidance}

// SavingsTypeLabel names a savings type for people.
func SavingsTypeLabel(t string) string {
	if t == SavingsAvoidance {
		return "Cost avoidance"
	}
	return "Hard savings"
}

// MonthRecordedError is a new month's record for a month the engagement has
// recorded already: the stored record stays as it is, and is edited through
// its own form (ID) and version.
type MonthRecordedError struct {
	ID    uint // the record of the month
	Month Date
}

func (e *MonthRecordedError) Error() string {
	return e.Month.Format("January 2006") + " is already recorded"
}

// SaveCost records one engagement's costs for a month, in the engagement's currency.
//
// With in.ID zero it is a new month; a month the engagement has recorded
// already is a *MonthRecordedError and nothing is written (recording never
// overwrites). With in.ID set it edits that record if it is still at version
// (ErrStale otherwise). The engagement's health is refreshed in the same
// transaction, since savings against plan feed it.
func SaveCost(ctx context.Context, db *gorm.DB, w Actor, in CostRecord, version int) (CostRecord, error) {
	in.Month = in.Month.MonthStart()
	rec, err := saveCostOnce(ctx, db, w, in, version)
	if errors.Is(err, gorm.ErrDuplicatedKey) && in.ID == 0 {
		// Two first saves of the same month at once: the loser's insert hits
		// the unique index; it is told of the winner's record.
		if old, ok, ferr := CostOfMonth(ctx, db, in.EngagementID, in.Month); ferr == nil && ok {
			return rec, &MonthRecordedError{ID: old.ID, Month: in.Month}
		}
	}
	return rec, err
}

func saveCostOnce(ctx context.Context, db *gorm.DB, w Actor, in CostRecord, version int) (CostRecord, error) {
	var out CostRecord
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var e Engagement
		// The engagement's row is locked first (on PostgreSQL; SQLite's writers
		// queue): an admin moving it to another vendor meanwhile waits, or is
		// waited for, so the vendors' monthly spend counts the record under the
		// vendor it ends up with; and the health refresh below takes the same lock.
		if err := tx.Clauses(clause.Locking{Strength: "NO KEY UPDATE"}).Select("id, currency").First(&e, in.EngagementID).Error; err != nil {
			return err
		}
		// A currency with no rate at all cannot be converted: refused, never counted 1:1.
		if reporting := w.Settings.Finance.ReportingCurrency; e.Currency != reporting {
			none, err := CurrenciesWithoutRates(ctx, tx, reporting, []string{e.Currency})
			if err != nil {
				return err
			}
			if none[e.Currency] {
				return Invalid{"_form": NoRateMessage(e.Currency, reporting)}
			}
		}
		now := NowOf(tx)
		var old CostRecord
		var totals aggDeltas
		if in.ID != 0 {
			if err := tx.Where("id = ? AND engagement_id = ?", in.ID, in.EngagementID).First(&old).Error; err != nil {
				return err
			}
			if old.Version != version {
				return ErrStale
			}
		} else {
			var held CostRecord
			if err := tx.Select("id").Where("engagement_id = ? AND month = ?", in.EngagementID, in.Month).Limit(1).Find(&held).Error; err != nil {
				return err
			}
			if held.ID != 0 {
				return &MonthRecordedError{ID: held.ID, Month: in.Month}
			}
		}
		if old.ID == 0 {
			in.Currency, in.Version = e.Currency, 1
			if err := tx.Create(&in).Error; err != nil {
				return err
			}
			out = in
			totals.costRecord(in, +1)
			fields := append([]string{"Month", "Currency"}, CostFields...)
			if err := RecordChanges(tx, Created("cost", in.ID, w.UserID, now, in, fields...)); err != nil {
				return err
			}
		} else {
			cols := map[string]any{}
			for _, f := range CostFields {
				cols[naming.ColumnName("", f)] = fieldValue(in, f)
			}
			if err := UpdateVersioned(tx, &CostRecord{}, old.ID, old.Version, cols); err != nil {
				return err
			}
			next := old
			next.Baseline, next.VendorFees, next.Retained, next.OneOff = in.Baseline, in.VendorFees, in.Retained, in.OneOff
			next.Credits, next.PlannedSavings, next.SavingsType = in.Credits, in.PlannedSavings, in.SavingsType
			next.Version++
			out = next
			totals.costRecord(old, -1)
			totals.costRecord(next, +1)
			if err := RecordChanges(tx, Diff("cost", old.ID, w.UserID, now, old, next, CostFields...)); err != nil {
				return err
			}
		}
		if err := totals.apply(tx); err != nil {
			return err
		}
		return RefreshHealth(ctx, tx, w.Settings, w.Today, in.EngagementID)
	})
	return out, err
}

// NextCostMonth is the month a new record of the engagement's costs is for by
// default: the first after its latest recorded month, or with none recorded
// the month it started (the current month if later or unknown); never after
// today's month. ok is false when every month to today's is recorded.
func NextCostMonth(ctx context.Context, db *gorm.DB, e Engagement, today Date) (month Date, ok bool, err error) {
	return nextUnrecorded(ctx, db, &CostRecord{}, e, today)
}

// NextSLAMonth is the month a new month of the engagement's service-level
// results is for by default, as NextCostMonth is for costs.
func NextSLAMonth(ctx context.Context, db *gorm.DB, e Engagement, today Date) (month Date, ok bool, err error) {
	return nextUnrecorded(ctx, db, &SLAMeasurement{}, e, today)
}

// nextUnrecorded is the month after the latest of the engagement's rows of
// model (NextCostMonth).
func nextUnrecorded(ctx context.Context, db *gorm.DB, model any, e Engagement, today Date) (month Date, ok bool, err error) {
	var latest Date
	if err := db.WithContext(ctx).Model(model).Where("engagement_id = ?", e.ID).Select("MAX(month)").Scan(&latest).Error; err != nil {
		return Date{}, false, err
	}
	this := today.MonthStart()
	switch {
	case !latest.IsZero():
		month = Date{latest.MonthStart().AddDate(0, 1, 0)}
	case !e.StartDate.IsZero() && e.StartDate.Before(this):
		month = e.StartDate.MonthStart()
	default:
		month = this
	}
	return month, !month.After(this), nil
}

// CostOfMonth finds an engagement's record for a month (ok false when there is none).
func CostOfMonth(ctx context.Context, db *gorm.DB, engagementID uint, month Date) (CostRecord, bool, error) {
	var r CostRecord
	err := db.WithContext(ctx).Where("engagement_id = ? AND month = ?", engagementID, month.MonthStart()).Limit(1).Find(&r).Error
	return r, r.ID != 0, err
}

// ListCostRecords returns one page of an engagement's monthly records, newest first, and how many there are.
func ListCostRecords(ctx context.Context, db *gorm.DB, engagementID uint, page, perPage int) ([]CostRecord, int64, error) {
	db = db.WithContext(ctx)
	var total int64
	if err := db.Model(&CostRecord{}).Where("engagement_id = ?", engagementID).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []CostRecord
	err := db.Where("engagement_id = ?", engagementID).Order("month DESC").Limit(perPage).Offset((page - 1) * perPage).Find(&rows).Error
	return rows, total, err
}

// Sums turns one record into the sums the savings rules take.
func (r CostRecord) Sums() CostSums {
	return CostSums{Currency: r.Currency, Month: r.Month, SavingsType: r.SavingsType, Baseline: r.Baseline, VendorFees: r.VendorFees,
		Retained: r.Retained, OneOff: r.OneOff, Credits: r.Credits, Planned: r.PlannedSavings}
}
