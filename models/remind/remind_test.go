package remind_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/remind"
)

// filter are the items of kind about record ref.
func filter(items []remind.Item, kind string, ref uint) []remind.Item {
	var out []remind.Item
	for _, it := range items {
		if it.Kind == kind && it.Ref == ref {
			out = append(out, it)
		}
	}
	return out
}

// find is the item of kind about record ref for user, if there is one.
func find(items []remind.Item, user uint, kind string, ref uint) (remind.Item, bool) {
	for _, it := range items {
		if it.UserID == user && it.Kind == kind && it.Ref == ref {
			return it, true
		}
	}
	return remind.Item{}, false
}

// Each person is reminded of what is theirs, inside its window: a risk
// owner of reviews due within 7 days or overdue and acceptances expiring
// within 30 days or expired; each manager of an engagement (not a disabled
// one) of its milestones due within 14 days or late; administrators of the
// last quarter's pack until it is published.
func TestDue(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		var exec, admin models.User
		db.Where("role = ?", models.RoleExecutive).Order("id").First(&exec)
		db.Where("role = ?", models.RoleAdmin).Order("id").First(&admin)
		var risks []models.Risk
		db.Where("status = ?", models.StatusOpen).Order("id").Limit(5).Find(&risks)
		set := func(r models.Risk, cols map[string]any) {
			cols["owner_id"] = exec.ID
			if err := db.Model(&models.Risk{}).Where("id = ?", r.ID).Updates(cols).Error; err != nil {
				t.Fatal(err)
			}
		}
		set(risks[0], map[string]any{"next_review": today.AddDays(-1)})
		set(risks[1], map[string]any{"next_review": today.AddDays(remind.ReviewDays + 1)})
		set(risks[2], map[string]any{"status": models.StatusAccepted, "accept_expiry": today.AddDays(remind.AcceptanceDays), "next_review": today.AddDays(90)})
		set(risks[3], map[string]any{"status": models.StatusAccepted, "accept_expiry": today.AddDays(remind.AcceptanceDays + 1), "next_review": today.AddDays(90)})
		set(risks[4], map[string]any{"status": models.StatusAccepted, "accept_expiry": today.AddDays(-2), "next_review": today.AddDays(90)})

		// A milestone of an engagement with a manager and a co-manager, the co-manager disabled.
		var e models.Engagement
		db.Where("manager_id IS NOT NULL AND closed_on IS NULL AND id IN (SELECT engagement_id FROM engagement_managers)").Order("id").First(&e)
		var co uint
		db.Raw("SELECT MIN(user_id) FROM engagement_managers WHERE engagement_id = ? AND user_id <> ?", e.ID, *e.ManagerID).Scan(&co)
		if e.ID == 0 || co == 0 {
			t.Fatal("the demo has no engagement with a co-manager")
		}
		db.Model(&models.User{}).Where("id = ?", co).Update("disabled", true)
		var m models.Milestone
		db.Where("engagement_id = ?", e.ID).Order("id").First(&m)
		db.Model(&models.Milestone{}).Where("id = ?", m.ID).Updates(map[string]any{"planned": today.AddDays(remind.MilestoneDays), "actual": nil})

		items, err := remind.Due(ctx, db, s, today)
		if err != nil {
			t.Fatal(err)
		}
		if it, ok := find(items, exec.ID, remind.KindRiskReview, risks[0].ID); !ok || !it.Overdue || !strings.Contains(it.What, "overdue since") || it.Link == "" {
			t.Errorf("an overdue review: %+v (%v)", it, ok)
		}
		if _, ok := find(items, exec.ID, remind.KindRiskReview, risks[1].ID); ok {
			t.Error("a review 8 days ahead is reminded")
		}
		if it, ok := find(items, exec.ID, remind.KindAcceptance, risks[2].ID); !ok || it.Overdue {
			t.Errorf("an acceptance expiring in 30 days: %+v (%v)", it, ok)
		}
		if _, ok := find(items, exec.ID, remind.KindAcceptance, risks[3].ID); ok {
			t.Error("an acceptance expiring in 31 days is reminded")
		}
		if it, ok := find(items, exec.ID, remind.KindAcceptance, risks[4].ID); !ok || !it.Overdue || !strings.Contains(it.What, "expired on") {
			t.Errorf("an expired acceptance: %+v (%v)", it, ok)
		}
		if _, ok := find(items, *e.ManagerID, remind.KindMilestone, m.ID); !ok {
			t.Error("the manager is not reminded of a milestone due in 14 days")
		}
		if _, ok := find(items, co, remind.KindMilestone, m.ID); ok {
			t.Error("a disabled co-manager is reminded")
		}
		q := s.Fiscal().LastComplete(today).String()
		if it, ok := find(items, admin.ID, remind.KindPack, 0); !ok || it.Link != "/reviews/"+q+"/publish" {
			t.Errorf("the pack to publish: %+v (%v)", it, ok)
		}
		for i := 1; i < len(items); i++ { // per user, overdue first
			a, b := items[i-1], items[i]
			if a.UserID == b.UserID && !a.Overdue && b.Overdue {
				t.Fatalf("%q comes before the overdue %q", a.Title, b.Title)
			}
		}
		db.Create(&models.PublishedPack{Quarter: q, Snapshot: "{}", PublishedBy: admin.ID, PublishedAt: dbtest.Now()})
		items, _ = remind.Due(ctx, db, s, today)
		if _, ok := find(items, admin.ID, remind.KindPack, 0); ok {
			t.Error("a published pack is still to publish")
		}
	})
}

// A month's costs and service-level results are due by the 10th of the next
// month: nothing is reminded on the 10th, and on the 11th each manager of a
// running engagement without them is; recording the month ends it. The
// month before is named right at month, quarter and year ends and on 29
// February.
func TestDueUnrecordedMonths(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		next := models.Date{Time: today.MonthStart().AddDate(0, 1, 0)}
		count := func(day models.Date, kind string, ref uint) (n int, mine bool) {
			items, err := remind.Due(ctx, db, s, day)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if it.Kind == kind {
					n++
					mine = mine || it.Ref == ref
				}
			}
			return n, mine
		}
		var e models.Engagement
		db.Where("closed_on IS NULL AND phase IN ? AND manager_id IS NOT NULL", []string{"Run", "Operate"}).Order("id").First(&e)
		if n, _ := count(next.AddDays(remind.RecordByDay-1), remind.KindCosts, e.ID); n != 0 {
			t.Errorf("on the 10th, %d months of costs are already late", n)
		}
		n, mine := count(next.AddDays(remind.RecordByDay), remind.KindCosts, e.ID)
		if n == 0 || !mine {
			t.Fatalf("on the 11th, %d late months of costs, %s's among them: %v", n, e.Code, mine)
		}
		if sla, _ := count(next.AddDays(remind.RecordByDay), remind.KindSLA, e.ID); sla == 0 {
			t.Error("no service-level results are late on the 11th")
		}
		db.Create(&models.CostRecord{EngagementID: e.ID, Month: today.MonthStart(), Currency: e.Currency, SavingsType: models.SavingsHard})
		if after, mine := count(next.AddDays(remind.RecordByDay), remind.KindCosts, e.ID); after >= n || mine {
			t.Errorf("after recording %s's month: %d late (was %d), %s's still among them: %v", e.Code, after, n, e.Code, mine)
		}
		// Month, quarter and year ends and 29 February, after the demo's last month whatever the day.
		y := today.Year() + 1
		leap := y
		for leap%4 != 0 || leap%100 == 0 && leap%400 != 0 {
			leap++
		}
		for _, c := range []struct {
			day   models.Date
			month string
		}{
			{models.D(y, time.December, 31), fmt.Sprintf("November %d", y)}, {models.D(y, time.March, 31), fmt.Sprintf("February %d", y)},
			{models.D(y, time.June, 30), fmt.Sprintf("May %d", y)}, {models.D(leap, time.February, 29), fmt.Sprintf("January %d", leap)},
			{models.D(y, time.January, 11), fmt.Sprintf("December %d", y-1)},
		} {
			items, err := remind.Due(ctx, db, s, c.day)
			if err != nil {
				t.Fatalf("%s: %v", c.day, err)
			}
			named := 0
			for _, it := range items {
				if it.Kind != remind.KindCosts {
					continue
				}
				if !strings.Contains(it.What, "costs of "+c.month+" not recorded") {
					t.Errorf("%s: %q, want the costs of %s", c.day, it.What, c.month)
					break
				}
				named++
			}
			if named == 0 { // the demo records no month after its own: every running engagement is late
				t.Errorf("%s: no late costs of %s", c.day, c.month)
			}
		}
	})
}

// A calendar holds its user's items only: their risks' reviews and
// acceptance expiries, and their engagements' milestones and every transfer
// planned within a year, at risk or not.
func TestCalendar(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		var bot models.Engagement
		db.Where("model = ? AND closed_on IS NULL AND actual_transfer IS NULL AND manager_id IS NOT NULL", models.ModelBOT).Order("id").First(&bot)
		db.Model(&models.Engagement{}).Where("id = ?", bot.ID).Update("planned_transfer", today.AddDays(200))
		mgr := *bot.ManagerID
		items, err := remind.Calendar(ctx, db, s, mgr, today)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := find(items, mgr, remind.KindTransfer, bot.ID); !ok {
			t.Errorf("the calendar lacks %s's transfer in 200 days", bot.Code)
		}
		kinds := map[string]bool{}
		for _, it := range items {
			kinds[it.Kind] = true
			if it.UserID != mgr {
				t.Fatalf("another user's item in the calendar: %+v", it)
			}
			if it.On.Before(today.AddDays(-remind.CalendarPastDays)) || it.On.After(today.AddDays(remind.CalendarAheadDays)) {
				t.Errorf("%q on %s is outside the calendar's window", it.Title, it.On)
			}
		}
		if !kinds[remind.KindRiskReview] || !kinds[remind.KindMilestone] {
			t.Errorf("the manager's calendar has only %v", kinds)
		}
	})
}

// The quarter's commentary is reminded from 5 days before the quarter ends
// (its pack is due the day after) until the pack is published: not 6 days
// before, due on the day after, overdue the day after that, at each quarter
// end of the coming year (a year end among them) and on 29 February.
func TestDueCommentary(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		f := s.Fiscal()
		of := func(day models.Date, q models.Quarter) []remind.Item {
			items, err := remind.Due(ctx, db, s, day)
			if err != nil {
				t.Fatalf("%s: %v", day, err)
			}
			var out []remind.Item
			for _, it := range items {
				if it.Kind == remind.KindCommentary && it.Period == q.String() {
					out = append(out, it)
				}
			}
			return out
		}
		q := f.QuarterOf(today).Next()
		for range 4 {
			due := f.End(q).AddDays(1)
			early := due.AddDays(-remind.CommentaryDays - 1)
			if n := len(of(early, q)); n != 0 {
				t.Errorf("%s: %d commentary reminders of %s 6 days before its pack is due", early, n, q)
			}
			soon := of(due.AddDays(-remind.CommentaryDays), q)
			if len(soon) == 0 || soon[0].Overdue || !strings.Contains(soon[0].What, "due on "+due.Human()) ||
				soon[0].Link != fmt.Sprintf("/reviews/%s/engagements/%d/commentary", q, soon[0].Ref) {
				t.Fatalf("%s: 5 days before %s's pack is due: %+v", due.AddDays(-remind.CommentaryDays), q, soon)
			}
			if on := of(due, q); len(on) != len(soon) || on[0].Overdue || !strings.Contains(on[0].What, "due today") {
				t.Errorf("%s, the day %s's pack is due: %+v", due, q, on)
			}
			if late := of(due.AddDays(1), q); len(late) != len(soon) || !late[0].Overdue || !strings.Contains(late[0].What, "was due on") {
				t.Errorf("%s, after %s's pack was due: %+v", due.AddDays(1), q, late)
			}
			q = q.Next()
		}
		// A commentary written takes its engagement off; a published pack takes the quarter off.
		q = f.QuarterOf(today).Next()
		day := f.End(q).AddDays(-1)
		before := of(day, q)
		if len(before) == 0 {
			t.Fatalf("%s: no commentary reminders of %s", day, q)
		}
		e := before[0].Ref
		if _, err := models.SaveCommentary(ctx, db, nil, dbtest.Now(), e, q.String(), models.GovernanceReview{Rating: models.Green, Commentary: "On track."}, 0, nil); err != nil {
			t.Fatal(err)
		}
		after := of(day, q)
		for _, it := range after {
			if it.Ref == e {
				t.Fatalf("engagement %d is reminded of the commentary it has", e)
			}
		}
		if len(after) >= len(before) {
			t.Errorf("%d reminders after one engagement's commentary was written, %d before", len(after), len(before))
		}
		if err := db.Create(&models.PublishedPack{Quarter: q.String(), Snapshot: "{}", PublishedBy: 1, PublishedAt: dbtest.Now()}).Error; err != nil {
			t.Fatal(err)
		}
		if n := len(of(f.End(q).AddDays(3), q)); n != 0 {
			t.Errorf("%d commentary reminders of a published quarter", n)
		}
		// 29 February of the next leap year: the reminders are read without error.
		y := today.Year() + 1
		for y%4 != 0 || y%100 == 0 && y%400 != 0 {
			y++
		}
		of(models.D(y, time.February, 29), f.QuarterOf(models.D(y, time.February, 29)))
	})
}

// A contract ending within remind.ContractNoticeDays is reminded to its
// engagement's managers (and one ended while the engagement runs on, as
// overdue); one ending later is not, but is in the manager's calendar.
func TestDueContractEnds(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		var es []models.Engagement
		db.Where("closed_on IS NULL AND manager_id IS NOT NULL").Order("id").Limit(3).Find(&es)
		if len(es) < 3 {
			t.Fatal("the demo has fewer than 3 open engagements with a manager")
		}
		db.Exec("DELETE FROM contract_decisions")
		db.Exec("DELETE FROM contract_terms") // the demo's: these contracts have no notice period recorded
		ends := []models.Date{today.AddDays(remind.ContractNoticeDays), today.AddDays(remind.ContractNoticeDays + 1), today.AddDays(-1)}
		for i, e := range es {
			db.Model(&models.Engagement{}).Where("id = ?", e.ID).Update("contract_end", ends[i])
		}
		items, err := remind.Due(ctx, db, s, today)
		if err != nil {
			t.Fatal(err)
		}
		if it, ok := find(items, *es[0].ManagerID, remind.KindContract, es[0].ID); !ok || it.Overdue ||
			!strings.Contains(it.What, fmt.Sprintf("in %d days", remind.ContractNoticeDays)) || it.Link != fmt.Sprintf("/engagements/%d/contract", es[0].ID) {
			t.Errorf("a contract ending in %d days: %+v (%v)", remind.ContractNoticeDays, it, ok)
		}
		if _, ok := find(items, *es[1].ManagerID, remind.KindContract, es[1].ID); ok {
			t.Errorf("a contract ending in %d days is reminded", remind.ContractNoticeDays+1)
		}
		if it, ok := find(items, *es[2].ManagerID, remind.KindContract, es[2].ID); !ok || !it.Overdue || !strings.Contains(it.What, "ended on") {
			t.Errorf("a contract ended yesterday, the engagement open: %+v (%v)", it, ok)
		}
		cal, err := remind.Calendar(ctx, db, s, *es[1].ManagerID, today)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := find(cal, *es[1].ManagerID, remind.KindContract, es[1].ID); !ok {
			t.Errorf("the calendar lacks the contract ending in %d days", remind.ContractNoticeDays+1)
		}

		// With a notice period recorded, the deadline is reminded instead,
		// from remind.NoticeDays before it until a decision is recorded.
		db.Model(&models.Engagement{}).Where("id = ?", es[0].ID).Update("contract_end", today.AddDays(90+remind.NoticeDays))
		if _, err := models.SaveContractTerms(ctx, db, nil, dbtest.Now(), es[0].ID, models.ContractTerms{NoticeDays: 90, AutoRenews: true, RenewalMonths: 12}, 0); err != nil {
			t.Fatal(err)
		}
		items, _ = remind.Due(ctx, db, s, today)
		if _, ok := find(items, *es[0].ManagerID, remind.KindContract, es[0].ID); ok {
			t.Error("a contract with a notice period is reminded by its end")
		}
		it, ok := find(items, *es[0].ManagerID, remind.KindNotice, es[0].ID)
		if !ok || it.Overdue || !it.On.Equal(today.AddDays(remind.NoticeDays).Time) || !strings.Contains(it.What, "renews for 12 months") {
			t.Fatalf("a notice deadline in %d days: %+v (%v)", remind.NoticeDays, it, ok)
		}
		if items, _ := remind.Due(ctx, db, s, today.AddDays(-1)); len(filter(items, remind.KindNotice, es[0].ID)) != 0 {
			t.Errorf("a notice deadline %d days ahead is reminded", remind.NoticeDays+1)
		}
		late, _ := remind.Due(ctx, db, s, today.AddDays(remind.NoticeDays+3))
		if l := filter(late, remind.KindNotice, es[0].ID); len(l) == 0 || !l[0].Overdue || !strings.Contains(l[0].What, "passed") {
			t.Errorf("a notice deadline passed undecided: %+v", l)
		}
		if err := models.DecideContract(ctx, db, nil, dbtest.Now(), es[0].ID, today.AddDays(90+remind.NoticeDays), it.On, models.DecisionRenew, "", ""); err != nil {
			t.Fatal(err)
		}
		late, _ = remind.Due(ctx, db, s, today.AddDays(remind.NoticeDays+3))
		if l := filter(late, remind.KindNotice, es[0].ID); len(l) != 0 {
			t.Errorf("a decided deadline is still reminded: %+v", l)
		}
		cal, _ = remind.Calendar(ctx, db, s, *es[0].ManagerID, today)
		if _, ok := find(cal, *es[0].ManagerID, remind.KindNotice, es[0].ID); !ok {
			t.Error("the calendar lacks the notice deadline")
		}
	})
}

// The risks a partnership survey suggests are reminded to the engagement's
// managers until each is accepted or dismissed.
func TestDueSuggestions(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		var e models.Engagement
		db.Where("code = ?", "BOT-PL-02").First(&e)
		items, err := remind.Due(ctx, db, s, today)
		if err != nil {
			t.Fatal(err)
		}
		it, ok := find(items, *e.ManagerID, remind.KindSuggestion, e.ID)
		if !ok || !strings.Contains(it.What, "2 risks suggested") || it.Link != fmt.Sprintf("/engagements/%d/partnership", e.ID) {
			t.Fatalf("BOT-PL-02's suggested risks (communication and responsiveness fell): %+v (%v)", it, ok)
		}
		open, _ := models.OpenSuggestions(ctx, db, e.ID)
		act := models.Actor{At: dbtest.Now(), Settings: s}
		for _, sg := range open {
			if _, err := models.DecideSuggestion(ctx, db, act, sg.ID, false); err != nil {
				t.Fatal(err)
			}
		}
		items, _ = remind.Due(ctx, db, s, today)
		if _, ok := find(items, *e.ManagerID, remind.KindSuggestion, e.ID); ok {
			t.Error("suggestions all dismissed are still reminded")
		}
	})
}

// Obligations late, or due within a week, are reminded to the engagement's
// managers, keyed by the occurrence, until recorded: the demo's ITO-ADM-02
// service report is late twice, the first 45 days; one due in 3 days is
// reminded, one due in 8 days is not yet; recorded, the late one goes and
// the next late occurrence is reminded in its place. The calendar shows
// an obligation's next due date.
func TestDueObligations(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		var e models.Engagement
		db.Where("code = ?", "ITO-ADM-02").First(&e)
		var report models.Obligation
		db.Where("engagement_id = ? AND title = ?", e.ID, "Monthly service report").First(&report)
		w := models.Actor{At: dbtest.Now(), Today: today, Settings: s}
		soon, err := models.SaveObligation(ctx, db, w, e.ID, models.Obligation{Party: models.PartyCompany, Title: "Access badges renewed",
			Frequency: models.FrequencyOnce, FirstDue: today.AddDays(3)}, 0)
		if err != nil {
			t.Fatal(err)
		}
		later, _ := models.SaveObligation(ctx, db, w, e.ID, models.Obligation{Party: models.PartyCompany, Title: "Licences true-up",
			Frequency: models.FrequencyOnce, FirstDue: today.AddDays(8)}, 0)
		items, err := remind.Due(ctx, db, s, today)
		if err != nil {
			t.Fatal(err)
		}
		// The report's late occurrences: its dates before today with nothing recorded (the demo leaves about 45 days' worth).
		var dates []models.Date
		db.Model(&models.ObligationOccurrence{}).Where("obligation_id = ?", report.ID).Pluck("due_on", &dates)
		var recorded []string
		for _, d := range dates {
			recorded = append(recorded, d.String())
		}
		var late []models.Date
		for _, d := range report.DueDates(report.FirstDue, today.AddDays(-1)) {
			if !slices.Contains(recorded, d.String()) {
				late = append(late, d)
			}
		}
		if len(late) < 2 || late[0].DaysUntil(today) <= 30 {
			t.Fatalf("the demo's report is late %v", late)
		}
		first := late[0]
		it, ok := find(items, *e.ManagerID, remind.KindObligation, report.ID)
		if !ok || !it.Overdue || it.Period != first.String() || !strings.Contains(it.What, fmt.Sprintf("late %d times, the first since %s", len(late), first.Human())) ||
			it.Link != fmt.Sprintf("/engagements/%d/obligations/%d?due=%s#record", e.ID, report.ID, first) {
			t.Fatalf("the late report: %+v (%v)", it, ok)
		}
		if it, ok := find(items, *e.ManagerID, remind.KindObligation, soon.ID); !ok || it.Overdue || !strings.Contains(it.What, "ours) due "+today.AddDays(3).Human()+" (in 3 days)") {
			t.Errorf("due in 3 days: %+v (%v)", it, ok)
		}
		if _, ok := find(items, *e.ManagerID, remind.KindObligation, later.ID); ok {
			t.Error("due in 8 days is reminded already")
		}
		if _, err := models.RecordOccurrence(ctx, db, w, report, first, models.ObligationOccurrence{Status: models.OccurrenceWaived, Reason: "Merged with the next"}, 0); err != nil {
			t.Fatal(err)
		}
		items, _ = remind.Due(ctx, db, s, today)
		if it, ok := find(items, *e.ManagerID, remind.KindObligation, report.ID); !ok || it.Period == first.String() || !strings.Contains(it.What, "late since") {
			t.Errorf("after the first is waived, the next late one: %+v (%v)", it, ok)
		}
		cal, err := remind.Calendar(ctx, db, s, *e.ManagerID, today)
		if err != nil {
			t.Fatal(err)
		}
		if it, ok := find(cal, *e.ManagerID, remind.KindObligation, later.ID); !ok || it.On != today.AddDays(8) {
			t.Errorf("the calendar lacks the true-up: %+v (%v)", it, ok)
		}
	})
}

// A renewal option is reminded to the engagement's managers from 60 days
// before the last day to take it up; one further off is not yet.
func TestDueRenewalOptions(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		var e models.Engagement
		db.Where("closed_on IS NULL AND manager_id IS NOT NULL").Order("id").First(&e)
		terms, ok, _ := models.ContractTermsOf(ctx, db, e.ID)
		version := 0
		if ok {
			version = terms.Version
		}
		terms.RenewalOptions = fmt.Sprintf("12 months | %s\n12 months | %s", today.AddDays(20), today.AddDays(70))
		if _, err := models.SaveContractTerms(ctx, db, nil, dbtest.Now(), e.ID, terms, version); err != nil {
			t.Fatal(err)
		}
		items, err := remind.Due(ctx, db, s, today)
		if err != nil {
			t.Fatal(err)
		}
		var got []remind.Item
		for _, it := range items {
			if it.Kind == remind.KindOption && it.Ref == e.ID && it.UserID == *e.ManagerID {
				got = append(got, it)
			}
		}
		if len(got) != 1 || got[0].On != today.AddDays(20) || !strings.Contains(got[0].What, "renewal option 1 (12 months) to take up by "+today.AddDays(20).Human()+" (in 20 days)") {
			t.Errorf("options reminded: %+v", got)
		}
	})
}
