package pack_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/pack"
)

// The quarter's decisions and actions come from its governance meetings: an
// engagement's section lists its meetings of the quarter by date, and every
// action agreed at them with its status as at the quarter's end (done after
// the end, an action was open, and overdue if due before it; one dropped
// says why); the portfolio's decisions list the meetings that decided
// something, its actions those open at the end, the longest overdue first,
// and its tally counts them all. Published, the pack keeps what it said
// when an action is done later; rebuilt, it says the same, as at the end.
func TestPackDecisionsAndActionsFromMeetings(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		q := packQuarter()
		f := s.Fiscal()
		start, end := f.Start(q), f.End(q)
		var e models.Engagement
		db.Where("closed_on IS NULL AND start_date < ?", start).Order("id").First(&e)
		db.Exec("DELETE FROM meeting_actions WHERE meeting_id IN (SELECT id FROM governance_meetings WHERE engagement_id = ? AND held_on BETWEEN ? AND ?)", e.ID, start, end)
		db.Exec("DELETE FROM governance_meetings WHERE engagement_id = ? AND held_on BETWEEN ? AND ?", e.ID, start, end)
		at := func(d models.Date) models.Actor {
			return models.Actor{At: d.Add(12 * time.Hour), Today: d, Settings: s}
		}
		sc := start.AddDays(10)
		m, err := models.RecordMeeting(ctx, db, at(sc), models.Meeting{EngagementID: e.ID, Kind: models.MeetingSteering, HeldOn: sc,
			Attendees: "Helen Marsh (CIO), the vendor's delivery director", Decisions: "Approved the recovery plan.\nDeferred the price review."},
			[]models.MeetingAction{
				{Action: "Done in the quarter", Owner: "Ann", Due: start.AddDays(20)},
				{Action: "Done after it", Owner: "Bo", Due: start.AddDays(30)},
				{Action: "Dropped", Owner: "Cy", Due: end.AddDays(10)},
				{Action: "Not yet due", Owner: "Dee", Due: end.AddDays(20)},
			})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.RecordMeeting(ctx, db, at(start.AddDays(40)), models.Meeting{EngagementID: e.ID, Kind: models.MeetingService,
			HeldOn: start.AddDays(40), Attendees: "Service managers"}, nil); err != nil {
			t.Fatal(err)
		}
		acts, _ := models.ActionsOf(ctx, db, m.ID)
		set := func(name, status, reason string, on models.Date) {
			t.Helper()
			for _, a := range acts {
				if a.Action == name {
					a.Status, a.DroppedReason = status, reason
					if _, err := models.SaveMeetingAction(ctx, db, at(on), a.ID, a, a.Version); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		set("Done in the quarter", models.ActionDone, "", start.AddDays(15))
		set("Done after it", models.ActionDone, "", end.AddDays(3))
		set("Dropped", models.ActionDropped, "Superseded by the recovery plan.", start.AddDays(41))

		check := func(label string, p *pack.Pack) {
			t.Helper()
			var ep *pack.EngagementPack
			for i := range p.Engagements {
				if p.Engagements[i].ID == e.ID {
					ep = &p.Engagements[i]
				}
			}
			if ep == nil {
				t.Fatalf("%s: no section for %s", label, e.Code)
			}
			title := "Steering committee, " + sc.Human()
			if len(ep.Meetings) != 2 || ep.Meetings[0].Title != title || ep.Meetings[1].Title != "Service review, "+start.AddDays(40).Human() ||
				ep.Meetings[0].Decisions != "Approved the recovery plan.\nDeferred the price review." {
				t.Errorf("%s: %s's meetings %+v", label, e.Code, ep.Meetings)
			}
			var mine []string
			for _, a := range ep.Actions {
				if a.Meeting == title {
					mine = append(mine, a.Action+": "+a.StatusText())
				}
			}
			want := []string{"Done in the quarter: done", "Done after it: open, overdue", "Dropped: dropped: Superseded by the recovery plan.", "Not yet due: open"}
			if strings.Join(mine, "; ") != strings.Join(want, "; ") {
				t.Errorf("%s: %s's actions as at %s:\n got %q\nwant %q", label, e.Code, end, mine, want)
			}
			decided := 0
			for _, pm := range p.Meetings {
				if pm.Engagement == e.Code {
					decided++
					if pm.Title != title {
						t.Errorf("%s: the portfolio's meeting decisions list %q, which decided nothing", label, pm.Title)
					}
				}
			}
			if decided != 1 {
				t.Errorf("%s: %s's meetings among the portfolio's decisions: %d, want 1", label, e.Code, decided)
			}
		}
		p, err := pack.BuildPack(ctx, db, s, q, today)
		if err != nil {
			t.Fatal(err)
		}
		check("the portfolio's pack", p)
		// The portfolio's actions are those open at the end, by due date; the tally counts every section's.
		agreed, open := 0, 0
		for _, ep := range p.Engagements {
			agreed += len(ep.Actions)
			for _, a := range ep.Actions {
				if a.Status == models.ActionOpen {
					open++
				}
			}
		}
		tl := p.Tally
		if tl == nil || tl.Agreed != agreed || tl.Open != open || len(p.Actions) != open || tl.Done+tl.Dropped+tl.Open != tl.Agreed || tl.Overdue == 0 {
			t.Errorf("the tally %+v: %d agreed and %d open in the sections, %d in the portfolio's list", tl, agreed, open, len(p.Actions))
		}
		seen := map[string]bool{}
		for i, a := range p.Actions {
			seen[a.Action] = true
			if a.Status != models.ActionOpen {
				t.Errorf("the portfolio's list holds a %s action: %+v", a.Status, a)
			}
			if i > 0 && p.Actions[i-1].Overdue == false && a.Overdue {
				t.Errorf("an overdue action after one not overdue: %+v", a)
			}
		}
		if !seen["Done after it"] || !seen["Not yet due"] || seen["Done in the quarter"] || seen["Dropped"] {
			t.Errorf("the portfolio's open actions: %v", seen)
		}

		one, err := pack.BuildEngagementPack(ctx, db, s, q, today, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		check("the engagement's pack", one)

		// Published, then the last action is done: the pack still says open, published or rebuilt.
		var admin models.User
		db.Where("role = ?", models.RoleAdmin).First(&admin)
		if err := pack.PublishPack(ctx, db, p, admin, dbtest.Now()); err != nil {
			t.Fatal(err)
		}
		set("Not yet due", models.ActionDone, "", today)
		frozen, err := pack.PublishedPackFor(ctx, db, q.String())
		if err != nil || frozen == nil {
			t.Fatalf("the published pack: %v", err)
		}
		check("the published pack", frozen)
		rebuilt, err := pack.BuildPack(ctx, db, s, q, today)
		if err != nil {
			t.Fatal(err)
		}
		check("the pack rebuilt after the quarter", rebuilt)
	})
}
