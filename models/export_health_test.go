package models

import (
	"context"

	"gorm.io/gorm"
)

// OneEngagementFacts is the single-engagement read of health facts that risk
// writers use in their transaction (compiled into tests only).
func OneEngagementFacts(ctx context.Context, db *gorm.DB, s Settings, today Date, id uint) (HealthInputs, error) {
	var e Engagement
	if err := db.WithContext(ctx).First(&e, id).Error; err != nil {
		return HealthInputs{}, err
	}
	return engagementFacts(db.WithContext(ctx), s, today, e)
}

// AttentionQuery is attentionQuery: the dashboard's red or amber list.
func AttentionQuery(db *gorm.DB, h string, n int) *gorm.DB { return attentionQuery(db, h, n) }
