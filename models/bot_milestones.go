package models

import (
	"context"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
)

// milestoneFields are the Milestone fields every write records.
var milestoneFields = []string{"Phase", "Name", "IsKey", "Planned", "Forecast", "Actual"}

// CreateMilestone stores a new milestone with its history and refreshes the
// engagement's health (a late key milestone turns it red).
func CreateMilestone(ctx context.Context, db *gorm.DB, w Actor, m *Milestone) error {
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		if err := tx.Select("id").First(&Engagement{}, m.EngagementID).Error; err != nil {
			return err
		}
		m.ID, m.Version, m.Engagement = 0, 1, nil
		m.CreatedAt, m.UpdatedAt = w.stamp(tx), w.stamp(tx)
		if err := createTracked(tx, w, EntityMilestone, m, func() uint { return m.ID }, nil, milestoneFields...); err != nil {
			return err
		}
		return w.refresh(ctx, tx, m.EngagementID)
	})
}

// UpdateMilestone edits a milestone if it is still at version (ErrStale otherwise).
func UpdateMilestone(ctx context.Context, db *gorm.DB, w Actor, id uint, version int, next Milestone) (Milestone, error) {
	var old Milestone
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var err error
		next.Engagement = nil
		if old, err = updateTracked(tx, w, EntityMilestone, id, version, &next, nil, milestoneFields...); err != nil {
			return err
		}
		return w.refresh(ctx, tx, old.EngagementID)
	})
	return old, err
}

// MilestoneCounts summarises an engagement's milestones on a day.
type MilestoneCounts struct {
	Total, Done, Late, KeyLate30 int64
}

// CountMilestones counts an engagement's milestones (done, late, key milestones
// more than 30 days late) in one grouped query, by the rules health uses.
func CountMilestones(ctx context.Context, db *gorm.DB, engagementID uint, today Date) (MilestoneCounts, error) {
	var c MilestoneCounts
	err := db.WithContext(ctx).Table("milestones").Select(`COUNT(*) AS total,
		COALESCE(SUM(CASE WHEN actual IS NOT NULL THEN 1 ELSE 0 END), 0) AS done,
		COALESCE(SUM(CASE WHEN actual IS NULL AND planned < ? THEN 1 ELSE 0 END), 0) AS late,
		COALESCE(SUM(CASE WHEN actual IS NULL AND is_key AND planned < ? THEN 1 ELSE 0 END), 0) AS key_late30`,
		today, today.AddDays(-30)).Where("engagement_id = ?", engagementID).Scan(&c).Error
	return c, err
}

// ListMilestones returns one page of an engagement's milestones by planned date.
func ListMilestones(ctx context.Context, db *gorm.DB, engagementID uint, page, perPage int) ([]Milestone, int64, error) {
	q := db.WithContext(ctx).Model(&Milestone{}).Where("engagement_id = ?", engagementID)
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []Milestone
	return rows, total, q.Order("planned, id").Limit(perPage).Offset((page - 1) * perPage).Find(&rows).Error
}

// EachMilestone streams an engagement's milestones by planned date (for exports).
func EachMilestone(ctx context.Context, db *gorm.DB, engagementID uint, fn func(Milestone) error) error {
	rows, err := db.WithContext(ctx).Model(&Milestone{}).Where("engagement_id = ?", engagementID).Order("planned, id").Rows()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var m Milestone
		if err := db.ScanRows(rows, &m); err != nil {
			return err
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	return rows.Err()
}
