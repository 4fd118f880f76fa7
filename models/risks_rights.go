package models

import (
	"context"

	"gorm.io/gorm"
)

// RiskOwnerChoices lists the enabled users a risk or action can be given to, by name.
func RiskOwnerChoices(ctx context.Context, db *gorm.DB) ([]User, error) {
	var out []User
	err := db.WithContext(ctx).Select("id", "name", "email", "role").Where("disabled = ?", false).
		Order("name, id").Find(&out).Error
	return out, err
}
