package models

// The reads of governance meetings and their actions: an engagement's
// meetings, a meeting's actions, the actions still open (an engagement's or
// the portfolio's), and the meetings and actions of a quarter as the review
// pack prints them.

import (
	"context"

	"gorm.io/gorm"
)

// MeetingRow is a meeting with its engagement and its actions counted on a day.
type MeetingRow struct {
	Meeting
	Code, Name             string
	Actions, Open, Overdue int
}

// MeetingsOf lists the meetings of an engagement (or of every engagement,
// for 0), the latest first, with their actions counted on today (overdue:
// open after their due date); at most limit (0: all), and how many in all.
// One statement, the actions counted in it.
func MeetingsOf(ctx context.Context, db *gorm.DB, engagementID uint, today Date, limit int) ([]MeetingRow, int64, error) {
	db = db.WithContext(ctx)
	q := db.Table("governance_meetings m").Joins("JOIN engagements e ON e.id = m.engagement_id")
	if engagementID != 0 {
		q = q.Where("m.engagement_id = ?", engagementID)
	}
	var n int64
	if err := q.Count(&n).Error; err != nil {
		return nil, 0, err
	}
	counts := db.Table("meeting_actions").Select(`meeting_id, COUNT(*) AS actions,
		SUM(CASE WHEN status = ? THEN 1 ELSE 0 END) AS open, SUM(CASE WHEN status = ? AND due < ? THEN 1 ELSE 0 END) AS overdue`,
		ActionOpen, ActionOpen, today).Group("meeting_id")
	q = q.Joins("LEFT JOIN (?) c ON c.meeting_id = m.id", counts).
		Select("m.*, e.code, e.name, COALESCE(c.actions, 0) AS actions, COALESCE(c.open, 0) AS open, COALESCE(c.overdue, 0) AS overdue").
		Order("m.held_on DESC, m.id DESC")
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []MeetingRow
	return rows, n, q.Scan(&rows).Error
}

// LastMeeting is an engagement's latest meeting (ok false when it has none).
func LastMeeting(ctx context.Context, db *gorm.DB, engagementID uint) (m Meeting, ok bool, err error) {
	err = db.WithContext(ctx).Where("engagement_id = ?", engagementID).Order("held_on DESC, id DESC").Limit(1).Find(&m).Error
	return m, m.ID != 0, err
}

// ActionsOf lists the actions agreed at a meeting, by due date.
func ActionsOf(ctx context.Context, db *gorm.DB, meetingID uint) ([]MeetingAction, error) {
	var out []MeetingAction
	err := db.WithContext(ctx).Where("meeting_id = ?", meetingID).Order("due, id").Find(&out).Error
	return out, err
}

// OpenAction is an action still open, with the meeting that agreed it and its engagement.
type OpenAction struct {
	MeetingAction
	Code, Name string
	Kind       string
	HeldOn     Date
}

// Meeting names the meeting that agreed it: "Steering committee, 12 Mar 2026".
func (o OpenAction) Meeting() string { return Meeting{Kind: o.Kind, HeldOn: o.HeldOn}.Title() }

// ActionCounts count the actions still open, and of them those overdue.
type ActionCounts struct{ Open, Overdue int64 }

// OpenActions lists the actions still open of an engagement (or of every
// open engagement, for 0), the longest overdue first (by due date), at most
// limit (0: all), with how many are open and overdue on today.
func OpenActions(ctx context.Context, db *gorm.DB, engagementID uint, today Date, limit int) ([]OpenAction, ActionCounts, error) {
	db = db.WithContext(ctx)
	q := db.Table("meeting_actions a").Joins("JOIN governance_meetings m ON m.id = a.meeting_id").
		Joins("JOIN engagements e ON e.id = a.engagement_id").Where("a.status = ?", ActionOpen)
	if engagementID != 0 {
		q = q.Where("a.engagement_id = ?", engagementID)
	} else {
		q = q.Where("e.closed_on IS NULL")
	}
	var c ActionCounts
	if err := q.Session(&gorm.Session{}).Select("COUNT(*) AS open, COALESCE(SUM(CASE WHEN a.due < ? THEN 1 ELSE 0 END), 0) AS overdue", today).
		Scan(&c).Error; err != nil {
		return nil, c, err
	}
	q = q.Select("a.*, e.code, e.name, m.kind, m.held_on").Order("a.due, e.code, a.id")
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []OpenAction
	return rows, c, q.Scan(&rows).Error
}

// MeetingsHeld lists the meetings held from start to end (of engagement
// only, or all for 0), by engagement and date: a quarter's, for its pack.
func MeetingsHeld(ctx context.Context, db *gorm.DB, start, end Date, only uint) ([]Meeting, error) {
	q := db.WithContext(ctx).Where("held_on BETWEEN ? AND ?", start, end)
	if only != 0 {
		q = q.Where("engagement_id = ?", only)
	}
	var out []Meeting
	return out, q.Order("engagement_id, held_on, id").Find(&out).Error
}

// MeetingActionsAsAt lists the actions agreed at the meetings held from start
// to end (of engagement only, or all for 0), by due date, each with its
// status (and the reason it was dropped) as it stood at the end of day end,
// replayed from the history: done the next quarter, an action was open at
// this one's end. An action added after end to a meeting of the quarter is
// counted with the meeting.
func MeetingActionsAsAt(ctx context.Context, db *gorm.DB, start, end Date, only uint) ([]MeetingAction, error) {
	db = db.WithContext(ctx)
	q := db.Where("meeting_id IN (?)", db.Model(&Meeting{}).Select("id").Where("held_on BETWEEN ? AND ?", start, end))
	if only != 0 {
		q = q.Where("engagement_id = ?", only)
	}
	var out []MeetingAction
	if err := q.Order("due, id").Find(&out).Error; err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	older, err := olderValues(db, MeetingActionEntity, asAtCutoff(end), "status", "dropped_reason")
	if err != nil {
		return nil, err
	}
	for i := range out {
		for col, v := range older[out[i].ID] {
			switch col {
			case "status":
				out[i].Status = v
			case "dropped_reason":
				out[i].DroppedReason = v
			}
		}
	}
	return out, nil
}
