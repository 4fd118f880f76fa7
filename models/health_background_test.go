package models_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// The server's own refresh gives way between its batches, holding no
// transaction meanwhile (a write goes through inside the yield), refreshes
// every engagement all the same, and stops when the yield says so.
func TestBackgroundRefreshGivesWayBetweenBatches(t *testing.T) {
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		var engagements int64
		if err := db.Model(&models.Engagement{}).Count(&engagements).Error; err != nil {
			t.Fatal(err)
		}
		const batch = 3
		defer models.SetRefreshBatch(batch)()
		later := today.AddDays(400)
		yields := 0
		err := models.RefreshHealthInBackground(ctx, db, s, later, func(ctx context.Context) error {
			yields++
			return db.WithContext(ctx).Exec("UPDATE settings SET key = key WHERE key = ''").Error
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := int((engagements+batch-1)/batch) - 1; yields != want {
			t.Errorf("%d engagements in batches of %d: gave way %d times, want %d (between every two batches)", engagements, batch, yields, want)
		}
		var stale int64
		db.Model(&models.Engagement{}).Where("health_on <> ?", later).Count(&stale)
		if stale > 0 {
			t.Errorf("%d engagements were left out of the refresh", stale)
		}
		dbtest.NoDrift(t, db, "a refresh in the background")

		stop := errors.New("the server is stopping")
		yields = 0
		err = models.RefreshHealthInBackground(ctx, db, s, later.AddDays(1), func(context.Context) error { yields++; return stop })
		if !errors.Is(err, stop) || yields != 1 {
			t.Errorf("a yield that says stop: %v after %d yields, want %v after 1", err, yields, stop)
		}
	})
}
