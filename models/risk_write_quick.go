package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// The register's quick actions: small changes a manager makes from the list.
// Each loads the risk at the version the list showed, changes it, and saves it
// through updateRiskTx, so it is versioned and recorded like any edit.

// ChangeRisk applies mutate to the stored risk id if it is still at version and
// saves it with its history (action names the change: review, close, …). A
// mutate error (a rule the change breaks) is returned as is, with nothing written.
func ChangeRisk(ctx context.Context, db *gorm.DB, act RiskActor, id uint, version int, action string, mutate func(r *Risk) error) (Risk, error) {
	var out Risk
	err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var r Risk
		if err := tx.First(&r, id).Error; err != nil {
			return err
		}
		if r.Version != version {
			return ErrStale
		}
		before := r
		if err := mutate(&r); err != nil {
			return err
		}
		r.Normalise()
		if errs := r.Problems(); len(errs) > 0 {
			return RiskRuleError(errs)
		}
		if _, err := updateRiskTx(ctx, tx, act, &r, action, nil); err != nil {
			return err
		}
		if action == ActionReview && r.Version == before.Version {
			// A second review the same day changes nothing, but it happened:
			// the history says so (old = new, so replaying it is harmless).
			if err := RecordChanges(tx, []Change{{Entity: RiskEntity, EntityID: id, Action: ActionReview, Field: "next_review",
				Old: before.NextReview.String(), New: r.NextReview.String(), UserID: act.UserID, At: act.at()}}); err != nil {
				return err
			}
		}
		out = r
		return nil
	})
	return out, err
}

// RiskRuleError is a change refused by the register's rules, by column name.
type RiskRuleError map[string]string

func (e RiskRuleError) Error() string {
	return fmt.Sprintf("risk is not valid: %v", map[string]string(e))
}

// SetRiskStatus moves a risk to open or mitigating. Reopening a closed risk
// clears its closed date and reason (the history keeps them); accepting and
// closing have their own actions, as they need more than a status.
func SetRiskStatus(ctx context.Context, db *gorm.DB, act RiskActor, id uint, version int, status string) (Risk, error) {
	if status != StatusOpen && status != StatusMitigating {
		return Risk{}, RiskRuleError{"status": "Choose open or mitigating; accepting and closing have their own forms."}
	}
	action := ActionUpdate
	return ChangeRisk(ctx, db, act, id, version, action, func(r *Risk) error {
		if r.Status == StatusClosed {
			r.ClosedOn, r.ClosedReason = Date{}, ""
			if r.NextReview.IsZero() || r.NextReview.Before(act.today()) {
				r.NextReview = act.Settings.Risk.NextReview(act.today(), r.ResidualScore)
			}
		}
		r.Status = status
		return nil
	})
}

// ReviewRisk records a review held today: the next review falls due after the
// cadence of the risk's residual band (settings).
func ReviewRisk(ctx context.Context, db *gorm.DB, act RiskActor, id uint, version int) (Risk, error) {
	return ChangeRisk(ctx, db, act, id, version, ActionReview, func(r *Risk) error {
		if r.Status == StatusClosed {
			return RiskRuleError{"status": "A closed risk is not reviewed: reopen it first."}
		}
		r.NextReview = act.Settings.Risk.NextReview(act.today(), r.ResidualScore)
		return nil
	})
}

// CloseRisk closes a risk on a day with a reason.
func CloseRisk(ctx context.Context, db *gorm.DB, act RiskActor, id uint, version int, on Date, reason string) (Risk, error) {
	return ChangeRisk(ctx, db, act, id, version, ActionClose, func(r *Risk) error {
		if r.Status == StatusClosed {
			return RiskRuleError{"status": "This risk is already closed."}
		}
		if on.After(act.today()) {
			return RiskRuleError{"closed_on": "A risk cannot be closed on a future date."}
		}
		r.Status, r.ClosedOn, r.ClosedReason = StatusClosed, on, reason
		return nil
	})
}

// AcceptRisk records that a risk is accepted as it stands: who approved it, why,
// and until when (the acceptance expires and is reviewed again then).
func AcceptRisk(ctx context.Context, db *gorm.DB, act RiskActor, id uint, version int, by, justification string, expiry Date) (Risk, error) {
	return ChangeRisk(ctx, db, act, id, version, ActionAccept, func(r *Risk) error {
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
	})
}
