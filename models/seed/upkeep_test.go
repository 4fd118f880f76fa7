package seed_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/register"
	"portfolio/models/seed"
)

// The scale seed sets the indexes, triggers and full-text upkeep aside while it
// loads (SQLite): after it, the database must be exactly what the migrations
// made, with every derived table and index filled as the triggers would have.
func TestSeedScaleLeavesUpkeepInPlace(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		schema := func() string {
			if !models.IsSQLite(db) {
				return ""
			}
			var rows []string
			if err := db.Raw(`SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master
				WHERE type IN ('index', 'trigger') ORDER BY type, name`).Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			return strings.Join(rows, "\n")
		}
		before, v0 := schema(), dbtest.DataVersion(t, db)
		if err := seed.Scale(ctx, db, 20); err != nil {
			t.Fatal(err)
		}
		if after := schema(); after != before {
			t.Errorf("indexes and triggers after the seed differ from the migrated schema:\n%s\nwant\n%s", after, before)
		}
		if v := dbtest.DataVersion(t, db); v <= v0 {
			t.Errorf("data version %d after the seed, %d before: a running app would serve its old cached pages", v, v0)
		}
		dbtest.NoDrift(t, db, "the scale seed") // risk_cells and the sums, with no RebuildAggregates

		// The register's search finds a seeded risk, and still follows edits (its triggers are back).
		search := func(words string) []uint {
			rs, _, err := register.ListRisks(ctx, db, models.DefaultRiskSettings(), seedAnchor(), register.RiskFilter{Q: words, Status: "all"})
			if err != nil {
				t.Fatal(err)
			}
			var ids []uint
			for _, r := range rs {
				ids = append(ids, r.ID)
			}
			return ids
		}
		var first models.Risk
		if err := db.Order("id").First(&first).Error; err != nil {
			t.Fatal(err)
		}
		if ids := search(first.Ref); len(ids) != 1 || ids[0] != first.ID {
			t.Errorf("search for %q found %v, want [%d]", first.Ref, ids, first.ID)
		}
		if models.IsSQLite(db) { // the lessons' full-text index was rebuilt too
			var n int64
			if err := db.Raw("SELECT COUNT(*) FROM lessons_fts WHERE lessons_fts MATCH 'transfer'").Scan(&n).Error; err != nil || n == 0 {
				t.Errorf("lessons matching 'transfer': %d (%v), want some", n, err)
			}
		}
		if err := db.Model(&first).Update("title", "Quetzalcoatl escrow gap").Error; err != nil {
			t.Fatal(err)
		}
		if ids := search("quetzalcoatl"); len(ids) != 1 || ids[0] != first.ID {
			t.Errorf("search after an edit found %v, want [%d]", ids, first.ID)
		}
	})
}
