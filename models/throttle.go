package models

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"portfolio/models/sqlstore"
)

// LoginThrottle counts failed sign-ins per key ("email:…", "ip:…") in the
// database, so that every app instance sees the same count.
type LoginThrottle struct {
	Key         string `gorm:"primaryKey"`
	Failures    int
	LockedUntil *time.Time
	UpdatedAt   time.Time `gorm:"autoUpdateTime:false"` // the last failure, by the app's clock
}

// FreeFailures is how many failures an account gets before back-off starts.
const FreeFailures = 5

// FreeAddressFailures is the same for a client address: higher, because one
// office behind one NAT address shares it, yet a guesser trying many accounts
// from one address is still slowed down.
const FreeAddressFailures = 20

// throttleMemory is how long failures are remembered after the last one: an
// address that mistyped a password last month starts afresh.
const throttleMemory = 24 * time.Hour

// ThrottleKeys are the throttle keys of a sign-in attempt: the account (whether
// or not it exists, so the answer reveals nothing) and the client address.
func ThrottleKeys(email, ip string) []string {
	return []string{"email:" + NormalizeEmail(email), "ip:" + ip}
}

// backoff doubles from 30 s with each failure past the free ones, up to 15 minutes.
func backoff(key string, failures int) time.Duration {
	free := FreeFailures
	if strings.HasPrefix(key, "ip:") {
		free = FreeAddressFailures
	}
	if failures < free {
		return 0
	}
	d := 30 * time.Second << min(failures-free, 5)
	return min(d, 15*time.Minute)
}

// ThrottleWait is how long the longest-locked of keys must still wait (0: may try now).
func ThrottleWait(ctx context.Context, db *gorm.DB, now time.Time, keys ...string) (time.Duration, error) {
	var rows []LoginThrottle
	if err := db.WithContext(ctx).Where("key IN ?", keys).Find(&rows).Error; err != nil {
		return 0, err
	}
	var wait time.Duration
	for _, r := range rows {
		if r.LockedUntil != nil && r.LockedUntil.After(now) {
			wait = max(wait, r.LockedUntil.Sub(now))
		}
	}
	return wait, nil
}

// RecordLoginFailure counts a failure against each key and sets its lock. The
// row is created if missing and then locked, so concurrent failures on several
// instances all count and none fails on the unique key.
func RecordLoginFailure(ctx context.Context, db *gorm.DB, now time.Time, keys ...string) error {
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		for _, k := range keys {
			if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoNothing: true}).
				Create(&LoginThrottle{Key: k, UpdatedAt: now}).Error; err != nil {
				return err
			}
			var r LoginThrottle
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("key = ?", k).First(&r).Error; err != nil {
				return err
			}
			if now.Sub(r.UpdatedAt) > throttleMemory {
				r.Failures = 0
			}
			r.Failures++
			cols := map[string]any{"failures": r.Failures, "updated_at": now}
			if d := backoff(k, r.Failures); d > 0 {
				cols["locked_until"] = now.Add(d)
			}
			if err := tx.Model(&LoginThrottle{}).Where("key = ?", k).UpdateColumns(cols).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// AttemptLogin counts a sign-in attempt against each key before its password
// is checked, in one transaction with the keys' rows locked (created if
// missing): the check and the count are one step, so attempts made at once
// cannot all be checked against the password. While any key is locked the
// attempt is refused and not counted, and the wait is returned; otherwise it
// counts as a failure until LoginSucceeded takes it back, and the attempt
// that reaches a key's free failures locks it for those that follow.
func AttemptLogin(ctx context.Context, db *gorm.DB, now time.Time, keys ...string) (time.Duration, error) {
	var wait time.Duration
	err := sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		wait = 0
		rows := make([]LoginThrottle, len(keys))
		for i, k := range keys {
			if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoNothing: true}).
				Create(&LoginThrottle{Key: k, UpdatedAt: now}).Error; err != nil {
				return err
			}
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("key = ?", k).First(&rows[i]).Error; err != nil {
				return err
			}
			if r := rows[i]; now.Sub(r.UpdatedAt) <= throttleMemory && r.LockedUntil != nil && r.LockedUntil.After(now) {
				wait = max(wait, r.LockedUntil.Sub(now))
			}
		}
		if wait > 0 {
			return nil
		}
		for i, r := range rows {
			if now.Sub(r.UpdatedAt) > throttleMemory {
				r.Failures = 0
			}
			r.Failures++
			cols := map[string]any{"failures": r.Failures, "updated_at": now, "locked_until": nil}
			if d := backoff(keys[i], r.Failures); d > 0 {
				cols["locked_until"] = now.Add(d)
			}
			if err := tx.Model(&LoginThrottle{}).Where("key = ?", r.Key).UpdateColumns(cols).Error; err != nil {
				return err
			}
		}
		return nil
	})
	return wait, err
}

// LoginSucceeded takes a successful attempt back: the account's failures are
// forgotten, and the address's count loses this attempt (and its lock, when
// that leaves it under its free failures), so people signing in from one
// office's address do not lock each other out.
func LoginSucceeded(ctx context.Context, db *gorm.DB, accountKey, addressKey string) error {
	return sqlstore.Write(ctx, db, func(tx *gorm.DB) error {
		if err := tx.Where("key = ?", accountKey).Delete(&LoginThrottle{}).Error; err != nil {
			return err
		}
		var r LoginThrottle
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("key = ?", addressKey).Limit(1).Find(&r).Error; err != nil || r.Key == "" {
			return err
		}
		r.Failures = max(r.Failures-1, 0)
		cols := map[string]any{"failures": r.Failures}
		if backoff(addressKey, r.Failures) == 0 {
			cols["locked_until"] = nil
		}
		return tx.Model(&LoginThrottle{}).Where("key = ?", addressKey).UpdateColumns(cols).Error
	})
}
