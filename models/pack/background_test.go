package pack_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/pack"
)

// Built in the background, the pack gives way before each of its sections
// (and each quarter of its trends) and every so many rows it reads, and is the same pack as one built at full
// speed. A yield's error stops the build.
func TestPackBuiltInBackgroundGivesWay(t *testing.T) {
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		want, err := pack.BuildPack(ctx, db, s, packQuarter(), today)
		if err != nil {
			t.Fatal(err)
		}
		// Eight sections, and the trends give way again before each quarter's register.
		const sections = 8 + pack.TrendQuarters
		yields := 0
		got, err := pack.BuildPackInBackground(ctx, db, s, packQuarter(), today, func(context.Context) error { yields++; return nil })
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Error("the pack built in the background differs from the one built at full speed")
		}
		if yields != sections {
			t.Errorf("gave way %d times reading the demo's few rows, want once before each of the %d sections and quarters", yields, sections)
		}

		defer pack.SetYieldRows(50)()
		yields = 0
		if _, err := pack.BuildPackInBackground(ctx, db, s, packQuarter(), today, func(context.Context) error { yields++; return nil }); err != nil {
			t.Fatal(err)
		}
		if yields <= sections {
			t.Errorf("giving way every 50 rows read, gave way %d times: only between the sections", yields)
		}

		stop := errors.New("the server is stopping")
		if _, err := pack.BuildPackInBackground(ctx, db, s, packQuarter(), today, func(context.Context) error { return stop }); !errors.Is(err, stop) {
			t.Errorf("a yield that says stop: %v, want %v", err, stop)
		}
	})
}
