package models

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
)

// slaFields are the ServiceLevel fields every write records.
var slaFields = []string{"Name", "Target", "Unit", "Direction", "CreditRule", "CreditPct", "Archived"}

// measurementFields are the SLAMeasurement fields every write records.
var measurementFields = []string{"ServiceLevelID", "Month", "Actual", "Met", "Note"}

// prettyMilli shows thousandths columns (targets, actuals) as the decimals people typed.
func prettyMilli(c *Change) {
	if c.Field != "target" && c.Field != "actual" {
		return
	}
	for _, p := range []*string{&c.Old, &c.New} {
		if n, err := strconv.ParseInt(*p, 10, 64); err == nil {
			*p = FormatMilli(n)
		}
	}
}

// CreateSLA stores a new service level of an engagement with its history.
func CreateSLA(ctx context.Context, db *gorm.DB, w Actor, s *ServiceLevel) error {
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		if err := tx.Select("id").First(&Engagement{}, s.EngagementID).Error; err != nil {
			return err
		}
		s.ID, s.Version, s.Archived = 0, 1, false
		s.CreatedAt, s.UpdatedAt = w.stamp(tx), w.stamp(tx)
		if err := createTracked(tx, w, EntitySLA, s, func() uint { return s.ID }, prettyMilli, slaFields...); err != nil {
			return err
		}
		return w.refresh(ctx, tx, s.EngagementID)
	})
}

// UpdateSLA edits a service level if it is still at version (ErrStale otherwise).
// Results already recorded keep the met/missed they were judged by: a new target
// applies from the next result entered, as a contract change does.
func UpdateSLA(ctx context.Context, db *gorm.DB, w Actor, id uint, version int, next ServiceLevel) (ServiceLevel, error) {
	var old ServiceLevel
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var err error
		if err = tx.First(&old, id).Error; err != nil {
			return err
		}
		next.Archived = old.Archived
		if old, err = updateTracked(tx, w, EntitySLA, id, version, &next, prettyMilli, slaFields[:6]...); err != nil {
			return err
		}
		return w.refresh(ctx, tx, old.EngagementID)
	})
	return old, err
}

// SetSLAArchived archives (or restores) a service level: it leaves the monthly
// form, but its recorded results stay in attainment and history.
func SetSLAArchived(ctx context.Context, db *gorm.DB, w Actor, id uint, version int, archived bool) (ServiceLevel, error) {
	var old ServiceLevel
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var err error
		if err = tx.First(&old, id).Error; err != nil {
			return err
		}
		next := old
		next.Archived = archived
		if old, err = updateTracked(tx, w, EntitySLA, id, version, &next, nil, "Archived"); err != nil {
			return err
		}
		return w.refresh(ctx, tx, old.EngagementID)
	})
	return old, err
}

// SLAResult is one service level's result for a month as entered in the monthly form.
type SLAResult struct {
	SLAID   uint
	Actual  int64
	Note    string
	Version int // the stored result's version the form was loaded with; 0 when it had none
}

// MonthSummary counts what a monthly save did.
type MonthSummary struct {
	Recorded, Met, Missed, Unchanged int
}

// ErrSLANotOnEngagement is returned when a result names a service level that is
// not a live service level of the engagement.
var ErrSLANotOnEngagement = errors.New("that service level is not a live service level of this engagement")

// RecordSLAMonth stores one month's results of an engagement's service levels in
// one transaction: met or missed is judged against each service level's current
// target and direction, every new or changed result gets history rows, and the
// engagement's health is refreshed. A result recorded by someone else since the
// form was loaded (its version moved on, or it appeared) makes the whole save
// ErrStale, so nothing is half-saved.
func RecordSLAMonth(ctx context.Context, db *gorm.DB, w Actor, engagementID uint, month Date, results []SLAResult) (MonthSummary, error) {
	var sum MonthSummary
	month = month.MonthStart()
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		sum = MonthSummary{}
		var totals aggDeltas
		var slas []ServiceLevel
		if err := tx.Where("engagement_id = ? AND NOT archived", engagementID).Find(&slas).Error; err != nil {
			return err
		}
		byID := map[uint]ServiceLevel{}
		for _, s := range slas {
			byID[s.ID] = s
		}
		var existing []SLAMeasurement
		if err := tx.Where("engagement_id = ? AND month = ?", engagementID, month).Find(&existing).Error; err != nil {
			return err
		}
		stored := map[uint]SLAMeasurement{}
		for _, m := range existing {
			stored[m.ServiceLevelID] = m
		}
		for _, r := range results {
			s, ok := byID[r.SLAID]
			if !ok {
				return fmt.Errorf("%w (id %d)", ErrSLANotOnEngagement, r.SLAID)
			}
			m := SLAMeasurement{ServiceLevelID: s.ID, EngagementID: engagementID, Month: month,
				Actual: r.Actual, Met: Met(r.Actual, s.Target, s.Direction), Note: r.Note}
			if old, ok := stored[s.ID]; ok {
				if r.Version == 0 {
					return ErrStale
				}
				if old.Actual == m.Actual && old.Note == m.Note {
					// Unchanged: keep the met/missed it was judged by, even if the target
					// moved since. Whoever saved last left what this form says: no conflict.
					sum.Unchanged++
					countMet(&sum, old.Met)
					continue
				}
				if _, err := updateTracked(tx, w, EntitySLAMeasurement, old.ID, r.Version, &m, prettyMilli, "Actual", "Met", "Note"); err != nil {
					return err
				}
				// The versioned update succeeded, so the row was still as read into old.
				totals.slaResult(old.Month, old.Met, -1)
				totals.slaResult(month, m.Met, +1)
			} else {
				if r.Version != 0 {
					return ErrStale // it was there when the form loaded; it cannot vanish, so the form is wrong
				}
				m.Version = 1
				m.CreatedAt, m.UpdatedAt = w.stamp(tx), w.stamp(tx)
				if err := createTracked(tx, w, EntitySLAMeasurement, &m, func() uint { return m.ID }, prettyMilli, measurementFields...); err != nil {
					return err
				}
				totals.slaResult(month, m.Met, +1)
			}
			sum.Recorded++
			countMet(&sum, m.Met)
		}
		if err := totals.apply(tx); err != nil {
			return err
		}
		return w.refresh(ctx, tx, engagementID)
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		err = ErrStale // someone recorded the same month at the same moment
	}
	return sum, err
}

func countMet(s *MonthSummary, met bool) {
	if met {
		s.Met++
	} else {
		s.Missed++
	}
}
