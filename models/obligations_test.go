package models_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// An obligation's due dates: a whole number of months after the first, on
// its day of the month or the month's last day, none after its end.
func TestObligationDueDates(t *testing.T) {
	t.Parallel()
	days := func(ds []models.Date) string {
		var s []string
		for _, d := range ds {
			s = append(s, d.String())
		}
		return strings.Join(s, " ")
	}
	for _, c := range []struct {
		o        models.Obligation
		from, to models.Date
		want     string
	}{
		{models.Obligation{Frequency: models.FrequencyMonthly, FirstDue: models.D(2027, 1, 31)}, models.D(2027, 1, 1), models.D(2027, 4, 30),
			"2027-01-31 2027-02-28 2027-03-31 2027-04-30"},
		{models.Obligation{Frequency: models.FrequencyQuarterly, FirstDue: models.D(2026, 11, 30)}, models.D(2027, 1, 1), models.D(2027, 12, 31),
			"2027-02-28 2027-05-31 2027-08-31 2027-11-30"}, // from a month's end, at each month's end
		{models.Obligation{Frequency: models.FrequencyQuarterly, FirstDue: models.D(2026, 11, 29)}, models.D(2027, 1, 1), models.D(2027, 12, 31),
			"2027-02-28 2027-05-29 2027-08-29 2027-11-29"},
		{models.Obligation{Frequency: models.FrequencyYearly, FirstDue: models.D(2028, 2, 29)}, models.D(2028, 1, 1), models.D(2032, 12, 31),
			"2028-02-29 2029-02-28 2030-02-28 2031-02-28 2032-02-29"},
		{models.Obligation{Frequency: models.FrequencyOnce, FirstDue: models.D(2027, 3, 15)}, models.D(2020, 1, 1), models.D(2030, 1, 1), "2027-03-15"},
		{models.Obligation{Frequency: models.FrequencyOnce, FirstDue: models.D(2027, 3, 15)}, models.D(2027, 3, 16), models.D(2030, 1, 1), ""},
		{models.Obligation{Frequency: models.FrequencyMonthly, FirstDue: models.D(2027, 1, 10), EndsOn: models.D(2027, 3, 9)}, models.D(2027, 1, 1), models.D(2028, 1, 1),
			"2027-01-10 2027-02-10"},
	} {
		if got := days(c.o.DueDates(c.from, c.to)); got != c.want {
			t.Errorf("%s from %s, %s to %s: %q, want %q", c.o.Frequency, c.o.FirstDue, c.from, c.to, got, c.want)
		}
	}
	// Nothing falls due after the engagement closes, nor the vendor's after a BOT transfer.
	monthly := models.Obligation{Party: models.PartyVendor, Frequency: models.FrequencyMonthly, FirstDue: models.D(2027, 1, 10)}
	for _, c := range []struct {
		o    models.Obligation
		e    models.Engagement
		want string
	}{
		{monthly, models.Engagement{Model: models.ModelITO, ClosedOn: models.D(2027, 3, 9)}, "2027-01-10 2027-02-10"},
		{monthly, models.Engagement{Model: models.ModelBOT, ActualTransfer: models.D(2027, 2, 10)}, "2027-01-10 2027-02-10"},
		{monthly, models.Engagement{Model: models.ModelITO, ActualTransfer: models.D(2027, 2, 10)}, "2027-01-10 2027-02-10 2027-03-10 2027-04-10"},
		{models.Obligation{Party: models.PartyCompany, Frequency: models.FrequencyMonthly, FirstDue: models.D(2027, 1, 10)},
			models.Engagement{Model: models.ModelBOT, ActualTransfer: models.D(2027, 2, 10)}, "2027-01-10 2027-02-10 2027-03-10 2027-04-10"},
	} {
		if got := days(c.o.Within(c.e).DueDates(models.D(2027, 1, 1), models.D(2027, 4, 30))); got != c.want {
			t.Errorf("%s's obligation within %+v: %q, want %q", c.o.Party, c.e, got, c.want)
		}
	}
	bad := models.CheckObligation(models.Obligation{Party: "supplier", Frequency: "weekly", EvidenceLink: "sharepoint/evidence"})
	for _, f := range []string{"party", "title", "frequency", "first_due", "evidence_link"} {
		if bad[f] == "" {
			t.Errorf("%s is not refused: %v", f, bad)
		}
	}
}

// An occurrence more than 30 days late turns its engagement Amber, saying
// so; recording it met with evidence takes the reason away. Late and next
// occurrences, the as-at replay of a quarter's end, the history, and what
// a record refuses: no evidence, no reason, a date off the schedule, a
// record made meanwhile, a stale save of the obligation.
func TestObligationsLateAndHealth(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		db.Exec("DELETE FROM obligation_occurrences")
		db.Exec("DELETE FROM obligations")
		var e models.Engagement
		db.Where("closed_on IS NULL").Order("id").First(&e)
		uid := uint(1)
		w := models.Actor{UserID: &uid, At: dbtest.Now(), Today: today, Settings: s}
		reasons := func() string {
			var got models.Engagement
			db.First(&got, e.ID)
			return got.HealthReasons
		}
		added := w // the obligations were added two months ago
		added.At = dbtest.Now().AddDate(0, -2, 0)
		save := func(o models.Obligation) models.Obligation {
			t.Helper()
			o, err := models.SaveObligation(ctx, db, added, e.ID, o, 0)
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		exactly30 := save(models.Obligation{Party: models.PartyCompany, Title: "Provide test data", Frequency: models.FrequencyOnce, FirstDue: today.AddDays(-30)})
		if strings.Contains(reasons(), "obligation") {
			t.Errorf("30 days late is not more than 30: %q", reasons())
		}
		late31 := save(models.Obligation{Party: models.PartyVendor, Title: "Exit plan delivered", Clause: "Schedule 9, 2.1", Owner: "Vendor PMO",
			Frequency: models.FrequencyOnce, FirstDue: today.AddDays(-31)})
		want := "a contractual obligation more than 30 days overdue, due on " + today.AddDays(-31).Human()
		if !strings.Contains(reasons(), want) {
			t.Errorf("health reasons %q, want %q", reasons(), want)
		}
		// Monthly from about two months back, on a day every month has (so whatever today is).
		first := today.AddDays(-62)
		if first.Day() > 27 {
			first = models.D(first.Year(), first.Month(), 27)
		}
		monthly := save(models.Obligation{Party: models.PartyVendor, Title: "Monthly service report", Frequency: models.FrequencyMonthly, FirstDue: first})
		if want := "2 contractual obligations more than 30 days overdue, the oldest due on " + first.Human(); !strings.Contains(reasons(), want) {
			t.Errorf("health reasons %q, want %q", reasons(), want)
		}

		lines, err := models.ObligationLines(ctx, db, models.ObligationFilter{EngagementIDs: []uint{e.ID}, AsAt: today})
		if err != nil {
			t.Fatal(err)
		}
		byID := map[uint]models.ObligationLine{}
		for _, l := range lines {
			byID[l.ID] = l
		}
		late, next := monthly.DueDates(first, today.AddDays(-1)), monthly.DueDates(today, today.AddDays(40))
		if l := byID[monthly.ID]; len(late) < 2 || len(l.Late) != len(late) || l.Next == nil || l.Next.DueOn != next[0] || l.OldestLate(today) != first.DaysUntil(today) {
			t.Errorf("monthly report: %d late (want %d), next %v (want %s)", len(l.Late), len(late), l.Next, next[0])
		}
		if l := byID[exactly30.ID]; len(l.Late) != 1 || l.Late[0].DaysLate(today) != 30 || l.Next != nil {
			t.Errorf("test data: %+v", l)
		}
		if lines[0].ID != monthly.ID {
			t.Errorf("the longest late is not first: %s", lines[0].Title)
		}

		// What a record refuses.
		met := models.ObligationOccurrence{Status: models.OccurrenceMet, MetOn: today}
		var bad models.Invalid
		if _, err := models.RecordOccurrence(ctx, db, w, late31, late31.FirstDue, met, 0); !errors.As(err, &bad) || bad["evidence"] == "" {
			t.Errorf("met without evidence: %v", err)
		}
		if _, err := models.RecordOccurrence(ctx, db, w, late31, late31.FirstDue, models.ObligationOccurrence{Status: models.OccurrenceWaived}, 0); !errors.As(err, &bad) || bad["reason"] == "" {
			t.Errorf("waived without reason: %v", err)
		}
		if _, err := models.RecordOccurrence(ctx, db, w, late31, today, models.ObligationOccurrence{Status: models.OccurrenceWaived, Reason: "x"}, 0); !errors.As(err, &bad) || bad["due_on"] == "" {
			t.Errorf("a date off the schedule: %v", err)
		}

		// Met today with evidence: the Amber reason goes, the history has it.
		met.Evidence = "https://docs.example.com/exit-plan-v1.pdf"
		rec, err := models.RecordOccurrence(ctx, db, w, late31, late31.FirstDue, met, 0)
		if err != nil {
			t.Fatal(err)
		}
		var stored models.ObligationOccurrence
		db.First(&stored, rec.ID)
		if stored.Status != models.OccurrenceMet || stored.Evidence != met.Evidence || stored.MetOn != today || stored.UserID == nil || *stored.UserID != uid {
			t.Errorf("stored %+v", stored)
		}
		if strings.Contains(reasons(), "due on "+today.AddDays(-31).Human()) {
			t.Errorf("met, still a reason: %q", reasons())
		}
		if _, err := models.RecordOccurrence(ctx, db, w, late31, late31.FirstDue, models.ObligationOccurrence{Status: models.OccurrenceWaived, Reason: "Not needed"}, 0); !errors.Is(err, models.ErrRecordedMeanwhile) {
			t.Errorf("recorded over a record made meanwhile: %v", err)
		}
		if h, _ := models.HistoryOf(ctx, db, models.OccurrenceEntity, rec.ID); len(h) == 0 {
			t.Error("no history of the record")
		}

		// As at yesterday it was late still (met today); as at 40 days ago not yet due;
		// as at 70 days ago it was not in the register.
		for _, c := range []struct {
			asAt models.Date
			late bool
		}{{today.AddDays(-1), true}, {today, false}, {today.AddDays(-40), false}, {today.AddDays(-70), false}} {
			lines, err := models.ObligationLines(ctx, db, models.ObligationFilter{EngagementIDs: []uint{e.ID}, AsAt: c.asAt})
			if err != nil {
				t.Fatal(err)
			}
			got := false
			for _, l := range lines {
				got = got || l.ID == late31.ID && len(l.Late) == 1
			}
			if got != c.late {
				t.Errorf("as at %s the exit plan is late: %v, want %v", c.asAt, got, c.late)
			}
		}

		// Its dates cannot move once an occurrence is recorded against them.
		moved := late31
		moved.FirstDue = today.AddDays(-20)
		if _, err := models.SaveObligation(ctx, db, w, e.ID, moved, late31.Version); !errors.As(err, &bad) || !strings.Contains(bad["first_due"], "An occurrence is recorded") {
			t.Errorf("moving a recorded obligation's dates: %v", err)
		}

		// A stale save of the obligation is refused; a current one is kept, with history.
		monthly.Owner = "Service manager"
		if _, err := models.SaveObligation(ctx, db, w, e.ID, monthly, 0); !errors.Is(err, models.ErrStale) {
			t.Errorf("a stale save: %v", err)
		}
		if _, err := models.SaveObligation(ctx, db, w, e.ID, monthly, 1); err != nil {
			t.Fatal(err)
		}
		if h, _ := models.HistoryOf(ctx, db, models.ObligationEntity, monthly.ID); len(h) < 2 {
			t.Errorf("history of the obligation: %d rows", len(h))
		}
	})
}
