package models_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
)

func addUser(t *testing.T, db *gorm.DB, email, role string) models.User {
	t.Helper()
	u := models.User{Name: email, Email: email, Role: role}
	if err := models.CreateUser(context.Background(), db, &u, "a long pass phrase", nil, dbtest.Now()); err != nil {
		t.Fatal(err)
	}
	return u
}

// Two admins demoting each other at the same moment: one wins, the other is
// refused, and an active admin remains (PostgreSQL locks the admin rows;
// SQLite runs the transactions one at a time).
func TestLastAdminSurvivesConcurrentDemotions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		a, b := addUser(t, db, "a@example.com", models.RoleAdmin), addUser(t, db, "b@example.com", models.RoleAdmin)
		for round := 0; round < 5; round++ {
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, u := range []models.User{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					next := u
					next.Role = models.RoleManager
					errs[i] = models.UpdateUser(context.Background(), db, u, next, nil, dbtest.Now())
				}()
			}
			wg.Wait()
			var admins int64
			db.Model(&models.User{}).Where("role = ? AND disabled = ?", models.RoleAdmin, false).Count(&admins)
			if admins != 1 {
				t.Fatalf("round %d: %d active admins after concurrent demotions (errors %v)", round, admins, errs)
			}
			lost := 0
			for _, err := range errs {
				if errors.Is(err, models.ErrLastAdmin) {
					lost++
				} else if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if lost != 1 {
				t.Fatalf("round %d: %d demotions refused, want 1", round, lost)
			}
			// Make both admins again for the next round.
			db.Model(&models.User{}).Where("id IN ?", []uint{a.ID, b.ID}).Update("role", models.RoleAdmin)
		}
		// Disabling the last one is refused too.
		if err := models.SetDisabled(context.Background(), db, &b, true, nil, dbtest.Now()); err != nil {
			t.Fatal(err)
		}
		if err := models.SetDisabled(context.Background(), db, &a, true, nil, dbtest.Now()); !errors.Is(err, models.ErrLastAdmin) {
			t.Errorf("disabling the last active admin: %v", err)
		}
	})
}

// Every revocation moves the epoch on, even at one instant, and the epoch
// survives the database round trip exactly.
func TestRevokeSessionsMovesTheEpoch(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		u := addUser(t, db, "c@example.com", models.RoleExecutive)
		seen := map[int64]bool{models.SessionEpoch(&u): true}
		at := dbtest.Now().Add(123456789 * time.Nanosecond)
		for i := 0; i < 3; i++ {
			if err := models.RevokeSessions(db, &u, at); err != nil {
				t.Fatal(err)
			}
			var stored models.User
			db.First(&stored, u.ID)
			e := models.SessionEpoch(&stored)
			if e != models.SessionEpoch(&u) || seen[e] {
				t.Fatalf("revocation %d: epoch %d (in memory %d), seen before: %v", i, e, models.SessionEpoch(&u), seen[e])
			}
			seen[e] = true
		}
	})
}

// Failures are forgotten a day after the last one: last month's typo does not
// lock an address today.
func TestThrottleForgetsOldFailures(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		keys := models.ThrottleKeys("d@example.com", "192.0.2.1")
		for i := 0; i < models.FreeFailures; i++ {
			if err := models.RecordLoginFailure(ctx, db, dbtest.Now(), keys...); err != nil {
				t.Fatal(err)
			}
		}
		if w, _ := models.ThrottleWait(ctx, db, dbtest.Now(), keys...); w != 30*time.Second {
			t.Fatalf("after %d failures: wait %s, want 30s", models.FreeFailures, w)
		}
		later := dbtest.Now().Add(25 * time.Hour)
		if err := models.RecordLoginFailure(ctx, db, later, keys...); err != nil {
			t.Fatal(err)
		}
		if w, _ := models.ThrottleWait(ctx, db, later, keys...); w != 0 {
			t.Errorf("one failure a day later: wait %s, want none", w)
		}
	})
}

// 150 sign-in attempts at once on one account: at most its free failures get
// to have their password checked (the check of the lock and the count are
// one step); a success then clears the account and gives the address its
// attempt back, so an office's next colleague is not locked out.
func TestThrottleHoldsUnderConcurrency(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		keys := models.ThrottleKeys("target@example.com", "198.51.100.7")
		now := dbtest.Now()
		var checked atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, 150)
		for range 150 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				wait, err := models.AttemptLogin(ctx, db, now, keys...)
				if err != nil {
					errs <- err
					return
				}
				if wait == 0 {
					checked.Add(1)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if n := checked.Load(); n < 1 || n > models.FreeFailures {
			t.Fatalf("%d of 150 concurrent attempts were let through to the password, want 1 to %d", n, models.FreeFailures)
		}
		// A colleague at the same address signs in: their account was never
		// tried, and the address is still under its free failures.
		colleague := models.ThrottleKeys("colleague@example.com", "198.51.100.7")
		if wait, err := models.AttemptLogin(ctx, db, now, colleague...); err != nil || wait != 0 {
			t.Fatalf("a colleague behind the same address: wait %s, %v", wait, err)
		}
		if err := models.LoginSucceeded(ctx, db, colleague[0], colleague[1]); err != nil {
			t.Fatal(err)
		}
		var addr models.LoginThrottle
		db.Where("key = ?", keys[1]).First(&addr)
		if addr.Failures != int(checked.Load()) {
			t.Errorf("the address counts %d failures after a success, want the %d failed attempts", addr.Failures, checked.Load())
		}
		var gone int64
		db.Model(&models.LoginThrottle{}).Where("key = ?", colleague[0]).Count(&gone)
		if gone != 0 {
			t.Error("a success left the account's count")
		}
	})
}

// TestUserByEmailEmptyFindsNobody: an account without email (single sign-on's
// may have none) is not found by an empty or blank email.
func TestUserByEmailEmptyFindsNobody(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		if err := db.Create(&models.User{Name: "No Email", Role: models.RoleManager, SSOIssuer: "https://idp.example.com", SSOSubject: "sub-none"}).Error; err != nil {
			t.Fatal(err)
		}
		for _, email := range []string{"", "  "} {
			if u, err := models.UserByEmail(context.Background(), db, email); err != nil || u != nil {
				t.Errorf("UserByEmail(%q) = %+v, %v; want nobody", email, u, err)
			}
		}
		addUser(t, db, "d@example.com", models.RoleManager)
		if u, err := models.UserByEmail(context.Background(), db, " D@example.com"); err != nil || u == nil || u.Email != "d@example.com" {
			t.Errorf("UserByEmail of a real address: %+v, %v", u, err)
		}
	})
}
