package models

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// LoginThrottle counts failed sign-ins per key ("email:…", "ip:…") in the
// database, so that every app instance sees the same count.
type LoginThrottle struct {
	Key         string `gorm:"primaryKey"`
	Failures    int
	LockedUntil *time.Time
	UpdatedAt   time.Time
}

// FreeFailures is how many failures a key gets before back-off starts.
const FreeFailures = 5

// backoff doubles from 30 s with each failure past the free ones, up to 15 minutes.
func backoff(failures int) time.Duration {
	if failures < FreeFailures {
		return 0
	}
	d := 30 * time.Second << min(failures-FreeFailures, 5)
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

// RecordLoginFailure counts a failure against each key and sets its lock.
func RecordLoginFailure(ctx context.Context, db *gorm.DB, now time.Time, keys ...string) error {
	return db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, k := range keys {
			var r LoginThrottle
			err := tx.Where("key = ?", k).First(&r).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				r = LoginThrottle{Key: k}
			} else if err != nil {
				return err
			}
			r.Failures++
			r.UpdatedAt = now
			if d := backoff(r.Failures); d > 0 {
				until := now.Add(d)
				r.LockedUntil = &until
			}
			if err := tx.Save(&r).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// ClearLoginFailures forgets the failures of keys after a successful sign-in.
func ClearLoginFailures(ctx context.Context, db *gorm.DB, keys ...string) error {
	return db.WithContext(ctx).Where("key IN ?", keys).Delete(&LoginThrottle{}).Error
}
