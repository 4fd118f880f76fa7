package models

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// FormToken is a claim of a create form's one-time token by a post (Token
// is a keyed hash of the token, the address and the values: web's onceKey),
// then done with where that post led (its redirect).
type FormToken struct {
	Token     string `gorm:"primaryKey"`
	UserID    uint
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
	Done      bool
	Location  string
}

// formTokenMemory is how long a token is remembered: far longer than any retry.
const formTokenMemory = 24 * time.Hour

// ClaimFormToken claims token for user at now. claimed is true for the first
// post of it; otherwise prior is the token as the earlier post left it
// (pending while that post runs, or done with its outcome). A token claimed by
// another user is never theirs to replay: it comes back with a UserID that
// differs. Tokens older than a day are forgotten on the way.
func ClaimFormToken(ctx context.Context, db *gorm.DB, token string, userID uint, now time.Time) (claimed bool, prior FormToken, err error) {
	db = db.WithContext(ctx)
	if err := db.Where("created_at < ?", now.Add(-formTokenMemory)).Delete(&FormToken{}).Error; err != nil {
		return false, prior, err
	}
	res := db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "token"}}, DoNothing: true}).
		Create(&FormToken{Token: token, UserID: userID, CreatedAt: now.UTC()})
	if res.Error != nil {
		return false, prior, res.Error
	}
	if res.RowsAffected == 1 {
		return true, prior, nil
	}
	// prior.Token is "" when the first post let it go meanwhile.
	err = db.Where("token = ?", token).Limit(1).Find(&prior).Error
	return false, prior, err
}

// FormTokenState reads a claimed token again (a replay waiting for the first post).
func FormTokenState(ctx context.Context, db *gorm.DB, token string) (FormToken, error) {
	var t FormToken
	err := db.WithContext(ctx).Where("token = ?", token).Limit(1).Find(&t).Error
	return t, err
}

// FinishFormToken records the outcome of the post that claimed token: where it led.
func FinishFormToken(ctx context.Context, db *gorm.DB, token, location string) error {
	return db.WithContext(ctx).Model(&FormToken{}).Where("token = ?", token).
		UpdateColumns(map[string]any{"done": true, "location": location}).Error
}

// ReleaseFormToken forgets a token whose post stored nothing (refused, or
// failed): the form shown again carries a new one.
func ReleaseFormToken(ctx context.Context, db *gorm.DB, token string) error {
	return db.WithContext(ctx).Where("token = ? AND NOT done", token).Delete(&FormToken{}).Error
}
