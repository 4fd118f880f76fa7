package pack_test

import (
	"context"
	"reflect"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/pack"
)

// A past quarter's pack shows transfer readiness, milestones, gate decisions
// and the statuses they feed as they stood at the quarter's end: a checklist
// item done, a milestone re-planned and completed, and a gate decision
// recorded after it (dated inside the quarter) change today's records, not
// that quarter's pack.
func TestPackTransfersAreAsAtQuarterEnd(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		q := packQuarter()
		f := s.Fiscal()
		before, err := pack.BuildPack(ctx, db, s, q, today)
		if err != nil {
			t.Fatal(err)
		}
		act := models.Actor{At: dbtest.Now(), Settings: s}
		// A BOT engagement live in the quarter with a checklist item not done.
		var item models.ReadinessItem
		db.Joins("JOIN engagements e ON e.id = readiness_items.engagement_id").
			Where("readiness_items.status <> ? AND e.start_date <= ? AND e.closed_on IS NULL AND e.phase <> ?", models.ReadinessDone, f.End(q), "Transferred").
			Order("readiness_items.id").First(&item)
		if item.ID == 0 {
			t.Fatal("no BOT checklist item to complete in the demo")
		}
		next := item
		next.Status, next.Evidence = models.ReadinessDone, "signed off after the quarter"
		if _, err := models.UpdateReadinessItem(ctx, db, act, item.ID, item.Version, next); err != nil {
			t.Fatal(err)
		}
		// A milestone the pack lists (done in the quarter or due in the next)
		// and one late at the quarter's end, each re-planned and completed today.
		var listed, late models.Milestone
		db.Where("(actual BETWEEN ? AND ?) OR (planned BETWEEN ? AND ? AND actual IS NULL)", f.Start(q), f.End(q), f.Start(q.Next()), f.End(q.Next())).
			Order("id").First(&listed)
		db.Where("planned < ? AND actual IS NULL", f.End(q)).Order("id").First(&late)
		if listed.ID == 0 {
			t.Fatal("no milestone in the pack's window in the demo")
		}
		for _, m := range []models.Milestone{listed, late} {
			if m.ID == 0 {
				continue
			}
			edit := m
			edit.Planned, edit.Actual, edit.IsKey = today.AddDays(200), f.Start(q), !m.IsKey
			if _, err := models.UpdateMilestone(ctx, db, act, m.ID, m.Version, edit); err != nil {
				t.Fatal(err)
			}
		}
		gate := models.TransferGate{EngagementID: item.EngagementID, Decision: "no-go", DecidedOn: f.Start(q).AddDays(10), DecidedBy: "Steering committee"}
		if err := models.CreateGate(ctx, db, act, &gate); err != nil {
			t.Fatal(err)
		}

		// Today's records have the edits…
		nowItems, err := models.ReadinessAsAt(ctx, db, today, item.EngagementID)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range nowItems {
			if it.ID == item.ID && it.Status != models.ReadinessDone {
				t.Errorf("today's checklist: %+v", it)
			}
		}
		// …the quarter's end has what was there then.
		thenItems, err := models.ReadinessAsAt(ctx, db, f.End(q), item.EngagementID)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range thenItems {
			if it.ID == item.ID && (it.Status != item.Status || it.Evidence != item.Evidence) {
				t.Errorf("the checklist item at the quarter's end: %+v, want %+v", it, item)
			}
		}
		thenMs, err := models.MilestonesAsAt(ctx, db, f.End(q), listed.EngagementID, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range thenMs {
			if m.ID == listed.ID && (!m.Planned.Equal(listed.Planned.Time) || !m.Actual.Equal(listed.Actual.Time) || m.IsKey != listed.IsKey) {
				t.Errorf("the milestone at the quarter's end: %+v, want %+v", m, listed)
			}
		}
		if gs, err := models.GatesAsAt(ctx, db, f.End(q), item.EngagementID); err != nil || len(gs) != 0 && gs[len(gs)-1].ID == gate.ID {
			t.Errorf("a gate recorded after the quarter is in its as-at: %v %v", gs, err)
		}

		after, err := pack.BuildPack(ctx, db, s, q, today)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(before.Transfers, after.Transfers) {
			t.Errorf("edits after the quarter moved its transfers:\n%+v\n%+v", before.Transfers, after.Transfers)
		}
		if !reflect.DeepEqual(before.Status, after.Status) {
			t.Error("edits after the quarter moved its status on a page")
		}
		for i := range before.Engagements {
			b, a := before.Engagements[i], after.Engagements[i]
			if b.Code != a.Code || !reflect.DeepEqual(b.Transfer, a.Transfer) || !reflect.DeepEqual(b.Status, a.Status) {
				t.Errorf("%s moved: %+v %+v → %s %+v %+v", b.Code, b.Transfer, b.Status, a.Code, a.Transfer, a.Status)
			}
		}
		// The next quarter's draft, as at today, does see them.
		if live, _ := models.MilestonesAsAt(ctx, db, today, listed.EngagementID, ""); len(live) == 0 {
			t.Error("no milestones today")
		}
	})
}
