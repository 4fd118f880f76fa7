package models

// Milestones, transfer readiness and gate decisions as they stood at the end
// of a past day, replayed from their history as the risk register's as-at is
// (models/register/asat.go): the current rows, less those created after the
// day, with every field changed since set back to the Old value of its
// oldest change after the day. A later edit never changes what a past
// quarter's pack says.

import (
	"context"
	"sort"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// asAtCutoff is the first instant after day at: "as at 30 Sep" counts a
// change made at 23:59 on the 30th, not one made on the 1st.
func asAtCutoff(at Date) time.Time { return at.AddDays(1).Time }

// olderValues reads, for each record of entity changed since cutoff, what each
// of its changed fields (of fields only, when given) held then: the Old of the
// oldest update after it.
func olderValues(db *gorm.DB, entity string, cutoff time.Time, fields ...string) (map[uint]map[string]string, error) {
	rows, err := updatesSince(db, entity, cutoff, fields...)
	if err != nil {
		return nil, err
	}
	return olderValuesAt(rows, cutoff), nil
}

// updatesSince reads entity's field updates made at or after cutoff (of
// fields only, when given), oldest first.
func updatesSince(db *gorm.DB, entity string, cutoff time.Time, fields ...string) ([]Change, error) {
	var rows []Change
	q := db.Select("entity_id, field, old, at").Where("entity = ? AND at >= ? AND action = ? AND field <> ''", entity, cutoff, "update")
	if len(fields) > 0 {
		q = q.Where("field IN ?", fields)
	}
	return rows, q.Order("at, id").Find(&rows).Error
}

// olderValuesAt is olderValues of updates read once (updatesSince of an
// earlier or the same cutoff, oldest first), so that one read serves
// several days.
func olderValuesAt(rows []Change, cutoff time.Time) map[uint]map[string]string {
	from := sort.Search(len(rows), func(i int) bool { return !rows[i].At.Before(cutoff) })
	out := map[uint]map[string]string{}
	for _, c := range rows[from:] {
		f := out[c.EntityID]
		if f == nil {
			f = map[string]string{}
			out[c.EntityID] = f
		}
		if _, seen := f[c.Field]; !seen {
			f[c.Field] = c.Old
		}
	}
	return out
}

// asAtRows reads the rows of model's table for engagement only (0: all)
// that existed at cutoff and either match where on their current values or
// changed since (the caller applies where again to the values of the day).
func asAtRows[T any](db *gorm.DB, entity, table string, cutoff time.Time, only uint, where string, args []any) ([]T, error) {
	q := db.Where("created_at < ?", cutoff)
	if only != 0 {
		q = q.Where("engagement_id = ?", only)
	}
	if where != "" {
		q = q.Where(db.Where(where, args...).Or("id IN (?)", db.Table("changes").Select("entity_id").Where("entity = ? AND at >= ?", entity, cutoff)))
	}
	var out []T
	return out, q.Table(table).Order("engagement_id, id").Find(&out).Error
}

func dateOf(s string) Date {
	d, _ := ParseDate(s) // "" (no date then) is the zero date
	return d
}

// MilestonesAsAt returns the milestones (of engagement only, or all when 0)
// as they stood at the end of day at. where (with args), on the milestones'
// columns, narrows the read: rows that match it now, or that changed since,
// are replayed; the caller checks its condition again on what it gets.
func MilestonesAsAt(ctx context.Context, db *gorm.DB, at Date, only uint, where string, args ...any) ([]Milestone, error) {
	db = db.WithContext(ctx)
	cutoff := asAtCutoff(at)
	ms, err := asAtRows[Milestone](db, EntityMilestone, "milestones", cutoff, only, where, args)
	if err != nil {
		return nil, err
	}
	old, err := olderValues(db, EntityMilestone, cutoff)
	if err != nil {
		return nil, err
	}
	for i := range ms {
		m := &ms[i]
		for col, v := range old[m.ID] {
			switch col {
			case "phase":
				m.Phase = v
			case "name":
				m.Name = v
			case "is_key":
				m.IsKey = v == "yes"
			case "planned":
				m.Planned = dateOf(v)
			case "forecast":
				m.Forecast = dateOf(v)
			case "actual":
				m.Actual = dateOf(v)
			}
		}
	}
	return ms, nil
}

// readinessStatusOf reads a readiness status from history, written by its
// label ("In progress") or as a number.
func readinessStatusOf(s string) int {
	for _, st := range ReadinessStatuses {
		if s == ReadinessStatusLabel(st) || s == strconv.Itoa(st) {
			return st
		}
	}
	return ReadinessNotStarted
}

// ReadinessAsAt returns the transfer checklists' items (of engagement only,
// or all when 0) as they stood at the end of day at.
func ReadinessAsAt(ctx context.Context, db *gorm.DB, at Date, only uint) ([]ReadinessItem, error) {
	each, err := ReadinessAsAtEach(ctx, db, []Date{at}, only)
	if err != nil {
		return nil, err
	}
	return each[0], nil
}

// ReadinessAsAtEach is ReadinessAsAt of several days (oldest first), from
// one read of the items and one of their history: the readiness trend of a
// review pack asks for eight quarter ends.
func ReadinessAsAtEach(ctx context.Context, db *gorm.DB, days []Date, only uint) ([][]ReadinessItem, error) {
	if len(days) == 0 {
		return nil, nil
	}
	db = db.WithContext(ctx)
	items, err := asAtRows[ReadinessItem](db, EntityReadinessItem, "readiness_items", asAtCutoff(days[len(days)-1]), only, "", nil)
	if err != nil {
		return nil, err
	}
	updates, err := updatesSince(db, EntityReadinessItem, asAtCutoff(days[0]))
	if err != nil {
		return nil, err
	}
	out := make([][]ReadinessItem, len(days))
	for d, day := range days {
		cutoff := asAtCutoff(day)
		old := olderValuesAt(updates, cutoff)
		for _, it := range items {
			if !it.CreatedAt.Before(cutoff) {
				continue
			}
			for col, v := range old[it.ID] {
				switch col {
				case "area":
					it.Area = v
				case "weight":
					if n, err := strconv.Atoi(v); err == nil {
						it.Weight = n
					}
				case "status":
					it.Status = readinessStatusOf(v)
				case "owner":
					it.Owner = v
				case "evidence":
					it.Evidence = v
				}
			}
			out[d] = append(out[d], it)
		}
	}
	return out, nil
}

// GatesAsAt returns the transfer gate decisions (of engagement only, or all
// when 0) as they stood at the end of day at, decided on or before it.
func GatesAsAt(ctx context.Context, db *gorm.DB, at Date, only uint) ([]TransferGate, error) {
	db = db.WithContext(ctx)
	cutoff := asAtCutoff(at)
	gs, err := asAtRows[TransferGate](db, EntityTransferGate, "transfer_gates", cutoff, only, "", nil)
	if err != nil {
		return nil, err
	}
	old, err := olderValues(db, EntityTransferGate, cutoff)
	if err != nil {
		return nil, err
	}
	out := gs[:0]
	for _, g := range gs {
		for col, v := range old[g.ID] {
			switch col {
			case "decision":
				g.Decision = v
			case "decided_on":
				g.DecidedOn = dateOf(v)
			case "decided_by":
				g.DecidedBy = v
			case "conditions":
				g.Conditions = v
			}
		}
		if !g.DecidedOn.IsZero() && !g.DecidedOn.After(at) {
			out = append(out, g)
		}
	}
	return out, nil
}

// TransferDatesAsAt sets the engagements' planned and actual transfer dates
// back to what they were at the end of day at.
func TransferDatesAsAt(ctx context.Context, db *gorm.DB, at Date, engs []Engagement) error {
	old, err := olderValues(db.WithContext(ctx), "engagement", asAtCutoff(at), "planned_transfer", "actual_transfer")
	if err != nil || len(old) == 0 {
		return err
	}
	for i := range engs {
		for col, v := range old[engs[i].ID] {
			switch col {
			case "planned_transfer":
				engs[i].PlannedTransfer = dateOf(v)
			case "actual_transfer":
				engs[i].ActualTransfer = dateOf(v)
			}
		}
	}
	return nil
}
