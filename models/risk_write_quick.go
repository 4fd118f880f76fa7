package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
)

// The register's quick actions: small changes a manager makes from the list.
// Each applies to the risk at the version the list showed, and is versioned
// and recorded like any edit.
//
// The risk is read, changed, checked and compared outside the transaction:
// the transaction holds SQLite's single writer lock (PostgreSQL: the row and
// its counters), so it only writes, with the UPDATE conditional on the version
// read. Every writer of a risk moves its version, so the stored row at that
// version is the row read, and the history written from it is exact; a risk
// changed meanwhile matches no row and the change is refused (ErrStale).

// ChangeRisk applies mutate to the stored risk id if it is still at version and
// saves it with its history (action names the change: review, close, …). A
// mutate error (a rule the change breaks) is returned as is, with nothing written.
func ChangeRisk(ctx context.Context, db *gorm.DB, act Actor, id uint, version int, action string, mutate func(r *Risk) error) (Risk, error) {
	var stored Risk
	if err := db.WithContext(ctx).First(&stored, id).Error; err != nil {
		return Risk{}, err
	}
	return changeStored(ctx, db, act, stored, version, action, mutate)
}

// changeStored is ChangeRisk of a risk already read (stored, as read).
func changeStored(ctx context.Context, db *gorm.DB, act Actor, stored Risk, version int, action string, mutate func(r *Risk) error) (Risk, error) {
	if stored.Version != version {
		return Risk{}, ErrStale
	}
	r := stored
	if err := mutate(&r); err != nil {
		return Risk{}, err
	}
	r.Normalise()
	if errs := r.Problems(); len(errs) > 0 {
		return Risk{}, RiskRuleError(errs)
	}
	changes := Diff(RiskEntity, r.ID, act.UserID, act.at(), stored, r, RiskHistoryFields...)
	err := sqlstore.Write(ctx, writeTx(ctx, db), func(tx *gorm.DB) error {
		if len(changes) > 0 {
			return saveRiskChanges(ctx, tx, act, stored, &r, changes, action, nil)
		}
		if action != ActionReview {
			return nil
		}
		// A second review the same day changes nothing, but it happened: the
		// history says so (old = new, so replaying it is harmless), if the
		// risk is still as the reviewer saw it.
		var n int64
		if err := tx.Model(&Risk{}).Where("id = ? AND version = ?", r.ID, version).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return ErrStale
		}
		return RecordChanges(tx, []Change{{Entity: RiskEntity, EntityID: r.ID, Action: ActionReview, Field: "next_review",
			Old: stored.NextReview.String(), New: r.NextReview.String(), UserID: act.UserID, At: act.at()}})
	})
	if err != nil {
		return Risk{}, err
	}
	return r, nil
}

// RiskChange is one of the quick actions, ready to apply to a risk already
// read (ApplyRiskChange): the handlers read the risk to render its row anyway.
type RiskChange struct {
	action string
	mutate func(act Actor, r *Risk) error
}

// ApplyRiskChange applies ch to stored, the risk as read, if the list showed
// it at version and it is still there: ChangeRisk without reading it again.
func ApplyRiskChange(ctx context.Context, db *gorm.DB, act Actor, stored Risk, version int, ch RiskChange) (Risk, error) {
	return changeStored(ctx, db, act, stored, version, ch.action, func(r *Risk) error { return ch.mutate(act, r) })
}

// RiskRuleError is a change refused by the register's rules, by column name.
type RiskRuleError map[string]string

func (e RiskRuleError) Error() string {
	return fmt.Sprintf("risk is not valid: %v", map[string]string(e))
}

// SetRiskStatus moves a risk to open or mitigating. Reopening a closed risk
// clears its closed date and reason (the history keeps them); accepting and
// closing have their own actions, as they need more than a status.
func SetRiskStatus(ctx context.Context, db *gorm.DB, act Actor, id uint, version int, status string) (Risk, error) {
	return changeByID(ctx, db, act, id, version, StatusChange(status))
}

// StatusChange is SetRiskStatus's change.
func StatusChange(status string) RiskChange {
	return RiskChange{ActionUpdate, func(act Actor, r *Risk) error {
		if status != StatusOpen && status != StatusMitigating {
			return RiskRuleError{"status": "Choose open or mitigating; accepting and closing have their own forms."}
		}
		if r.Status == StatusClosed {
			r.ClosedOn, r.ClosedReason = Date{}, ""
			if r.NextReview.IsZero() || r.NextReview.Before(act.today()) {
				r.NextReview = act.Settings.Risk.NextReview(act.today(), r.ResidualScore)
			}
		}
		r.Status = status
		return nil
	}}
}

// ReviewRisk records a review held today: the next review falls due after the
// cadence of the risk's residual band (settings).
func ReviewRisk(ctx context.Context, db *gorm.DB, act Actor, id uint, version int) (Risk, error) {
	return changeByID(ctx, db, act, id, version, ReviewChange())
}

// ReviewChange is ReviewRisk's change.
func ReviewChange() RiskChange {
	return RiskChange{ActionReview, func(act Actor, r *Risk) error {
		if r.Status == StatusClosed {
			return RiskRuleError{"status": "A closed risk is not reviewed: reopen it first."}
		}
		r.NextReview = act.Settings.Risk.NextReview(act.today(), r.ResidualScore)
		return nil
	}}
}

// CloseRisk closes a risk on a day with a reason.
func CloseRisk(ctx context.Context, db *gorm.DB, act Actor, id uint, version int, on Date, reason string) (Risk, error) {
	return changeByID(ctx, db, act, id, version, CloseChange(on, reason))
}

// CloseChange is CloseRisk's change.
func CloseChange(on Date, reason string) RiskChange {
	return RiskChange{ActionClose, func(act Actor, r *Risk) error {
		if r.Status == StatusClosed {
			return RiskRuleError{"status": "This risk is already closed."}
		}
		if on.After(act.today()) {
			return RiskRuleError{"closed_on": "A risk cannot be closed on a future date."}
		}
		r.Status, r.ClosedOn, r.ClosedReason = StatusClosed, on, reason
		return nil
	}}
}

// AcceptRisk records that a risk is accepted as it stands: who approved it, why,
// and until when (the acceptance expires and is reviewed again then).
func AcceptRisk(ctx context.Context, db *gorm.DB, act Actor, id uint, version int, by, justification string, expiry Date) (Risk, error) {
	return changeByID(ctx, db, act, id, version, AcceptChange(by, justification, expiry))
}

// AcceptChange is AcceptRisk's change.
func AcceptChange(by, justification string, expiry Date) RiskChange {
	return RiskChange{ActionAccept, func(act Actor, r *Risk) error {
		if r.Status == StatusClosed {
			return RiskRuleError{"status": "A closed risk cannot be accepted: reopen it first."}
		}
		if !expiry.IsZero() && !expiry.After(act.today()) {
			return RiskRuleError{"accept_expiry": "The acceptance must expire after today."}
		}
		r.Status, r.AcceptedBy, r.AcceptJustification, r.AcceptExpiry = StatusAccepted, by, justification, expiry
		r.Response = "accept"
		if r.NextReview.IsZero() || (!expiry.IsZero() && expiry.Before(r.NextReview)) {
			r.NextReview = expiry // an acceptance is looked at again when it lapses, at the latest
		}
		return nil
	}}
}

// changeByID reads risk id and applies ch to it.
func changeByID(ctx context.Context, db *gorm.DB, act Actor, id uint, version int, ch RiskChange) (Risk, error) {
	return ChangeRisk(ctx, db, act, id, version, ch.action, func(r *Risk) error { return ch.mutate(act, r) })
}
