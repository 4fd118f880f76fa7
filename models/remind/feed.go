package remind

// Calendar feeds: each user's private address for their calendar, a random
// secret kept only as its hash, revocable.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/sqlstore"
)

// Feed is a user's calendar feed.
type Feed struct {
	ID        uint `gorm:"primaryKey"`
	UserID    uint
	TokenHash string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// TableName is the feeds' table (migration 22).
func (Feed) TableName() string { return "calendar_feeds" }

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewFeed gives user a new calendar feed, revoking the one they had, and
// returns its secret: it is not kept, so this is the one time it is known.
// Each is a history row (entity "calendar_feed"), the secret not in it.
func NewFeed(ctx context.Context, db *gorm.DB, userID uint, at time.Time) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		if err := revoke(tx, userID, at); err != nil {
			return err
		}
		f := Feed{UserID: userID, TokenHash: hashToken(token), CreatedAt: at.UTC()}
		if err := tx.Create(&f).Error; err != nil {
			return err
		}
		return models.RecordChanges(tx, []models.Change{{Entity: "calendar_feed", EntityID: f.ID, Action: "create", UserID: &userID, At: at.UTC()}})
	})
	return token, err
}

// RevokeFeed ends user's calendar feed, if they have one: its address
// answers 404 from now on.
func RevokeFeed(ctx context.Context, db *gorm.DB, userID uint, at time.Time) error {
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error { return revoke(tx, userID, at) })
}

func revoke(tx *gorm.DB, userID uint, at time.Time) error {
	var live []Feed
	if err := tx.Where("user_id = ? AND revoked_at IS NULL", userID).Find(&live).Error; err != nil {
		return err
	}
	at = at.UTC()
	for _, f := range live {
		if err := tx.Model(&Feed{}).Where("id = ?", f.ID).Update("revoked_at", at).Error; err != nil {
			return err
		}
		if err := models.RecordChanges(tx, []models.Change{{Entity: "calendar_feed", EntityID: f.ID, Action: "revoke", UserID: &userID, At: at}}); err != nil {
			return err
		}
	}
	return nil
}

// LiveFeed is user's feed if they have one that is not revoked.
func LiveFeed(ctx context.Context, db *gorm.DB, userID uint) (Feed, bool, error) {
	var f Feed
	err := db.WithContext(ctx).Where("user_id = ? AND revoked_at IS NULL", userID).Order("id DESC").Limit(1).Find(&f).Error
	return f, f.ID != 0, err
}

// FeedOwner is the active user whose live feed token is (ok false for an
// unknown, revoked or disabled one).
func FeedOwner(ctx context.Context, db *gorm.DB, token string) (models.User, bool, error) {
	var u models.User
	if token == "" {
		return u, false, nil
	}
	err := db.WithContext(ctx).Table("users").Select("users.*").
		Joins("JOIN calendar_feeds f ON f.user_id = users.id AND f.revoked_at IS NULL").
		Where("f.token_hash = ? AND NOT users.disabled", hashToken(token)).Limit(1).Find(&u).Error
	return u, u.ID != 0, err
}
