package models

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
)

// ErrQuarterPublished is a change to a quarter whose pack is published: its
// commentary, decisions and actions are frozen with it.
var ErrQuarterPublished = errors.New("the quarter is published; its commentary is frozen")

// commentaryFields are a governance review's fields the commentary form edits,
// each change a history row (entity "governance_review").
var commentaryFields = []string{"Rating", "HeldOn", "Commentary", "Decisions", "Escalations"}

// QuarterPublished reports whether a quarter's pack is published.
func QuarterPublished(ctx context.Context, db *gorm.DB, quarter string) (bool, error) {
	var n int64
	err := db.WithContext(ctx).Model(&PublishedPack{}).Where("quarter = ?", quarter).Count(&n).Error
	return n > 0, err
}

// ReviewOf is an engagement's governance review of a quarter (ok false when
// none is recorded yet).
func ReviewOf(ctx context.Context, db *gorm.DB, engagementID uint, quarter string) (r GovernanceReview, ok bool, err error) {
	err = db.WithContext(ctx).Where("engagement_id = ? AND quarter = ?", engagementID, quarter).Limit(1).Find(&r).Error
	return r, r.ID != 0, err
}

// ReviewActions are the actions agreed at an engagement's reviews of a quarter, by due date.
func ReviewActions(ctx context.Context, db *gorm.DB, engagementID uint, quarter string) ([]ReviewAction, error) {
	var out []ReviewAction
	err := db.WithContext(ctx).Joins("JOIN governance_reviews g ON g.id = review_actions.governance_review_id").
		Where("g.engagement_id = ? AND g.quarter = ?", engagementID, quarter).Order("review_actions.due").Find(&out).Error
	return out, err
}

// SaveCommentary writes an engagement's commentary of a quarter: the review
// is created at version 0 (none yet) or updated if still at version
// (ErrStale otherwise), with an optional new action, each with its history.
// A published quarter is refused (ErrQuarterPublished), read in the same
// transaction, so that no commentary slips into a pack being frozen.
func SaveCommentary(ctx context.Context, db *gorm.DB, userID *uint, at time.Time, engagementID uint, quarter string,
	next GovernanceReview, version int, action *ReviewAction) (GovernanceReview, error) {
	var out GovernanceReview
	at = at.UTC()
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		if published, err := QuarterPublished(ctx, tx, quarter); err != nil || published {
			if err == nil {
				err = ErrQuarterPublished
			}
			return err
		}
		current, ok, err := ReviewOf(ctx, tx, engagementID, quarter)
		switch {
		case err != nil:
			return err
		case !ok:
			if version != 0 {
				return ErrStale
			}
			next.ID, next.EngagementID, next.Quarter, next.Version = 0, engagementID, quarter, 1
			if err := tx.Create(&next).Error; err != nil {
				return err
			}
			out = next
			if err := RecordChanges(tx, Created("governance_review", next.ID, userID, at, next, commentaryFields...)); err != nil {
				return err
			}
		default:
			changes := Diff("governance_review", current.ID, userID, at, current, next, commentaryFields...)
			if err := UpdateVersioned(tx, &GovernanceReview{}, current.ID, version, map[string]any{
				"rating": next.Rating, "held_on": next.HeldOn, "commentary": next.Commentary, "decisions": next.Decisions,
				"escalations": next.Escalations, "updated_at": at}); err != nil {
				return err
			}
			if err := RecordChanges(tx, changes); err != nil {
				return err
			}
			out = current
			out.Rating, out.HeldOn, out.Commentary, out.Decisions, out.Escalations = next.Rating, next.HeldOn, next.Commentary, next.Decisions, next.Escalations
			out.Version = version + 1
		}
		if action == nil {
			return nil
		}
		action.GovernanceReviewID, action.EngagementID = out.ID, engagementID
		if err := tx.Create(action).Error; err != nil {
			return err
		}
		return RecordChanges(tx, Created("review_action", action.ID, userID, at, *action, "Action", "Owner", "Due", "Status"))
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		err = ErrStale // two first commentaries of the quarter at once
	}
	return out, err
}

// portfolioCommentaryFields are the portfolio commentary's fields the form
// edits, each change a history row (entity "portfolio_commentary").
var portfolioCommentaryFields = []string{"KeyMessages", "Asks"}

// PortfolioCommentaryOf is the portfolio commentary of a quarter (ok false
// when none is written yet).
func PortfolioCommentaryOf(ctx context.Context, db *gorm.DB, quarter string) (c PortfolioCommentary, ok bool, err error) {
	err = db.WithContext(ctx).Where("quarter = ?", quarter).Limit(1).Find(&c).Error
	return c, c.ID != 0, err
}

// SavePortfolioCommentary writes the portfolio commentary of a quarter as
// SaveCommentary writes an engagement's: created at version 0, updated if
// still at version (ErrStale otherwise), with its history, and refused once
// the quarter is published (ErrQuarterPublished).
func SavePortfolioCommentary(ctx context.Context, db *gorm.DB, userID *uint, at time.Time, quarter string,
	next PortfolioCommentary, version int) (PortfolioCommentary, error) {
	var out PortfolioCommentary
	at = at.UTC()
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		if published, err := QuarterPublished(ctx, tx, quarter); err != nil || published {
			if err == nil {
				err = ErrQuarterPublished
			}
			return err
		}
		current, ok, err := PortfolioCommentaryOf(ctx, tx, quarter)
		switch {
		case err != nil:
			return err
		case !ok:
			if version != 0 {
				return ErrStale
			}
			next.ID, next.Quarter, next.Version, next.CreatedAt, next.UpdatedAt = 0, quarter, 1, at, at
			if err := tx.Create(&next).Error; err != nil {
				return err
			}
			out = next
			return RecordChanges(tx, Created("portfolio_commentary", next.ID, userID, at, next, portfolioCommentaryFields...))
		}
		changes := Diff("portfolio_commentary", current.ID, userID, at, current, next, portfolioCommentaryFields...)
		if err := UpdateVersioned(tx, &PortfolioCommentary{}, current.ID, version, map[string]any{
			"key_messages": next.KeyMessages, "asks": next.Asks, "updated_at": at}); err != nil {
			return err
		}
		out = current
		out.KeyMessages, out.Asks, out.Version, out.UpdatedAt = next.KeyMessages, next.Asks, version+1, at
		return RecordChanges(tx, changes)
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		err = ErrStale // two first commentaries of the quarter at once
	}
	return out, err
}
