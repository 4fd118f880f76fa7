package models

// Personal access tokens for the JSON API: a random secret shown once, kept
// only as its SHA-256 (migration 33), named, read or write, expiring,
// revocable. A token acts for its owner with the owner's rights as they are
// at each request: TokenOwner reads both afresh, so a revocation, a disabled
// owner or a lowered role counts at once.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
)

// Token scopes.
const (
	ScopeRead  = "read"  // reads everything the owner may read
	ScopeWrite = "write" // also writes what the owner may write (managers and admins only)
)

// TokenPrefix starts every token's secret, so that a leaked one is easy to
// recognise (secret scanners, logs).
const TokenPrefix = "pfl_"

// EntityAPIToken names tokens in the history.
const EntityAPIToken = "api_token"

// DefaultTokenLife is a token's life when its maker names none.
const DefaultTokenLife = 90 * 24 * time.Hour

// TokenTouchEvery is how stale a token's last-used time may get: it is
// written at most once a minute, not on every request.
const TokenTouchEvery = time.Minute

// APIToken is a personal access token (its secret is not kept).
type APIToken struct {
	ID         uint `gorm:"primaryKey"`
	UserID     uint
	User       *User
	Name       string
	Scope      string
	TokenHash  string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	RevokedBy  *uint
}

// TableName is the tokens' table (migration 33).
func (APIToken) TableName() string { return "api_tokens" }

// Live reports whether the token still works at now (not revoked, not expired).
func (t APIToken) Live(now time.Time) bool { return t.RevokedAt == nil && now.Before(t.ExpiresAt) }

// LastDay is the last day (UTC) the token works: a token made to expire on a
// day works through it and stops at the next midnight, which is stored.
func (t APIToken) LastDay() Date { return DateOf(t.ExpiresAt.Add(-time.Nanosecond)) }

// CanWrite reports whether a token lets its owner write: a write token of a
// manager or an admin, as the owner's role is now.
func (t APIToken) CanWrite(owner User) bool {
	return t.Scope == ScopeWrite && MaxTokenScope(owner.Role) == ScopeWrite
}

// MaxTokenScope is the widest scope a role may hold: executives read only.
func MaxTokenScope(role string) string {
	if role == RoleManager || role == RoleAdmin {
		return ScopeWrite
	}
	return ScopeRead
}

// hashToken is how a secret is kept and looked up.
func hashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewToken is a token to make: whose, what it is called, its scope and life.
type NewToken struct {
	Owner   User
	Name    string
	Scope   string
	Expires time.Time // zero: DefaultTokenLife from now
	MaxLife time.Duration
}

// CreateToken makes a token and returns its secret (pfl_ and 32 random bytes,
// base64url): it is not kept, so this is the one time it is known. It refuses
// (Invalid) a blank or long name, an unknown scope, a scope wider than the
// owner's role, a disabled owner, and an expiry in the past or beyond maxLife.
// by is who made it (the owner, or nil from the command line), at when.
func CreateToken(ctx context.Context, db *gorm.DB, n NewToken, by *uint, at time.Time) (string, APIToken, error) {
	at = at.UTC()
	errs := Invalid{}
	n.Name = strings.TrimSpace(n.Name)
	switch {
	case n.Name == "":
		errs["name"] = "Name the token after what will use it."
	case utf8.RuneCountInString(n.Name) > 100:
		errs["name"] = "At most 100 characters."
	}
	switch {
	case n.Scope != ScopeRead && n.Scope != ScopeWrite:
		errs["scope"] = "Choose read or write."
	case n.Scope == ScopeWrite && MaxTokenScope(n.Owner.Role) != ScopeWrite:
		errs["scope"] = "An executive's token can only read."
	}
	if n.Owner.Disabled {
		errs["owner"] = "The account is disabled."
	}
	if n.Expires.IsZero() {
		n.Expires = at.Add(DefaultTokenLife)
	}
	if n.MaxLife <= 0 {
		n.MaxLife = 365 * 24 * time.Hour
	}
	switch {
	case !n.Expires.After(at):
		errs["expires"] = "Choose a day after today."
	case n.Expires.Sub(at) > n.MaxLife+24*time.Hour:
		errs["expires"] = "At most " + daysWord(n.MaxLife) + " from today."
	}
	if len(errs) > 0 {
		return "", APIToken{}, errs
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", APIToken{}, err
	}
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	t := APIToken{UserID: n.Owner.ID, Name: n.Name, Scope: n.Scope, TokenHash: hashToken(secret), CreatedAt: at, ExpiresAt: n.Expires.UTC()}
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		if err := tx.Create(&t).Error; err != nil {
			return err
		}
		return RecordChanges(tx, []Change{{Entity: EntityAPIToken, EntityID: t.ID, Action: "create", UserID: by, At: at},
			{Entity: EntityAPIToken, EntityID: t.ID, Action: "create", Field: "name", New: t.Name, UserID: by, At: at},
			{Entity: EntityAPIToken, EntityID: t.ID, Action: "create", Field: "scope", New: t.Scope, UserID: by, At: at}})
	})
	return secret, t, err
}

func daysWord(d time.Duration) string {
	return FormatValue("", int(d/(24*time.Hour))) + " days"
}

// TokenOwner finds the live token of a secret and its owner as they are now
// (ok false for an unknown, revoked or expired token or a disabled owner).
func TokenOwner(ctx context.Context, db *gorm.DB, secret string, now time.Time) (APIToken, User, bool, error) {
	var t APIToken
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 100 {
		return t, User{}, false, nil
	}
	err := db.WithContext(ctx).Preload("User").Where("token_hash = ?", hashToken(secret)).Limit(1).Find(&t).Error
	if err != nil || t.ID == 0 || t.User == nil || t.User.Disabled || !t.Live(now) {
		return t, User{}, false, err
	}
	return t, *t.User, true, nil
}

// TouchToken notes that a token was used at now, unless that was noted less
// than TokenTouchEvery before: one write a minute at most, not one a request.
func TouchToken(ctx context.Context, db *gorm.DB, t APIToken, now time.Time) error {
	now = now.UTC()
	if t.LastUsedAt != nil && now.Sub(*t.LastUsedAt) < TokenTouchEvery {
		return nil
	}
	return db.WithContext(ctx).Model(&APIToken{}).
		Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", t.ID, now.Add(-TokenTouchEvery)).
		UpdateColumn("last_used_at", now).Error
}

// TokensOf lists a user's tokens, newest first (userID 0: everyone's, with their owners).
func TokensOf(ctx context.Context, db *gorm.DB, userID uint) ([]APIToken, error) {
	var out []APIToken
	q := db.WithContext(ctx).Preload("User").Order("created_at DESC, id DESC")
	if userID != 0 {
		q = q.Where("user_id = ?", userID)
	}
	return out, q.Find(&out).Error
}

// RevokeToken ends a token at once. ownerID, when not 0, limits it to that
// user's tokens (another's is ErrNotFound); an admin passes 0. Revoking a
// revoked token changes nothing.
func RevokeToken(ctx context.Context, db *gorm.DB, id, ownerID uint, by *uint, at time.Time) error {
	at = at.UTC()
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var t APIToken
		q := tx.Where("id = ?", id)
		if ownerID != 0 {
			q = q.Where("user_id = ?", ownerID)
		}
		if err := q.Limit(1).Find(&t).Error; err != nil {
			return err
		}
		if t.ID == 0 {
			return ErrNotFound
		}
		if t.RevokedAt != nil {
			return nil
		}
		if err := tx.Model(&APIToken{}).Where("id = ?", id).UpdateColumns(map[string]any{"revoked_at": at, "revoked_by": by}).Error; err != nil {
			return err
		}
		return RecordChanges(tx, []Change{{Entity: EntityAPIToken, EntityID: id, Action: "revoke", UserID: by, At: at}})
	})
}
