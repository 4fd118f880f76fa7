package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
)

// meetings gives each open demo engagement past its selection the
// governance meetings of the last four ended quarters and of this one so
// far, written as the forms would (each with its history): a steering
// committee in the middle of each quarter, a monthly service review for the
// larger ITO services, and a QBR each quarter with the vendor's account
// team for two of them. Each meeting agrees one to three actions (a service
// review two or three), due two to eight weeks on; most of those due a while ago were done around their date (the
// history dates it, so a past quarter's pack prints them open at its end if
// they were), a few were dropped with a reason, and a few are overdue.
func (d *demoSeed) meetings(ctx context.Context, tx *gorm.DB, now time.Time) error {
	if !tx.Migrator().HasTable("governance_meetings") { // a schema from before migration 28 (a migration test's)
		return nil
	}
	s, err := models.LoadSettings(ctx, tx)
	if err != nil {
		return err
	}
	f, today := s.Fiscal(), models.DateOf(now)
	first := f.Start(f.LastComplete(today).Prev().Prev().Prev())
	var es []models.Engagement
	if err := tx.WithContext(ctx).Preload("Vendor").Preload("Manager").Where("closed_on IS NULL AND phase <> ?", "Selection").
		Order("id").Find(&es).Error; err != nil {
		return err
	}
	for _, e := range es {
		r := newRand("demo-meetings", uint64(e.ID))
		var plan []models.Meeting
		for q := f.QuarterOf(first); !f.Start(q).After(today); q = q.Next() {
			plan = append(plan, models.Meeting{Kind: models.MeetingSteering, HeldOn: workday(f.Start(q).AddDays(between(r, 40, 55)))})
			if qbrEngagements[e.Code] {
				plan = append(plan, models.Meeting{Kind: models.MeetingQBR, HeldOn: workday(f.Start(q).AddDays(between(r, 20, 30)))})
			}
		}
		if serviceReviewed[e.Code] {
			for m := first; !m.After(today); m = addMonths(m, 1) {
				plan = append(plan, models.Meeting{Kind: models.MeetingService, HeldOn: workday(models.D(m.Year(), m.Month(), between(r, 6, 10)))})
			}
		}
		for _, m := range plan {
			if !m.HeldOn.Before(today) || m.HeldOn.Before(e.StartDate) {
				continue
			}
			if err := d.meeting(ctx, tx, s, e, m, today, now, r); err != nil {
				return fmt.Errorf("%s %s: %w", e.Code, m.Title(), err)
			}
		}
	}
	return nil
}

// serviceReviewed are the engagements whose service is reviewed monthly.
var serviceReviewed = map[string]bool{"ITO-INF-01": true, "ITO-HLP-01": true, "ITO-SEC-01": true, "ITO-CLD-01": true}

// qbrEngagements hold a quarterly business review with the vendor's account team.
var qbrEngagements = map[string]bool{"ITO-INF-01": true, "ITO-ADM-01": true}

// meeting records one meeting, its attendees, decisions and actions, as its
// manager did the day it was held, then the actions' later fates.
func (d *demoSeed) meeting(ctx context.Context, tx *gorm.DB, s models.Settings, e models.Engagement, m models.Meeting, today models.Date,
	now time.Time, r *rand.Rand) error {
	sponsor := strings.Replace(e.Sponsor, ", ", " (", 1)
	if strings.Contains(sponsor, "(") {
		sponsor += ")"
	}
	vendor, manager := "the vendor", "the engagement manager"
	if e.Vendor != nil {
		vendor = e.Vendor.Name
	}
	if e.Manager != nil {
		manager = e.Manager.Name
	}
	owners := []string{manager, "Delivery director, " + vendor, strings.SplitN(e.Sponsor, ",", 2)[0], "Service manager, " + vendor}
	texts := meetingActionTexts[m.Kind]
	switch m.Kind {
	case models.MeetingSteering:
		m.Attendees = fmt.Sprintf("%s, %s (engagement manager), delivery director and account executive (%s)", sponsor, manager, vendor)
		m.Decisions = pickLines(r, steeringDecisions[e.Model], between(r, 1, 2))
	case models.MeetingService:
		m.Attendees = fmt.Sprintf("%s, service manager and service delivery lead (%s), service owner", manager, vendor)
		m.Decisions = pickLines(r, serviceDecisions, between(r, 0, 1))
	default:
		m.Attendees = fmt.Sprintf("%s, %s, account executive and finance lead (%s)", sponsor, manager, vendor)
		m.Decisions = pickLines(r, qbrDecisions, 2)
	}
	var actions []models.MeetingAction
	n := between(r, 1, 3)
	if m.Kind == models.MeetingService {
		n = between(r, 2, 3) // the month's follow-ups
	}
	for range n {
		actions = append(actions, models.MeetingAction{Action: pick(r, texts), Owner: pick(r, owners), Due: m.HeldOn.AddDays(7 * between(r, 2, 8))})
	}
	held := stamp(m.HeldOn, 17, 0)
	if held.After(now) {
		held = now
	}
	m.EngagementID = e.ID
	act := models.Actor{UserID: e.ManagerID, At: held, Today: m.HeldOn, Settings: s}
	saved, err := models.RecordMeeting(ctx, tx, act, m, actions)
	if err != nil {
		return err
	}
	stored, err := models.ActionsOf(ctx, tx, saved.ID)
	if err != nil {
		return err
	}
	for _, a := range stored {
		next, on := a, models.Date{}
		age := a.Due.DaysUntil(today)
		switch roll := r.IntN(100); {
		case age > 14 && roll < 5:
			next.Status, next.DroppedReason = models.ActionDropped, pick(r, droppedReasons)
			on = a.Due.AddDays(-between(r, 1, 7))
		case age > 14 && roll < 96, age > 0 && roll < 75, age <= 0 && roll < 15:
			next.Status = models.ActionDone
			on = a.Due.AddDays(between(r, -12, 6))
		}
		if next.Status == models.ActionOpen {
			continue // overdue when its date has passed: a few are
		}
		on = clampDate(on, m.HeldOn.AddDays(1), today.AddDays(-1))
		at := stamp(on, 11, 30)
		if !at.Before(now) || !at.After(held) {
			continue
		}
		if _, err := models.SaveMeetingAction(ctx, tx, models.Actor{UserID: e.ManagerID, At: at, Today: on, Settings: s}, a.ID, next, a.Version); err != nil {
			return err
		}
	}
	return nil
}

// pickLines draws n different lines of xs, one a line.
func pickLines(r *rand.Rand, xs []string, n int) string {
	var out []string
	for i, start := 0, r.IntN(len(xs)); i < n && i < len(xs); i++ {
		out = append(out, xs[(start+i*3)%len(xs)])
	}
	return strings.Join(out, "\n")
}

var steeringDecisions = map[string][]string{
	models.ModelITO: {
		"Approved the service improvement plan for the next quarter.",
		"Agreed to renegotiate the volume bands at the next price review.",
		"Accepted the vendor's proposal to automate L1 password resets.",
		"Deferred the scope extension to the new region until the service is stable.",
		"Confirmed the exit plan is tested every year in the first quarter.",
		"Approved the change request for the management-information pack.",
		"Agreed that service credits are netted against the next invoice.",
	},
	models.ModelBOT: {
		"Approved the hiring plan for the next two quarters.",
		"Agreed the transfer go/no-go criteria and their evidence.",
		"Endorsed the retention package for key engineers ahead of the transfer.",
		"Approved the centre's training budget for the year.",
		"Agreed monthly transfer-readiness reporting to this committee.",
		"Confirmed the scope of the centre's ISO 27001 audit.",
	},
}

var serviceDecisions = []string{
	"Problem record opened for the repeated storage incidents.",
	"Capacity review brought forward to next month.",
	"Change freeze over the quarter-end close agreed.",
	"Knowledge articles to be reviewed before the next release.",
	"Service credit for last month's missed resolution time confirmed.",
}

var qbrDecisions = []string{
	"Agreed the innovation backlog for next quarter, two items funded from gain-share.",
	"Accepted the vendor's benchmark of unit prices; no change this year.",
	"Agreed a joint review of the account's staffing pyramid.",
	"Asked the vendor to present its roadmap for AI-assisted operations.",
}

var meetingActionTexts = map[string][]string{
	models.MeetingSteering: {
		"Present a recovery plan for the missed service levels",
		"Update the exit plan and test the data export",
		"Share the revised volume forecast with the vendor",
		"Close the open internal-audit findings",
		"Confirm the hiring plan for next quarter",
		"Bring the price-review proposal to the next committee",
	},
	models.MeetingService: {
		"Deliver root-cause analyses for last month's P1 incidents",
		"Agree the service-credit reconciliation for the month",
		"Refresh the capacity forecast for the storage estate",
		"Review the knowledge base articles of the top ten tickets",
		"Re-run the disaster-recovery test that failed",
	},
	models.MeetingQBR: {
		"Cost the two innovation proposals",
		"Send the account's staffing pyramid and attrition by grade",
		"Draft the gain-share mechanism for automation savings",
	},
}

var droppedReasons = []string{
	"Superseded by the recovery plan agreed at the steering committee.",
	"No longer needed: the scope moved to the cloud engagement.",
	"Folded into the annual exit-plan test.",
}
