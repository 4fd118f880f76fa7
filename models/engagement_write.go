package models

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
)

// RuleError is a domain rule a write broke, named by the form field it concerns
// ("_form" for the form as a whole): the handler shows it beside that field (422).
type RuleError struct{ Field, Msg string }

func (e *RuleError) Error() string { return e.Msg }

// ruleErr builds a RuleError.
func ruleErr(field, format string, args ...any) error {
	return &RuleError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// EngagementFields are the fields an administrator edits, in form order; each
// change to one is a history row.
var EngagementFields = []string{"Code", "Name", "Model", "Tower", "VendorID", "BusinessUnit", "DeliveryLocation", "Sponsor",
	"ManagerID", "Phase", "StartDate", "ContractEnd", "PlannedTransfer", "ContractValue", "Currency", "PricingModel",
	"VendorHeadcount", "ClientHeadcount", "Description"}

// PhasesOf lists the lifecycle phases of a delivery model.
func PhasesOf(model string) []string {
	if model == ModelBOT {
		return PhasesBOT
	}
	return PhasesITO
}

// NextPhase is the phase after the current one ("" at the end of the lifecycle).
func NextPhase(model, phase string) string {
	ps := PhasesOf(model)
	if i := slices.Index(ps, phase); i >= 0 && i+1 < len(ps) {
		return ps[i+1]
	}
	return ""
}

// checkEngagementRules enforces what a form alone cannot: a unique code, a
// vendor that is not archived, a lead manager who may manage, and managers that exist.
func checkEngagementRules(tx *gorm.DB, e *Engagement, managers []uint) error {
	if !ValidCode(e.Code) {
		return ruleErr("code", "%s", CodeRule)
	}
	var n int64
	if err := tx.Model(&Engagement{}).Where("LOWER(code) = ? AND id <> ?", strings.ToLower(e.Code), e.ID).Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return ruleErr("code", "Another engagement has the code %s.", e.Code)
	}
	var v Vendor
	if err := tx.Select("id, archived").Where("id = ?", e.VendorID).Limit(1).Find(&v).Error; err != nil {
		return err
	}
	if v.ID == 0 {
		return ruleErr("vendor_id", "Choose one of the listed vendors.")
	}
	if v.Archived {
		var old Engagement
		tx.Select("vendor_id").Where("id = ?", e.ID).Limit(1).Find(&old)
		if old.VendorID != e.VendorID { // an existing engagement may keep its archived vendor
			return ruleErr("vendor_id", "That vendor is archived; restore it first or choose another.")
		}
	}
	ids := append([]uint{}, managers...)
	if e.ManagerID != nil {
		ids = append(ids, *e.ManagerID)
	}
	if len(ids) > 0 {
		var ok int64
		if err := tx.Model(&User{}).Where("id IN ? AND role IN ? AND NOT disabled", ids, []string{RoleManager, RoleAdmin}).Count(&ok).Error; err != nil {
			return err
		}
		if int(ok) != len(uniqueIDs(ids)) {
			return ruleErr("manager_id", "Managers must be active users with the manager or administrator role.")
		}
	}
	return nil
}

func uniqueIDs(ids []uint) []uint {
	out := append([]uint{}, ids...)
	slices.Sort(out)
	return slices.Compact(out)
}

// managerNames writes the further managers as history text: their names, sorted.
func managerNames(tx *gorm.DB, ids []uint) (string, error) {
	if len(ids) == 0 {
		return "", nil
	}
	var names []string
	err := tx.Model(&User{}).Where("id IN ?", ids).Order("name").Pluck("name", &names).Error
	return strings.Join(names, ", "), err
}

// setManagers replaces an engagement's further managers (the lead is not among them).
func setManagers(tx *gorm.DB, e *Engagement, managers []uint) error {
	if err := tx.Where("engagement_id = ?", e.ID).Delete(&EngagementManager{}).Error; err != nil {
		return err
	}
	var rows []EngagementManager
	for _, id := range uniqueIDs(managers) {
		if e.ManagerID == nil || id != *e.ManagerID {
			rows = append(rows, EngagementManager{EngagementID: e.ID, UserID: id})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.Create(&rows).Error
}

// seedReadiness gives a BOT engagement the default transfer checklist, unless
// it has one, each item with its history (as CreateDefaultChecklist does).
func seedReadiness(tx *gorm.DB, w Actor, engagementID uint) error {
	var n int64
	if err := tx.Model(&ReadinessItem{}).Where("engagement_id = ?", engagementID).Count(&n).Error; err != nil || n > 0 {
		return err
	}
	_, err := createChecklist(tx, w, engagementID)
	return err
}

// CreateEngagement stores a new engagement with its further managers and its
// creation in the history; a BOT programme starts with the default transfer checklist.
func CreateEngagement(ctx context.Context, db *gorm.DB, w Actor, e *Engagement, managers []uint) error {
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		if err := checkEngagementRules(tx, e, managers); err != nil {
			return err
		}
		if !slices.Contains(PhasesOf(e.Model), e.Phase) {
			return ruleErr("phase", "%s is not a phase of a %s engagement.", e.Phase, e.Model)
		}
		e.ID, e.Version, e.Health, e.ClosedOn, e.ActualTransfer = 0, 1, Green, Date{}, Date{}
		if err := tx.Omit("Vendor", "Manager").Create(e).Error; err != nil {
			return err
		}
		if err := setManagers(tx, e, managers); err != nil {
			return err
		}
		changes := Created("engagement", e.ID, w.UserID, NowOf(tx), e, EngagementFields...)
		names, err := managerNames(tx, managers)
		if err != nil {
			return err
		}
		if names != "" {
			changes = append(changes, Change{Entity: "engagement", EntityID: e.ID, Action: "create", Field: "managers", New: names, UserID: w.UserID, At: NowOf(tx)})
		}
		if err := RecordChanges(tx, changes); err != nil {
			return err
		}
		if e.IsBOT() {
			if err := seedReadiness(tx, w, e.ID); err != nil {
				return err
			}
		}
		var totals aggDeltas
		totals.engagement(*e, +1)
		return refreshThenTotals(ctx, tx, w, &totals, e.ID)
	})
}

// UpdateEngagement writes an administrator's edit if the engagement is still at
// version; ErrStale when someone saved first. The phase moves only through
// MovePhase, so that every move is dated; the currency is fixed once costs are recorded.
func UpdateEngagement(ctx context.Context, db *gorm.DB, w Actor, id uint, version int, in Engagement, managers []uint) error {
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var old Engagement
		if err := lockEngagement(tx, &old, id); err != nil {
			return err
		}
		if old.Version != version {
			return ErrStale
		}
		in.ID, in.Phase = id, old.Phase
		if err := checkEngagementRules(tx, &in, managers); err != nil {
			return err
		}
		if in.Model != old.Model && !slices.Contains(PhasesOf(in.Model), old.Phase) {
			return ruleErr("model", "The engagement is in its %s phase, which a %s engagement does not have.", old.Phase, in.Model)
		}
		if in.Currency != old.Currency {
			var n int64
			if err := tx.Model(&CostRecord{}).Where("engagement_id = ?", id).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return ruleErr("currency", "The engagement has %d cost records in %s; its currency cannot change.", n, old.Currency)
			}
		}
		if in.Model != ModelBOT {
			in.PlannedTransfer = Date{}
		}
		cols := map[string]any{}
		for _, f := range EngagementFields {
			cols[naming.ColumnName("", f)] = fieldValue(in, f)
		}
		if err := UpdateVersioned(tx, &Engagement{}, id, version, cols); err != nil {
			return err
		}
		changes := Diff("engagement", id, w.UserID, NowOf(tx), old, in, EngagementFields...)
		var oldManagers []uint
		if err := tx.Model(&EngagementManager{}).Where("engagement_id = ?", id).Pluck("user_id", &oldManagers).Error; err != nil {
			return err
		}
		if err := setManagers(tx, &in, managers); err != nil {
			return err
		}
		var newManagers []uint
		if err := tx.Model(&EngagementManager{}).Where("engagement_id = ?", id).Pluck("user_id", &newManagers).Error; err != nil {
			return err
		}
		oldNames, err := managerNames(tx, oldManagers)
		if err != nil {
			return err
		}
		newNames, err := managerNames(tx, newManagers)
		if err != nil {
			return err
		}
		if oldNames != newNames {
			changes = append(changes, Change{Entity: "engagement", EntityID: id, Action: "update", Field: "managers", Old: oldNames, New: newNames, UserID: w.UserID, At: NowOf(tx)})
		}
		if err := RecordChanges(tx, changes); err != nil {
			return err
		}
		if in.IsBOT() {
			if err := seedReadiness(tx, w, id); err != nil {
				return err
			}
		}
		after := old
		after.Model, after.Currency, after.ContractValue = in.Model, in.Currency, in.ContractValue
		var totals aggDeltas
		totals.engagement(old, -1)
		totals.engagement(after, +1)
		return refreshThenTotals(ctx, tx, w, &totals, id)
	})
}

// MovePhase moves an engagement to another phase of its model on a date, at
// version: a phase_changes row and history rows record it. A BOT programme
// moved to Transferred gets its actual transfer date (and loses it if moved
// back); an ITO contract moved to Ended is closed on that date.
func MovePhase(ctx context.Context, db *gorm.DB, w Actor, id uint, version int, to string, on Date) error {
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var old Engagement
		if err := lockEngagement(tx, &old, id); err != nil {
			return err
		}
		if old.Version != version {
			return ErrStale
		}
		switch {
		case !old.ClosedOn.IsZero():
			return ruleErr("_form", "The engagement was closed on %s; reopen it before moving its phase.", old.ClosedOn.Human())
		case to == old.Phase:
			return ruleErr("to", "The engagement is already in its %s phase.", to)
		case !slices.Contains(PhasesOf(old.Model), to):
			return ruleErr("to", "%s is not a phase of a %s engagement.", to, old.Model)
		}
		if err := checkMoveDate(tx, id, on, w.Today); err != nil {
			return err
		}
		next := old
		next.Phase = to
		switch {
		case old.IsBOT() && to == "Transferred":
			next.ActualTransfer = on
		case old.IsBOT():
			next.ActualTransfer = Date{}
		case to == "Ended":
			next.ClosedOn = on
		}
		return recordMove(ctx, tx, w, old, next, on, "move")
	})
}

// checkMoveDate keeps the phase changes in order: a move is dated no earlier
// than the previous one and no later than today.
func checkMoveDate(tx *gorm.DB, id uint, on, today Date) error {
	if on.After(today) {
		return ruleErr("on", "A move cannot be dated after today (%s).", today.Human())
	}
	var last PhaseChange
	if err := tx.Where("engagement_id = ?", id).Order("changed_on DESC, id DESC").Limit(1).Find(&last).Error; err != nil {
		return err
	}
	if last.ID != 0 && on.Before(last.ChangedOn) {
		return ruleErr("on", "The previous move was on %s; date this one on or after it.", last.ChangedOn.Human())
	}
	return nil
}

// recordMove writes a phase/closure change: the versioned update, its history
// rows, a phase_changes row when the phase moved, and the refreshed health.
func recordMove(ctx context.Context, tx *gorm.DB, w Actor, old, next Engagement, on Date, action string) error {
	fields := []string{"Phase", "ActualTransfer", "ClosedOn"}
	cols := map[string]any{}
	for _, f := range fields {
		cols[naming.ColumnName("", f)] = fieldValue(next, f)
	}
	if err := UpdateVersioned(tx, &Engagement{}, old.ID, old.Version, cols); err != nil {
		return err
	}
	changes := Diff("engagement", old.ID, w.UserID, NowOf(tx), old, next, fields...)
	for i := range changes {
		changes[i].Action = action
	}
	if err := RecordChanges(tx, changes); err != nil {
		return err
	}
	if next.Phase != old.Phase {
		pc := PhaseChange{EngagementID: old.ID, FromPhase: old.Phase, ToPhase: next.Phase, ChangedOn: on, UserID: w.UserID}
		if err := tx.Create(&pc).Error; err != nil {
			return err
		}
	}
	var totals aggDeltas
	totals.engagement(old, -1)
	totals.engagement(next, +1)
	return refreshThenTotals(ctx, tx, w, &totals, old.ID)
}

// refreshThenTotals refreshes an engagement's health after a write to it and
// applies the write's aggregate deltas together with the change of colour, in
// one ordered pass (aggregates.go).
func refreshThenTotals(ctx context.Context, tx *gorm.DB, w Actor, totals *aggDeltas, id uint) error {
	if err := refreshHealth(ctx, tx, w.Settings, w.Today, totals, nil, id); err != nil {
		return err
	}
	return totals.apply(tx)
}

// CloseEngagement closes an engagement on a date at version. An ITO contract
// moves to Ended; a BOT programme keeps its phase (transferred, or stopped
// early). It stays in every list, past quarter and history.
func CloseEngagement(ctx context.Context, db *gorm.DB, w Actor, id uint, version int, on Date) error {
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var old Engagement
		if err := lockEngagement(tx, &old, id); err != nil {
			return err
		}
		if old.Version != version {
			return ErrStale
		}
		if !old.ClosedOn.IsZero() {
			return ruleErr("_form", "The engagement was already closed on %s.", old.ClosedOn.Human())
		}
		if err := checkMoveDate(tx, id, on, w.Today); err != nil {
			return err
		}
		next := old
		next.ClosedOn = on
		if !old.IsBOT() {
			next.Phase = "Ended"
		}
		return recordMove(ctx, tx, w, old, next, on, "close")
	})
}

// ReopenEngagement undoes a closure at version: an ended ITO contract goes back
// to the phase it ended from (dated today), a BOT programme keeps its phase.
func ReopenEngagement(ctx context.Context, db *gorm.DB, w Actor, id uint, version int) error {
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var old Engagement
		if err := lockEngagement(tx, &old, id); err != nil {
			return err
		}
		if old.Version != version {
			return ErrStale
		}
		if old.ClosedOn.IsZero() {
			return ruleErr("_form", "The engagement is not closed.")
		}
		next := old
		next.ClosedOn = Date{}
		if !old.IsBOT() && old.Phase == "Ended" {
			var last PhaseChange
			if err := tx.Where("engagement_id = ? AND to_phase = ?", id, "Ended").Order("changed_on DESC, id DESC").Limit(1).Find(&last).Error; err != nil {
				return err
			}
			next.Phase = "Exit"
			if last.ID != 0 && last.FromPhase != "" {
				next.Phase = last.FromPhase
			}
		}
		return recordMove(ctx, tx, w, old, next, w.Today, "reopen")
	})
}

// fieldValue reads a field of a struct for an update's column map.
func fieldValue(v any, f string) any {
	return reflect.Indirect(reflect.ValueOf(v)).FieldByName(f).Interface()
}

// IsRuleError unwraps a RuleError.
func IsRuleError(err error) (*RuleError, bool) {
	var re *RuleError
	ok := errors.As(err, &re)
	return re, ok
}
