package models

import (
	"context"

	"gorm.io/gorm"
)

// RiskEngagementsFor lists the engagements whose risks a manager may change
// (those they lead or co-manage), by code: the register's row actions and the
// risk form's engagement choices.
func RiskEngagementsFor(ctx context.Context, db *gorm.DB, userID uint) ([]Engagement, error) {
	var out []Engagement
	err := db.WithContext(ctx).Select("id", "code", "name").
		Where("manager_id = ? OR id IN (SELECT engagement_id FROM engagement_managers WHERE user_id = ?)", userID, userID).
		Order("code").Find(&out).Error
	return out, err
}

// RiskOwnerChoices lists the enabled users a risk or action can be given to, by name.
func RiskOwnerChoices(ctx context.Context, db *gorm.DB) ([]User, error) {
	var out []User
	err := db.WithContext(ctx).Select("id", "name", "email", "role").Where("disabled = ?", false).
		Order("name, id").Find(&out).Error
	return out, err
}
