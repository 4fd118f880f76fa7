package models

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"portfolio/models/sqlstore"
)

// ErrEmailTaken refuses a second account with the same email.
var ErrEmailTaken = errors.New("an account with this email already exists")

// userFields are the fields of a user whose changes history records
// (never the password hash: a password change is recorded as "changed").
var userFields = []string{"Name", "Email", "Role"}

// CreateUser hashes the password and stores u (email normalised), with its
// history, in one transaction. by is the admin who created it (nil: the CLI).
func CreateUser(ctx context.Context, db *gorm.DB, u *User, password string, by *uint, now time.Time) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	u.Email, u.PasswordHash = NormalizeEmail(u.Email), hash
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&User{}).Where("email = ?", u.Email).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrEmailTaken
		}
		if err := tx.Create(u).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return ErrEmailTaken
			}
			return err
		}
		return RecordChanges(tx, Created("user", u.ID, by, now, u, userFields...))
	})
}

// SetPassword replaces u's password and ends every session of theirs (a reset
// password must lock out whoever knew the old one). by is who did it.
func SetPassword(ctx context.Context, db *gorm.DB, u *User, password string, by *uint, now time.Time) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		if err := tx.Model(&User{}).Where("id = ?", u.ID).UpdateColumns(map[string]any{"password_hash": hash, "updated_at": now}).Error; err != nil {
			return err
		}
		u.PasswordHash = hash
		if err := RevokeSessions(tx, u, now); err != nil {
			return err
		}
		return RecordChanges(tx, []Change{{Entity: "user", EntityID: u.ID, Action: "password", Field: "password", New: "changed", UserID: by, At: now}})
	})
}

// UpdateUser saves the name, email and role of next over old, provided the row
// still holds old's values (someone else may have changed it since the form was
// loaded: ErrStale). Demoting the last active admin is ErrLastAdmin.
func UpdateUser(ctx context.Context, db *gorm.DB, old, next User, by *uint, now time.Time) error {
	next.Email = NormalizeEmail(next.Email)
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		if old.Role == RoleAdmin && next.Role != RoleAdmin && !old.Disabled {
			if err := EnsureAdminRemains(tx, old.ID); err != nil {
				return err
			}
		}
		if next.Email != old.Email {
			var n int64
			if err := tx.Model(&User{}).Where("email = ? AND id <> ?", next.Email, old.ID).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return ErrEmailTaken
			}
		}
		res := tx.Model(&User{}).
			Where("id = ? AND name = ? AND email = ? AND role = ? AND disabled = ?", old.ID, old.Name, old.Email, old.Role, old.Disabled).
			UpdateColumns(map[string]any{"name": next.Name, "email": next.Email, "role": next.Role, "updated_at": now})
		if res.Error != nil {
			if errors.Is(res.Error, gorm.ErrDuplicatedKey) {
				return ErrEmailTaken
			}
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrStale
		}
		return RecordChanges(tx, Diff("user", old.ID, by, now, old, next, userFields...))
	})
}

// SetDisabled disables or re-enables u. Disabling ends their sessions and
// revokes their calendar address at once (re-enabling brings neither back),
// and may not remove the last active admin. The account is never deleted: the history
// it wrote keeps its author.
func SetDisabled(ctx context.Context, db *gorm.DB, u *User, disabled bool, by *uint, now time.Time) error {
	if u.Disabled == disabled {
		return nil
	}
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		if disabled && u.Role == RoleAdmin {
			if err := EnsureAdminRemains(tx, u.ID); err != nil {
				return err
			}
		}
		if err := tx.Model(&User{}).Where("id = ?", u.ID).UpdateColumns(map[string]any{"disabled": disabled, "updated_at": now}).Error; err != nil {
			return err
		}
		if disabled {
			if err := RevokeSessions(tx, u, now); err != nil {
				return err
			}
			// Its table is models/remind's (migration 22), which imports this package.
			if err := tx.Exec("UPDATE calendar_feeds SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", now.UTC(), u.ID).Error; err != nil {
				return err
			}
		}
		next := *u
		next.Disabled = disabled
		if err := RecordChanges(tx, Diff("user", u.ID, by, now, u, &next, "Disabled")); err != nil {
			return err
		}
		u.Disabled = disabled
		return nil
	})
}
