package pack

// The quarter's governance meetings in the pack: each engagement's meetings
// held in the quarter with their decisions, and the actions agreed at them
// (with the reviews') with their status as it stood at the quarter's end.
// The portfolio's list holds the actions still open then, the longest
// overdue first, and a tally of all of them; each engagement's section lists
// its own in full.

import (
	"sort"

	"portfolio/models"
)

// agreedAction is an action of the quarter before it is placed in the pack.
type agreedAction struct {
	PackAction
	engagementID uint
	due          models.Date
}

// meetings fills the quarter's meetings in and returns the actions agreed at them.
func (b *packBuilder) meetings(codes map[uint]string) ([]agreedAction, error) {
	ms, err := models.MeetingsHeld(b.ctx, b.db, b.p.Start, b.p.End, b.only)
	if err != nil {
		return nil, err
	}
	titles := map[uint]string{}
	for _, m := range ms {
		ep := b.byID[m.EngagementID]
		if ep == nil { // not live in the quarter
			continue
		}
		pm := PackMeeting{Engagement: codes[m.EngagementID], Title: m.Title(), Attendees: m.Attendees, Decisions: m.Decisions}
		titles[m.ID] = pm.Title
		ep.Meetings = append(ep.Meetings, pm)
		if m.Decisions != "" {
			b.p.Meetings = append(b.p.Meetings, pm)
		}
	}
	sort.SliceStable(b.p.Meetings, func(i, j int) bool { return b.p.Meetings[i].Engagement < b.p.Meetings[j].Engagement })
	as, err := models.MeetingActionsAsAt(b.ctx, b.db, b.p.Start, b.p.End, b.only)
	if err != nil {
		return nil, err
	}
	var out []agreedAction
	for _, a := range as {
		title, ok := titles[a.MeetingID]
		if !ok {
			continue
		}
		pa := PackAction{Engagement: codes[a.EngagementID], Action: a.Action, Owner: a.Owner, Due: a.Due.Human(), Status: a.Status,
			Meeting: title, Overdue: a.Status == models.ActionOpen && a.Due.Before(b.overdueOn())}
		if a.Status == models.ActionDropped {
			pa.Reason = a.DroppedReason
		}
		out = append(out, agreedAction{PackAction: pa, engagementID: a.EngagementID, due: a.Due})
	}
	return out, nil
}

// overdueOn is the day an action open after its due date is overdue on: the
// quarter's end, or today while the quarter runs.
func (b *packBuilder) overdueOn() models.Date {
	if b.today.Before(b.p.End) {
		return b.today
	}
	return b.p.End
}

// actions places the quarter's actions, by due date: every one in its
// engagement's section, those open at the quarter's end in the portfolio's
// list, each counted in the tally.
func (b *packBuilder) actions(all []agreedAction) {
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].due.Equal(all[j].due.Time) {
			return all[i].due.Before(all[j].due)
		}
		return all[i].Engagement < all[j].Engagement
	})
	t := &PackTally{}
	for _, a := range all {
		t.Agreed++
		switch a.Status {
		case models.ActionDone:
			t.Done++
		case models.ActionDropped:
			t.Dropped++
		default:
			t.Open++
			if a.Overdue {
				t.Overdue++
			}
			b.p.Actions = append(b.p.Actions, a.PackAction)
		}
		if ep := b.byID[a.engagementID]; ep != nil {
			ep.Actions = append(ep.Actions, a.PackAction)
		}
	}
	b.p.Tally = t
}

// StatusText is an action's status as the pack prints it: "open, overdue",
// "dropped: superseded by the new plan".
func (a PackAction) StatusText() string {
	switch {
	case a.Overdue:
		return a.Status + ", overdue"
	case a.Reason != "":
		return a.Status + ": " + a.Reason
	}
	return a.Status
}
