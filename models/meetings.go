package models

// Governance meetings (DOMAIN: Governance): an engagement's steering
// committees, service reviews and QBRs, each with its date, attendees and
// decisions, and the actions agreed at it (owner, due date, status). A
// meeting belongs to the fiscal quarter of its date (Fiscal.QuarterOf; not
// stored, so it follows the fiscal year's setting as every other figure
// does), and the quarter's review pack prints its decisions and actions.
// Once that pack is published the meeting, its decisions and its actions'
// wording, owners and dates are frozen with it; an action's status may still
// move on (done next quarter, say), as the pack prints each status as it
// stood at the quarter's end, from the history.
//
// The actions have their own table rather than a meeting id on
// review_actions: each has one parent and a version and status history of
// its own, while review_actions stay the commentary form's write-once rows.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
)

// Meeting is a governance meeting of an engagement.
type Meeting struct {
	ID           uint `gorm:"primaryKey"`
	EngagementID uint
	Kind         string // MeetingKinds
	HeldOn       Date
	Attendees    string // as typed: names, comma or line separated
	Decisions    string // one a line
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// TableName is the meetings' table (migration 28).
func (Meeting) TableName() string { return "governance_meetings" }

// The kinds of governance meeting.
const (
	MeetingSteering = "steering committee"
	MeetingService  = "service review"
	MeetingQBR      = "QBR"
)

// MeetingKinds are the kinds in the order forms offer them.
var MeetingKinds = []string{MeetingSteering, MeetingService, MeetingQBR}

// MeetingKindLabel is a kind as a heading says it ("Steering committee").
func MeetingKindLabel(kind string) string {
	if kind == "" || kind == MeetingQBR {
		return kind
	}
	return strings.ToUpper(kind[:1]) + kind[1:]
}

// Title names the meeting: "Steering committee, 12 Mar 2026".
func (m Meeting) Title() string { return MeetingKindLabel(m.Kind) + ", " + m.HeldOn.Human() }

// Quarter is the fiscal quarter the meeting was held in.
func (m Meeting) Quarter(f Fiscal) Quarter { return f.QuarterOf(m.HeldOn) }

// History entity names of meetings and their actions.
const (
	MeetingEntity       = "governance_meeting"
	MeetingActionEntity = "meeting_action"
)

var meetingFields = []string{"Kind", "HeldOn", "Attendees", "Decisions"}

// The states of an action agreed at a meeting.
const (
	ActionOpen    = "open"
	ActionDone    = "done"
	ActionDropped = "dropped" // no longer wanted, with the reason: nothing is deleted
)

// ActionStatuses are the states in the order forms offer them.
var ActionStatuses = []string{ActionOpen, ActionDone, ActionDropped}

// MeetingAction is an action agreed at a governance meeting.
type MeetingAction struct {
	ID            uint `gorm:"primaryKey"`
	MeetingID     uint
	EngagementID  uint
	Action        string
	Owner         string
	Due           Date
	Status        string
	DroppedReason string
	Version       int
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// Row is the form's row it was typed in, which its objections name
	// ("owner_2"); 0: its place in the list given.
	Row int `gorm:"-"`
}

// TableName is the actions' table (migration 28).
func (MeetingAction) TableName() string { return "meeting_actions" }

var meetingActionFields = []string{"Action", "Owner", "Due", "Status", "DroppedReason"}

// Overdue reports an action still open after its due date.
func (a MeetingAction) Overdue(today Date) bool { return a.Status == ActionOpen && a.Due.Before(today) }

// Limits of a meeting's texts.
const (
	MaxAttendees = 1000
	MaxDecisions = 4000
	MaxAction    = 500
	MaxOwner     = 120
	MaxReason    = 500
)

// problems are the domain's objections to a meeting held by today.
func (m Meeting) problems(today Date) Invalid {
	bad := Invalid{}
	if !oneOf(m.Kind, MeetingKinds) {
		bad["kind"] = "Choose the kind of meeting."
	}
	switch {
	case m.HeldOn.IsZero():
		bad["held_on"] = "Say when the meeting was held."
	case m.HeldOn.After(today):
		bad["held_on"] = "A meeting is recorded once held: " + m.HeldOn.Human() + " is after today."
	}
	if strings.TrimSpace(m.Attendees) == "" {
		bad["attendees"] = "Name who attended."
	}
	return bad
}

// problems are the domain's objections to an action agreed at a meeting held on heldOn.
func (a MeetingAction) problems(heldOn Date) Invalid {
	bad := Invalid{}
	if strings.TrimSpace(a.Action) == "" {
		bad["action"] = "Say what is to be done."
	}
	if strings.TrimSpace(a.Owner) == "" {
		bad["owner"] = "Name who owns the action."
	}
	switch {
	case a.Due.IsZero():
		bad["due"] = "Give the date it is due."
	case a.Due.Before(heldOn):
		bad["due"] = "Due on or after the meeting (" + heldOn.Human() + ")."
	}
	if !oneOf(a.Status, ActionStatuses) {
		bad["status"] = "Choose open, done or dropped."
	}
	if a.Status == ActionDropped && strings.TrimSpace(a.DroppedReason) == "" {
		bad["dropped_reason"] = "Say why the action is dropped."
	}
	return bad
}

func oneOf(v string, allowed []string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

// PublishedQuarterError is a change to a meeting, or an action agreed at one,
// of a quarter whose pack is published: it is frozen with the pack.
type PublishedQuarterError struct{ Quarter string }

func (e PublishedQuarterError) Error() string {
	return e.Quarter + " is published: its meetings, their decisions and actions are frozen with its pack"
}

// Is makes the error an ErrQuarterPublished (a conflict, 409).
func (e PublishedQuarterError) Is(target error) bool { return target == ErrQuarterPublished }

// frozen refuses a change to the quarter of any of days whose pack is published.
func frozen(ctx context.Context, tx *gorm.DB, f Fiscal, days ...Date) error {
	for _, d := range days {
		q := f.QuarterOf(d).String()
		published, err := QuarterPublished(ctx, tx, q)
		if err != nil {
			return err
		}
		if published {
			return PublishedQuarterError{Quarter: q}
		}
	}
	return nil
}

// MeetingByID reads a meeting (gorm's record not found when there is none).
func MeetingByID(ctx context.Context, db *gorm.DB, id uint) (Meeting, error) {
	return First[Meeting](ctx, db, id)
}

// MeetingActionByID reads an action agreed at a meeting.
func MeetingActionByID(ctx context.Context, db *gorm.DB, id uint) (MeetingAction, error) {
	return First[MeetingAction](ctx, db, id)
}

// RecordMeeting stores a meeting of an engagement with the actions agreed at
// it, each with its history, in one transaction; its quarter must not be
// published. An action's objections are keyed by its place ("owner_2").
func RecordMeeting(ctx context.Context, db *gorm.DB, act Actor, m Meeting, actions []MeetingAction) (Meeting, error) {
	bad := m.problems(act.today())
	for i, a := range actions {
		a.Status = ActionOpen
		row := i + 1
		if a.Row > 0 {
			row = a.Row
		}
		for k, v := range a.problems(m.HeldOn) {
			bad[fmt.Sprintf("%s_%d", k, row)] = v
		}
	}
	if len(bad) > 0 {
		return m, bad
	}
	err := sqlstore.Write(ctx, writeTx(ctx, db), func(tx *gorm.DB) error {
		if err := frozen(ctx, tx, act.Settings.Fiscal(), m.HeldOn); err != nil {
			return err
		}
		at := act.stamp(tx)
		m.ID, m.Version, m.CreatedAt, m.UpdatedAt = 0, 1, at, at
		if err := createTracked(tx, act, MeetingEntity, &m, func() uint { return m.ID }, nil, meetingFields...); err != nil {
			return err
		}
		for _, a := range actions {
			if err := createAction(tx, act, m, a); err != nil {
				return err
			}
		}
		return nil
	})
	return m, err
}

// createAction stores an action agreed at meeting m, open, with its history.
func createAction(tx *gorm.DB, act Actor, m Meeting, a MeetingAction) error {
	at := act.stamp(tx)
	a.ID, a.MeetingID, a.EngagementID, a.Status, a.DroppedReason, a.Version, a.CreatedAt, a.UpdatedAt = 0, m.ID, m.EngagementID, ActionOpen, "", 1, at, at
	return createTracked(tx, act, MeetingActionEntity, &a, func() uint { return a.ID }, nil, meetingActionFields...)
}

// SaveMeeting writes a meeting's kind, date, attendees and decisions if it
// is still at version (ErrStale otherwise), each field changed a history
// row. A meeting of a published quarter is frozen, and none is moved into one.
func SaveMeeting(ctx context.Context, db *gorm.DB, act Actor, id uint, next Meeting, version int) (Meeting, error) {
	if bad := next.problems(act.today()); len(bad) > 0 {
		return next, bad
	}
	var out Meeting
	err := sqlstore.Write(ctx, writeTx(ctx, db), func(tx *gorm.DB) error {
		var cur Meeting
		if err := tx.First(&cur, id).Error; err != nil {
			return err
		}
		if err := frozen(ctx, tx, act.Settings.Fiscal(), cur.HeldOn, next.HeldOn); err != nil {
			return err
		}
		// An action due before the meeting's new date would break its rule.
		var early int64
		if err := tx.Model(&MeetingAction{}).Where("meeting_id = ? AND due < ?", id, next.HeldOn).Count(&early).Error; err != nil {
			return err
		}
		if early > 0 {
			return Invalid{"held_on": fmt.Sprintf("%d of its actions would be due before the meeting: move their dates first.", early)}
		}
		if _, err := updateTracked(tx, act, MeetingEntity, id, version, &next, nil, meetingFields...); err != nil {
			return err
		}
		return tx.First(&out, id).Error
	})
	return out, err
}

// AddMeetingAction adds an action agreed at a meeting, open, with its
// history; the meeting's quarter must not be published.
func AddMeetingAction(ctx context.Context, db *gorm.DB, act Actor, meetingID uint, a MeetingAction) error {
	return sqlstore.Write(ctx, writeTx(ctx, db), func(tx *gorm.DB) error {
		var m Meeting
		if err := tx.First(&m, meetingID).Error; err != nil {
			return err
		}
		a.Status = ActionOpen
		if bad := a.problems(m.HeldOn); len(bad) > 0 {
			return bad
		}
		if err := frozen(ctx, tx, act.Settings.Fiscal(), m.HeldOn); err != nil {
			return err
		}
		return createAction(tx, act, m, a)
	})
}

// SaveMeetingAction writes an action's wording, owner, due date, status and
// reason if it is still at version (ErrStale otherwise), each field changed
// a history row. Of an action agreed in a published quarter only the status
// (and the reason it was dropped) may change: the pack prints it as it stood
// at the quarter's end. A reason is kept only while it is dropped.
func SaveMeetingAction(ctx context.Context, db *gorm.DB, act Actor, id uint, next MeetingAction, version int) (MeetingAction, error) {
	if next.Status != ActionDropped {
		next.DroppedReason = ""
	}
	var out MeetingAction
	err := sqlstore.Write(ctx, writeTx(ctx, db), func(tx *gorm.DB) error {
		var cur MeetingAction
		if err := tx.First(&cur, id).Error; err != nil {
			return err
		}
		var m Meeting
		if err := tx.First(&m, cur.MeetingID).Error; err != nil {
			return err
		}
		if bad := next.problems(m.HeldOn); len(bad) > 0 {
			return bad
		}
		if next.Action != cur.Action || next.Owner != cur.Owner || !next.Due.Equal(cur.Due.Time) {
			if err := frozen(ctx, tx, act.Settings.Fiscal(), m.HeldOn); err != nil {
				return err
			}
		}
		if _, err := updateTracked(tx, act, MeetingActionEntity, id, version, &next, nil, meetingActionFields...); err != nil {
			return err
		}
		return tx.First(&out, id).Error
	})
	return out, err
}

// IsPublishedQuarter reports a change refused because its quarter is
// published, and which quarter.
func IsPublishedQuarter(err error) (string, bool) {
	var pq PublishedQuarterError
	if errors.As(err, &pq) {
		return pq.Quarter, true
	}
	return "", false
}
