package dbtest

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
)

// DataVersion reads the data version, failing the test on an error.
func DataVersion(t *testing.T, db *gorm.DB) int64 {
	t.Helper()
	v, err := models.DataVersion(context.Background(), db)
	if err != nil {
		t.Fatalf("data version: %v", err)
	}
	return v
}

// DataVersions reads the data version and the others' (models.DataVersions),
// failing the test on an error.
func DataVersions(t *testing.T, db *gorm.DB) (all, others int64) {
	t.Helper()
	all, others, err := models.DataVersions(context.Background(), db)
	if err != nil {
		t.Fatalf("data versions: %v", err)
	}
	return all, others
}

// NoDrift fails the test when any aggregate table differs from a fresh GROUP BY
// over its base table.
func NoDrift(t *testing.T, db *gorm.DB, after string) {
	t.Helper()
	drift, err := models.AggregateDrift(context.Background(), db)
	if err != nil {
		t.Fatalf("after %s: %v", after, err)
	}
	for _, d := range drift {
		t.Errorf("after %s: %s", after, d)
	}
	if len(drift) > 0 {
		t.FailNow()
	}
	liveCellsMatch(t, db, after)
}

// liveCellsMatch fails the test when the dashboard's heat maps (LiveRiskCells,
// read from risk_cells) differ from a count of the live risks themselves.
func liveCellsMatch(t *testing.T, db *gorm.DB, after string) {
	t.Helper()
	for _, kind := range []string{"residual", "inherent"} {
		got, err := models.LiveRiskCells(context.Background(), db, kind)
		if err != nil {
			t.Fatalf("after %s: %v", after, err)
		}
		var rows []struct{ L, I, N int }
		if err := db.Table("risks").Select(kind+"_likelihood AS l, "+kind+"_impact AS i, COUNT(*) AS n").
			Where("status <> ?", models.StatusClosed).Group(kind + "_likelihood, " + kind + "_impact").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		var want [5][5]int
		for _, r := range rows {
			want[r.L-1][r.I-1] = r.N
		}
		if got != want {
			t.Fatalf("after %s: the %s heat map reads %v, the live risks count %v", after, kind, got, want)
		}
	}
}

// EachDemo runs fn on the demo portfolio on each kind of database, with its
// settings and the demo's today.
func EachDemo(t *testing.T, fn func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date)) {
	for _, kind := range Kinds() {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			db := Demo(t, kind)
			s, _ := models.LoadSettings(ctx, db)
			fn(t, ctx, db, s, models.DateOf(Now()))
		})
	}
}
