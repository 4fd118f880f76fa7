package models_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// The default checklist weighs the eight areas to 100; a mix of statuses gives
// the readiness worked out by hand, the transfers list agrees, and a transfer
// within 60 days below 70 % is red-flagged (and turns the engagement red).
func TestReadinessChecklistAndTransfers(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		today := models.D(2026, 11, 21)
		w := write(today)
		e := fixture(t, db, models.ModelBOT, "BOT-R")
		db.Model(&e).Update("planned_transfer", today.AddDays(45))
		soon := fixture(t, db, models.ModelBOT, "BOT-LATER")
		db.Model(&soon).Update("planned_transfer", today.AddDays(200))
		ito := fixture(t, db, models.ModelITO, "ITO-X")

		if _, err := models.CreateDefaultChecklist(ctx, db, w, ito.ID); !errors.Is(err, models.ErrNotBOT) {
			t.Fatalf("checklist on an ITO engagement: %v", err)
		}
		items, err := models.CreateDefaultChecklist(ctx, db, w, e.ID)
		if err != nil || len(items) != 8 {
			t.Fatalf("checklist: %d items, %v", len(items), err)
		}
		if _, err := models.CreateDefaultChecklist(ctx, db, w, e.ID); !errors.Is(err, models.ErrChecklistExists) {
			t.Fatalf("second checklist: %v", err)
		}
		// Documentation 20 done (20), training 15 in progress (7.5), testing 15 done (15),
		// people 15 not started (0), tools 10 in progress (5), contracts 10 done (10),
		// stable service 10 not started (0), governance 5 in progress (2.5): 60 %.
		status := map[string]int{
			"Knowledge-transfer documentation": models.ReadinessDone, "Training": models.ReadinessInProgress,
			"Testing / UAT": models.ReadinessDone, "People transfer": models.ReadinessNotStarted,
			"Tools, licences and access": models.ReadinessInProgress, "Contracts, assets and IP": models.ReadinessDone,
			"Service stable for three months": models.ReadinessNotStarted, "Governance handover": models.ReadinessInProgress,
		}
		for _, it := range items {
			next := it
			next.Status = status[it.Area]
			next.Owner = "Owner of " + it.Area
			if _, err := models.UpdateReadinessItem(ctx, db, w, it.ID, it.Version, next); err != nil {
				t.Fatal(err)
			}
		}
		stored, _ := models.ListReadiness(ctx, db, e.ID)
		if pct, ok := models.Readiness(stored); !ok || fmt.Sprintf("%.1f", pct) != "60.0" {
			t.Fatalf("readiness %.2f %%, want 60.0 %%", pct)
		}
		var ch models.Change
		db.Where("entity = ? AND entity_id = ? AND field = ?", models.EntityReadinessItem, items[0].ID, "status").Order("id DESC").First(&ch)
		if ch.Old != "Not started" || ch.New != "Done" {
			t.Errorf("status history %q → %q", ch.Old, ch.New)
		}
		if _, err := models.UpdateReadinessItem(ctx, db, w, items[0].ID, items[0].Version, items[0]); !errors.Is(err, models.ErrStale) {
			t.Errorf("stale item save: %v", err)
		}

		rows, total, err := models.ListTransfers(ctx, db, today, models.TransferFilter{Page: 1, PerPage: 25})
		if err != nil || total != 2 || len(rows) != 2 {
			t.Fatalf("transfers: %d (%d rows), %v", total, len(rows), err)
		}
		first := rows[0]
		if first.Engagement.Code != "BOT-R" || first.DaysToGo != 45 || !first.HasReadiness || first.Readiness != 60 || !first.RedFlag {
			t.Errorf("first transfer %+v", first)
		}
		if rows[1].RedFlag || rows[1].HasReadiness {
			t.Errorf("a transfer 200 days out with no checklist is not red-flagged: %+v", rows[1])
		}
		flagged, n, _ := models.ListTransfers(ctx, db, today, models.TransferFilter{AtRisk: true, Page: 1, PerPage: 25})
		if n != 1 || flagged[0].Engagement.Code != "BOT-R" {
			t.Errorf("at-risk filter: %d", n)
		}
		sum, err := models.SummariseTransfers(ctx, db, today)
		if err != nil || sum.Upcoming != 2 || sum.RedFlags != 1 || sum.Within90 != 1 || sum.Overdue != 0 {
			t.Errorf("summary %+v, %v", sum, err)
		}
		var got models.Engagement
		db.First(&got, e.ID)
		if got.Health != models.Red {
			t.Errorf("health %s (%s), want red", got.Health, got.HealthReasons)
		}

		gate := models.TransferGate{EngagementID: e.ID, Decision: "conditional", DecidedOn: today, DecidedBy: "Steering committee", Conditions: "People transfer signed"}
		if err := models.CreateGate(ctx, db, w, &gate); err != nil {
			t.Fatal(err)
		}
		rows, _, _ = models.ListTransfers(ctx, db, today, models.TransferFilter{Page: 1, PerPage: 25})
		if rows[0].Gate == nil || rows[0].Gate.Decision != "conditional" {
			t.Errorf("latest gate %+v", rows[0].Gate)
		}
	})
}

// Milestone writes record history and refresh health: a key milestone more than
// 30 days late turns the engagement red, completing it clears that.
func TestMilestoneWritesRefreshHealth(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		today := models.D(2026, 11, 21)
		w := write(today)
		e := fixture(t, db, models.ModelITO, "ITO-M")
		m := models.Milestone{EngagementID: e.ID, Phase: "Run", Name: "Service review", IsKey: true, Planned: today.AddDays(-31)}
		if err := models.CreateMilestone(ctx, db, w, &m); err != nil {
			t.Fatal(err)
		}
		var got models.Engagement
		db.First(&got, e.ID)
		if got.Health != models.Red {
			t.Fatalf("health %s, want red for a key milestone 31 days late", got.Health)
		}
		next := m
		next.Actual = today.AddDays(-1)
		if _, err := models.UpdateMilestone(ctx, db, w, m.ID, m.Version, next); err != nil {
			t.Fatal(err)
		}
		db.First(&got, e.ID)
		if got.Health != models.Green {
			t.Errorf("health %s (%s), want green once done", got.Health, got.HealthReasons)
		}
		var n int64
		db.Model(&models.Change{}).Where("entity = ? AND entity_id = ?", models.EntityMilestone, m.ID).Count(&n)
		if n < 5 {
			t.Errorf("%d history rows for the milestone", n)
		}
		if _, err := models.UpdateMilestone(ctx, db, w, m.ID, m.Version, next); !errors.Is(err, models.ErrStale) {
			t.Errorf("stale: %v", err)
		}
	})
}
