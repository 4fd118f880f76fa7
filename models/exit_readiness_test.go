package models_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// exitChecklist gives the default exit areas with the given statuses, in the order of ExitAreas.
func exitChecklist(status ...int) []models.ExitItem {
	items := make([]models.ExitItem, len(models.ExitAreas))
	for i, a := range models.ExitAreas {
		items[i] = models.ExitItem{Area: a.Area, Weight: a.Weight, Status: status[i]}
	}
	return items
}

// Exit readiness is BOT readiness's rule over the exit areas (weights 20,
// 20, 15, 15, 15, 15), figures worked out by hand.
func TestExitReadiness(t *testing.T) {
	t.Parallel()
	const n, p, d = models.ReadinessNotStarted, models.ReadinessInProgress, models.ReadinessDone
	total := 0
	for _, a := range models.ExitAreas {
		total += a.Weight
	}
	if total != 100 || len(models.ExitAreas) != 6 {
		t.Fatalf("default exit areas: %d weighing %d, want 6 weighing 100", len(models.ExitAreas), total)
	}
	for _, c := range []struct {
		name  string
		items []models.ExitItem
		want  string
	}{
		// exit plan done 20 + data return in progress 10 + documentation done 15 = 45
		{"plan and documentation done, data return under way", exitChecklist(d, p, d, n, n, n), "45.0 %"},
		{"none started", exitChecklist(n, n, n, n, n, n), "0.0 %"},
		{"all in progress", exitChecklist(p, p, p, p, p, p), "50.0 %"},
		{"all done", exitChecklist(d, d, d, d, d, d), "100.0 %"},
		// 20 + 20 + 15 + 7.5 + 7.5 + 0 = 70
		{"well advanced", exitChecklist(d, d, d, p, p, n), "70.0 %"},
		// termination assistance priced alone: 15
		{"assistance priced", exitChecklist(n, n, n, n, n, d), "15.0 %"},
		{"no checklist", nil, "—"},
	} {
		if got := models.FormatPct(models.ExitReadiness(c.items)); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// The default exit checklist of an ITO contract: six areas weighing 100,
// each created in the history; once only; never on a BOT programme. Items
// save with their history (statuses by name), a stale save is refused, the
// list's figure agrees with the page's, and BOT transfer readiness is not
// touched: the transfers list and its checklists read as before.
func TestExitChecklist(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		today := models.D(2026, 11, 21)
		w := write(today)
		ito := fixture(t, db, models.ModelITO, "ITO-EXIT")
		bot := fixture(t, db, models.ModelBOT, "BOT-EXIT")
		db.Model(&bot).Update("planned_transfer", today.AddDays(45))
		if _, err := models.CreateDefaultChecklist(ctx, db, w, bot.ID); err != nil {
			t.Fatal(err)
		}
		before, _, _ := models.ListTransfers(ctx, db, today, models.TransferFilter{Page: 1, PerPage: 25})

		if _, err := models.CreateExitChecklist(ctx, db, w, bot.ID); !errors.Is(err, models.ErrNotITO) {
			t.Fatalf("an exit checklist on a BOT programme: %v", err)
		}
		items, err := models.CreateExitChecklist(ctx, db, w, ito.ID)
		if err != nil || len(items) != 6 {
			t.Fatalf("exit checklist: %d items, %v", len(items), err)
		}
		if _, err := models.CreateExitChecklist(ctx, db, w, ito.ID); !errors.Is(err, models.ErrExitChecklistExists) {
			t.Fatalf("a second exit checklist: %v", err)
		}
		var created int64
		db.Model(&models.Change{}).Where("entity = ? AND action = ? AND field = ?", models.EntityExitItem, "create", "area").Count(&created)
		if created != 6 {
			t.Errorf("%d creations in the history, want 6", created)
		}
		// Exit plan done (20), data return in progress (10), documentation done (15): 45 %.
		status := map[string]int{"Exit plan agreed": models.ReadinessDone, "Data return tested": models.ReadinessInProgress,
			"Documentation current": models.ReadinessDone}
		for _, it := range items {
			if s, ok := status[it.Area]; ok {
				next := it
				next.Status, next.Owner = s, "Owner of "+it.Area
				if _, err := models.UpdateExitItem(ctx, db, w, it.ID, it.Version, next); err != nil {
					t.Fatal(err)
				}
			}
		}
		stored, _ := models.ListExitItems(ctx, db, ito.ID)
		if pct, ok := models.ExitReadiness(stored); !ok || pct != 45 {
			t.Fatalf("exit readiness %v %%, want 45 %%", pct)
		}
		if stored[0].Area != "Exit plan agreed" || stored[0].Version != 2 || stored[0].Owner != "Owner of Exit plan agreed" {
			t.Errorf("first item %+v", stored[0])
		}
		var ch models.Change
		db.Where("entity = ? AND entity_id = ? AND field = ?", models.EntityExitItem, items[0].ID, "status").Order("id DESC").First(&ch)
		if ch.Old != "Not started" || ch.New != "Done" {
			t.Errorf("status history %q → %q", ch.Old, ch.New)
		}
		if _, err := models.UpdateExitItem(ctx, db, w, items[0].ID, items[0].Version, items[0]); !errors.Is(err, models.ErrStale) {
			t.Errorf("a stale save: %v", err)
		}
		byID, err := models.ExitReadinessOf(ctx, db, []uint{ito.ID, bot.ID})
		if err != nil || len(byID) != 1 || byID[ito.ID] != 45 {
			t.Errorf("exit readiness by engagement %v, %v", byID, err)
		}
		after, _, _ := models.ListTransfers(ctx, db, today, models.TransferFilter{Page: 1, PerPage: 25})
		if len(after) != 1 || len(before) != 1 || after[0].Readiness != before[0].Readiness || after[0].Readiness != 0 {
			t.Errorf("the transfers moved with an exit checklist: %+v → %+v", before, after)
		}
		var n int64
		db.Model(&models.ReadinessItem{}).Where("engagement_id = ?", ito.ID).Count(&n)
		if n != 0 {
			t.Errorf("%d transfer readiness items on the ITO contract", n)
		}
	})
}
