package models

import (
	"context"

	"gorm.io/gorm"
)

// ImportRisks writes a batch of risks inside tx, each recorded with the action
// "import": a risk with ID 0 is created (its reference generated when blank),
// any other updates the stored risk at its Version (ErrStale when it moved on,
// ErrRefTaken for a used reference). The health of the engagements touched is
// refreshed once at the end. The caller's transaction makes the batch all or
// nothing; every risk must pass Problems.
func ImportRisks(ctx context.Context, tx *gorm.DB, act Actor, risks []*Risk) error {
	touched := map[uint]bool{}
	for _, r := range risks {
		r.Normalise()
		if r.ID == 0 {
			if r.RaisedOn.IsZero() {
				r.RaisedOn = act.today()
			}
			if r.NextReview.IsZero() && r.Status != StatusClosed {
				r.NextReview = act.Settings.Risk.NextReview(r.RaisedOn, r.ResidualScore)
			}
			if err := createRiskTx(ctx, tx, act, r, ActionImport, touched); err != nil {
				return err
			}
			continue
		}
		if _, err := updateRiskTx(ctx, tx, act, r, ActionImport, touched); err != nil {
			return err
		}
	}
	if len(touched) == 0 {
		return nil
	}
	ids := make([]uint, 0, len(touched))
	for id := range touched {
		ids = append(ids, id)
	}
	return RefreshHealth(ctx, tx, act.Settings, act.today(), ids...)
}
