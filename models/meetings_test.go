package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// A meeting belongs to the fiscal quarter of its date: the quarters of a
// January year are the calendar's; an April year's first quarter is April to
// June and is named for the year it ends in; an October year's likewise.
func TestMeetingQuarterFollowsTheFiscalYear(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		start time.Month
		day   models.Date
		want  string
	}{
		{time.January, models.D(2026, 3, 31), "2026-Q1"},
		{time.January, models.D(2026, 4, 1), "2026-Q2"},
		{time.January, models.D(2026, 12, 31), "2026-Q4"},
		{time.April, models.D(2026, 3, 31), "2026-Q4"},
		{time.April, models.D(2026, 4, 1), "2027-Q1"},
		{time.April, models.D(2026, 7, 15), "2027-Q2"},
		{time.April, models.D(2027, 1, 2), "2027-Q4"},
		{time.October, models.D(2026, 9, 30), "2026-Q4"},
		{time.October, models.D(2026, 10, 1), "2027-Q1"},
	} {
		m := models.Meeting{Kind: models.MeetingSteering, HeldOn: tc.day}
		if got := m.Quarter(models.Fiscal{StartMonth: tc.start}).String(); got != tc.want {
			t.Errorf("a meeting on %s, the year starting in %s: %s, want %s", tc.day, tc.start, got, tc.want)
		}
	}
}

// meetingDay is a day of the quarter before the last complete one: held,
// and its quarter not the one tests publish by default.
func meetingDay(f models.Fiscal, today models.Date) models.Date {
	return f.Start(f.LastComplete(today).Prev()).AddDays(20)
}

// A meeting is recorded with its actions, each a history row per field;
// the domain refuses a meeting after today and an action due before the
// meeting, keyed by the action's place; a change is saved at its version
// only (ErrStale otherwise), with a history row a field changed; an action
// dropped says why, and the reason goes once it is reopened.
func TestMeetingWriteCycle(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		var e models.Engagement
		db.Where("closed_on IS NULL").Order("id").First(&e)
		uid := uint(1)
		act := models.Actor{UserID: &uid, At: dbtest.Now(), Today: today, Settings: s}
		day := meetingDay(s.Fiscal(), today)
		m := models.Meeting{EngagementID: e.ID, Kind: models.MeetingQBR, HeldOn: day, Attendees: "Ann, Bo", Decisions: "Fund two innovation items."}

		late := m
		late.HeldOn = today.AddDays(1)
		_, err := models.RecordMeeting(ctx, db, act, late, []models.MeetingAction{{Action: "Cost them", Owner: "Bo", Due: day.AddDays(-1)}})
		var bad models.Invalid
		if !errors.As(err, &bad) || bad["held_on"] == "" || bad["due_1"] == "" {
			t.Fatalf("a meeting tomorrow with an action due before it: %v", err)
		}

		saved, err := models.RecordMeeting(ctx, db, act, m, []models.MeetingAction{
			{Action: "Cost the two items", Owner: "Bo", Due: day.AddDays(14)},
			{Action: "Book the next QBR", Owner: "Ann", Due: day.AddDays(30)},
		})
		if err != nil {
			t.Fatal(err)
		}
		actions, _ := models.ActionsOf(ctx, db, saved.ID)
		if saved.Version != 1 || len(actions) != 2 || actions[0].Status != models.ActionOpen || actions[0].EngagementID != e.ID || actions[1].Owner != "Ann" {
			t.Fatalf("stored %+v with %+v", saved, actions)
		}
		if h, _ := models.HistoryOf(ctx, db, models.MeetingEntity, saved.ID); len(h) != 1 || h[0].Action != "create" || h[0].User == nil {
			t.Errorf("the meeting's creation: %+v", h)
		}
		var created int64
		db.Model(&models.Change{}).Where("entity = ? AND entity_id = ? AND action = 'create' AND field <> ''", models.MeetingActionEntity, actions[0].ID).Count(&created)
		if created != 4 { // action, owner, due, status
			t.Errorf("the action's creation has %d field rows", created)
		}

		next := saved
		next.Decisions = "Fund two innovation items.\nBenchmark prices next year."
		updated, err := models.SaveMeeting(ctx, db, act, saved.ID, next, saved.Version)
		if err != nil || updated.Version != 2 || updated.Decisions != next.Decisions {
			t.Fatalf("save: %+v, %v", updated, err)
		}
		if _, err := models.SaveMeeting(ctx, db, act, saved.ID, next, saved.Version); !errors.Is(err, models.ErrStale) {
			t.Errorf("a save at the old version: %v", err)
		}
		h, _ := models.HistoryOf(ctx, db, models.MeetingEntity, saved.ID)
		if len(h) != 2 || h[0].Field != "decisions" || h[0].Old != m.Decisions || h[0].New != next.Decisions {
			t.Errorf("the change's history: %+v", h)
		}
		// The date cannot move past an action's due date.
		moved := updated
		moved.HeldOn = day.AddDays(20)
		if _, err := models.SaveMeeting(ctx, db, act, saved.ID, moved, updated.Version); !errors.As(err, &bad) || bad["held_on"] == "" {
			t.Errorf("a date after an action's due date: %v", err)
		}

		a := actions[0]
		a.Status = models.ActionDropped
		if _, err := models.SaveMeetingAction(ctx, db, act, a.ID, a, a.Version); !errors.As(err, &bad) || bad["dropped_reason"] == "" {
			t.Errorf("dropped without a reason: %v", err)
		}
		a.DroppedReason = "Folded into the benchmark."
		dropped, err := models.SaveMeetingAction(ctx, db, act, a.ID, a, a.Version)
		if err != nil || dropped.Status != models.ActionDropped || dropped.DroppedReason != a.DroppedReason || dropped.Version != 2 {
			t.Fatalf("drop: %+v, %v", dropped, err)
		}
		dropped.Status = models.ActionOpen
		reopened, err := models.SaveMeetingAction(ctx, db, act, a.ID, dropped, dropped.Version)
		if err != nil || reopened.DroppedReason != "" {
			t.Errorf("reopened: %+v, %v", reopened, err)
		}
		var statusRows int64
		db.Model(&models.Change{}).Where("entity = ? AND entity_id = ? AND field = 'status' AND action = 'update'", models.MeetingActionEntity, a.ID).Count(&statusRows)
		if statusRows != 2 {
			t.Errorf("%d status changes in the history, want 2", statusRows)
		}
	})
}

// publish marks a quarter's pack published, as pack.PublishPack does.
func publish(t *testing.T, db *gorm.DB, quarter string) {
	t.Helper()
	if err := db.Create(&models.PublishedPack{Quarter: quarter, Snapshot: "{}", PublishedBy: 1, PublishedAt: dbtest.Now(), Version: 1}).Error; err != nil {
		t.Fatal(err)
	}
}

// A meeting of a quarter whose pack is published is frozen with it: no
// change to it, no new meeting in it, none moved into it, no action added
// and no action's wording, owner or date changed; its actions' status may
// still move on. The quarter follows the fiscal year: an April year's
// published quarter freezes the meetings of its own months.
func TestMeetingFrozenWhenItsQuarterIsPublished(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		var e models.Engagement
		db.Where("closed_on IS NULL").Order("id").First(&e)
		act := models.Actor{At: dbtest.Now(), Today: today, Settings: s}
		f := s.Fiscal()
		day := meetingDay(f, today)
		q := f.QuarterOf(day)
		m, err := models.RecordMeeting(ctx, db, act, models.Meeting{EngagementID: e.ID, Kind: models.MeetingSteering, HeldOn: day, Attendees: "Ann"},
			[]models.MeetingAction{{Action: "Send the minutes", Owner: "Ann", Due: day.AddDays(7)}})
		if err != nil {
			t.Fatal(err)
		}
		elsewhere, err := models.RecordMeeting(ctx, db, act, models.Meeting{EngagementID: e.ID, Kind: models.MeetingService, HeldOn: f.Start(q.Next()).AddDays(3), Attendees: "Bo"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		publish(t, db, q.String())
		frozen := func(what string, err error) {
			t.Helper()
			if got, ok := models.IsPublishedQuarter(err); !ok || got != q.String() || !errors.Is(err, models.ErrQuarterPublished) || !models.IsConflict(err) {
				t.Errorf("%s in published %s: %v", what, q, err)
			}
		}
		next := m
		next.Decisions = "Late decision."
		_, err = models.SaveMeeting(ctx, db, act, m.ID, next, m.Version)
		frozen("a change", err)
		_, err = models.RecordMeeting(ctx, db, act, models.Meeting{EngagementID: e.ID, Kind: models.MeetingQBR, HeldOn: day.AddDays(1), Attendees: "Cy"}, nil)
		frozen("a new meeting", err)
		into := elsewhere
		into.HeldOn = day.AddDays(2)
		_, err = models.SaveMeeting(ctx, db, act, elsewhere.ID, into, elsewhere.Version)
		frozen("a meeting moved into it", err)
		frozen("an action added", models.AddMeetingAction(ctx, db, act, m.ID, models.MeetingAction{Action: "More", Owner: "Cy", Due: day.AddDays(9)}))
		actions, _ := models.ActionsOf(ctx, db, m.ID)
		a := actions[0]
		a.Owner = "Someone else"
		_, err = models.SaveMeetingAction(ctx, db, act, a.ID, a, a.Version)
		frozen("an action's owner changed", err)
		a = actions[0]
		a.Status = models.ActionDone
		if done, err := models.SaveMeetingAction(ctx, db, act, a.ID, a, a.Version); err != nil || done.Status != models.ActionDone {
			t.Errorf("the action's status could not move on: %v", err)
		}
		var stored models.Meeting
		db.First(&stored, m.ID)
		if stored.Decisions != "" || stored.Version != 1 {
			t.Errorf("the frozen meeting changed: %+v", stored)
		}

		// An April year: its quarters have the January year's months, but
		// another name (the year they end in); its published quarter freezes
		// its meetings, while the January year's quarter of the same name
		// and months is another.
		april := s
		april.Finance.FiscalStartMonth = 4
		fa := april.Fiscal()
		day3 := f.Start(f.LastComplete(today).Prev().Prev().Prev()).AddDays(10)
		qa, qj := fa.QuarterOf(day3), f.QuarterOf(day3)
		if qa.String() == qj.String() || qa.String() == q.String() || qj.String() == q.String() {
			t.Fatalf("%s is %s in an April year and %s in a January one: the test wants them told apart from %s", day3, qa, qj, q)
		}
		publish(t, db, qa.String())
		other := models.Meeting{EngagementID: e.ID, Kind: models.MeetingService, HeldOn: day3, Attendees: "Dee"}
		_, err = models.RecordMeeting(ctx, db, models.Actor{At: dbtest.Now(), Today: today, Settings: april}, other, nil)
		if got, ok := models.IsPublishedQuarter(err); !ok || got != qa.String() {
			t.Errorf("a meeting on %s in the April year's published %s: %v", day3, qa, err)
		}
		if _, err := models.RecordMeeting(ctx, db, act, other, nil); err != nil {
			t.Errorf("the same meeting in the January year's %s (not published): %v", qj, err)
		}
	})
}

// An action's status as at a quarter's end is replayed from its history:
// one done after the end was open then, one dropped before it was dropped
// (with its reason), and one added to the quarter's meeting after the end
// counts with it; a meeting of the next quarter does not.
func TestMeetingActionsAsAtQuarterEnd(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		var e models.Engagement
		db.Where("closed_on IS NULL").Order("id").First(&e)
		f := s.Fiscal()
		day := meetingDay(f, today)
		q := f.QuarterOf(day)
		start, end := f.Start(q), f.End(q)
		at := func(d models.Date) models.Actor {
			return models.Actor{At: d.Add(12 * time.Hour), Today: d, Settings: s}
		}
		m, err := models.RecordMeeting(ctx, db, at(day), models.Meeting{EngagementID: e.ID, Kind: models.MeetingSteering, HeldOn: day, Attendees: "Ann"},
			[]models.MeetingAction{{Action: "Done late", Owner: "Ann", Due: day.AddDays(10)}, {Action: "Dropped early", Owner: "Bo", Due: day.AddDays(20)}})
		if err != nil {
			t.Fatal(err)
		}
		if err := models.AddMeetingAction(ctx, db, at(end.AddDays(2)), m.ID, models.MeetingAction{Action: "Added after", Owner: "Cy", Due: end.AddDays(9)}); err != nil {
			t.Fatal(err)
		}
		if _, err := models.RecordMeeting(ctx, db, at(end.AddDays(1)), models.Meeting{EngagementID: e.ID, Kind: models.MeetingQBR, HeldOn: end.AddDays(1), Attendees: "Dee"},
			[]models.MeetingAction{{Action: "Next quarter's", Owner: "Dee", Due: end.AddDays(30)}}); err != nil {
			t.Fatal(err)
		}
		acts, _ := models.ActionsOf(ctx, db, m.ID)
		byName := map[string]models.MeetingAction{}
		for _, a := range acts {
			byName[a.Action] = a
		}
		late := byName["Done late"]
		late.Status = models.ActionDone
		if _, err := models.SaveMeetingAction(ctx, db, at(end.AddDays(5)), late.ID, late, late.Version); err != nil {
			t.Fatal(err)
		}
		early := byName["Dropped early"]
		early.Status, early.DroppedReason = models.ActionDropped, "Superseded."
		if _, err := models.SaveMeetingAction(ctx, db, at(day.AddDays(3)), early.ID, early, early.Version); err != nil {
			t.Fatal(err)
		}
		got, err := models.MeetingActionsAsAt(ctx, db, start, end, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		status := map[string]string{}
		for _, a := range got {
			if a.MeetingID == m.ID || a.Action == "Next quarter's" {
				status[a.Action] = a.Status + "|" + a.DroppedReason
			}
		}
		want := map[string]string{"Done late": "open|", "Dropped early": "dropped|Superseded.", "Added after": "open|"}
		if len(status) != len(want) {
			t.Errorf("as at %s: %v, want %v", end, status, want)
		}
		for k, v := range want {
			if status[k] != v {
				t.Errorf("%q as at %s: %q, want %q", k, end, status[k], v)
			}
		}
		// As they stand now: done late is done.
		if now, _ := models.MeetingActionsAsAt(ctx, db, start, end.AddDays(30), e.ID); len(now) == 0 {
			t.Error("nothing as at a later day")
		} else {
			for _, a := range now {
				if a.Action == "Done late" && a.Status != models.ActionDone {
					t.Errorf("done late, a month after the end: %s", a.Status)
				}
			}
		}
	})
}

// The engagement's open actions count those overdue on a day, the longest
// overdue first, and its meetings count each one's actions.
func TestOpenActionsAndMeetingCounts(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		var e models.Engagement
		db.Where("closed_on IS NULL AND id NOT IN (SELECT engagement_id FROM governance_meetings)").Order("id").First(&e)
		if e.ID == 0 {
			db.Where("closed_on IS NULL").Order("id DESC").First(&e)
			db.Exec("DELETE FROM meeting_actions WHERE engagement_id = ?", e.ID)
			db.Exec("DELETE FROM governance_meetings WHERE engagement_id = ?", e.ID)
		}
		act := models.Actor{At: dbtest.Now(), Today: today, Settings: s}
		day := today.AddDays(-40)
		m, err := models.RecordMeeting(ctx, db, act, models.Meeting{EngagementID: e.ID, Kind: models.MeetingService, HeldOn: day, Attendees: "Ann"},
			[]models.MeetingAction{{Action: "Overdue long", Owner: "A", Due: day.AddDays(5)}, {Action: "Due later", Owner: "B", Due: today.AddDays(5)},
				{Action: "Overdue a day", Owner: "C", Due: today.AddDays(-1)}, {Action: "Due today", Owner: "D", Due: today}})
		if err != nil {
			t.Fatal(err)
		}
		rows, c, err := models.OpenActions(ctx, db, e.ID, today, 3)
		if err != nil || c.Open != 4 || c.Overdue != 2 || len(rows) != 3 || rows[0].Action != "Overdue long" || rows[1].Action != "Overdue a day" ||
			rows[2].Action != "Due today" || rows[0].Meeting() != "Service review, "+day.Human() || rows[0].Code != e.Code {
			t.Fatalf("open actions: %+v %+v %v", rows, c, err)
		}
		ms, n, err := models.MeetingsOf(ctx, db, e.ID, today, 0)
		if err != nil || n != 1 || len(ms) != 1 || ms[0].ID != m.ID || ms[0].Actions != 4 || ms[0].Open != 4 || ms[0].Overdue != 2 {
			t.Fatalf("meetings: %+v (%d), %v", ms, n, err)
		}
		if _, all, _ := models.OpenActions(ctx, db, 0, today, 0); all.Open < c.Open {
			t.Errorf("the portfolio has %d open actions, fewer than one engagement's %d", all.Open, c.Open)
		}
	})
}
