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

// A notice deadline is the contract's end less its notice period, counted
// in days across month ends, a year end and 29 February.
func TestNoticeDeadline(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		end  models.Date
		days int
		want string
	}{
		{models.D(2027, 3, 31), 90, "2026-12-31"},
		{models.D(2028, 3, 31), 31, "2028-02-29"},
		{models.D(2027, 1, 1), 1, "2026-12-31"},
		{models.D(2027, 6, 30), 0, "0001-01-01"},
		{models.Date{}, 90, "0001-01-01"},
	} {
		if got := models.NoticeDeadline(c.end, c.days); got.Format("2006-01-02") != c.want {
			t.Errorf("%s less %d days: %s, want %s", c.end, c.days, got.Format("2006-01-02"), c.want)
		}
	}
	docs, err := models.ParseDocuments("Master services agreement | MSA-2024-07 | https://docs.example.com/msa\n\nSchedule 4 (service levels) | S4\n")
	if err != nil || len(docs) != 2 || docs[0].Link != "https://docs.example.com/msa" || docs[1].Reference != "S4" {
		t.Errorf("documents: %+v, %v", docs, err)
	}
	for _, bad := range []string{"MSA | a | b | c", " | ref", "MSA | ref | javascript:alert(1)", "MSA | ref | docs.example.com"} {
		if _, err := models.ParseDocuments(bad); err == nil {
			t.Errorf("documents %q are taken", bad)
		}
	}
}

// The dashboard's notice deadlines: the open engagements whose deadline
// falls within the window, by deadline, and those passed with nothing
// decided while the contract runs; a decision takes a passed one off and
// shows on one to come; a stale save of the terms is refused.
func TestNoticeDeadlines(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		db.Exec("DELETE FROM contract_decisions")
		db.Exec("DELETE FROM contract_terms")
		var es []models.Engagement
		db.Where("closed_on IS NULL").Order("id").Limit(5).Find(&es)
		if len(es) < 5 {
			t.Fatal("the demo has fewer than 5 open engagements")
		}
		// Deadlines: in 10 days, in 200 days (outside 180), passed 5 days ago, passed 5 days ago but decided,
		// and passed 40 days ago on a contract that ended 10 days ago (it renewed by itself, or ran out).
		set := []struct {
			end  models.Date
			days int
		}{{today.AddDays(100), 90}, {today.AddDays(290), 90}, {today.AddDays(25), 30}, {today.AddDays(55), 60}, {today.AddDays(-10), 30}}
		for i, e := range es {
			db.Model(&models.Engagement{}).Where("id = ?", e.ID).Update("contract_end", set[i].end)
			if _, err := models.SaveContractTerms(ctx, db, nil, dbtest.Now(), e.ID, models.ContractTerms{NoticeDays: set[i].days, AutoRenews: true, RenewalMonths: 12}, 0); err != nil {
				t.Fatal(err)
			}
		}
		uid := uint(1)
		if err := models.DecideContract(ctx, db, &uid, dbtest.Now(), es[3].ID, set[3].end, today.AddDays(-5), models.DecisionRenegotiate, "Rates to review", ""); err != nil {
			t.Fatal(err)
		}
		rows, n, err := models.NoticeDeadlines(ctx, db, today, 180, 0)
		if err != nil {
			t.Fatal(err)
		}
		got := map[uint]models.NoticeRow{}
		for _, r := range rows {
			got[r.EngagementID] = r
		}
		if n != 3 || len(rows) != 3 || rows[0].EngagementID != es[4].ID || rows[1].EngagementID != es[2].ID || rows[2].EngagementID != es[0].ID {
			t.Fatalf("deadlines within 180 days: %d in all, %+v", n, rows)
		}
		if r := got[es[4].ID]; !r.Missed(today) || r.DaysLeft(today) != -40 {
			t.Errorf("the deadline of a contract past its end: %+v", r)
		}
		if r := got[es[0].ID]; !r.Deadline.Equal(today.AddDays(10).Time) || r.DaysLeft(today) != 10 || r.Missed(today) {
			t.Errorf("the deadline in 10 days: %+v", r)
		}
		if r := got[es[2].ID]; !r.Missed(today) || r.DaysLeft(today) != -5 {
			t.Errorf("the deadline passed undecided: %+v", r)
		}
		// Deciding the one to come shows the decision, by whom.
		end0, dl0 := set[0].end, today.AddDays(10)
		if err := models.DecideContract(ctx, db, &uid, dbtest.Now(), es[0].ID, end0, dl0, models.DecisionExit, "", ""); err != nil {
			t.Fatal(err)
		}
		// A second decision made from a form shown before the first was recorded is refused.
		if err := models.DecideContract(ctx, db, &uid, dbtest.Now(), es[0].ID, end0, dl0, models.DecisionRenew, "", ""); !errors.Is(err, models.ErrDecidedMeanwhile) {
			t.Errorf("a decision over one recorded meanwhile: %v", err)
		}
		if err := models.DecideContract(ctx, db, &uid, dbtest.Now(), es[0].ID, end0, dl0, models.DecisionRenew, "Changed our minds", models.DecisionExit); err != nil {
			t.Fatal(err)
		}
		rows, _, _ = models.NoticeDeadlines(ctx, db, today, 180, 1)
		if len(rows) != 1 || rows[0].EngagementID != es[4].ID {
			t.Fatalf("cut to 1: %+v", rows)
		}
		rows, _, _ = models.NoticeDeadlines(ctx, db, today, 180, 0)
		if rows[2].Decision != models.DecisionRenew || rows[2].DecidedBy == "" || rows[2].DecidedAt == nil {
			t.Errorf("a decided deadline: %+v", rows[2])
		}
		// Correcting the notice period keeps the decision: it is on the term, not the day.
		t0, _, _ := models.ContractTermsOf(ctx, db, es[0].ID)
		t0.NoticeDays = 95
		if _, err := models.SaveContractTerms(ctx, db, &uid, dbtest.Now(), es[0].ID, t0, t0.Version); err != nil {
			t.Fatal(err)
		}
		rows, _, _ = models.NoticeDeadlines(ctx, db, today, 180, 0)
		if r := rows[len(rows)-1]; r.EngagementID != es[0].ID || r.Decision != models.DecisionRenew || !r.Deadline.Equal(today.AddDays(5).Time) {
			t.Errorf("after the notice period was corrected: %+v", r)
		}
		var changed int64
		db.Model(&models.Change{}).Where("entity = ? AND action = ? AND field = ? AND old = ? AND new = ?",
			models.DecisionEntity, "update", "decision", models.DecisionExit, models.DecisionRenew).Count(&changed)
		if changed != 1 {
			t.Error("the history lacks the decision changed from exit to renew")
		}

		// Terms: a save at an old version is refused; each field changed is a history row.
		terms, _, _ := models.ContractTermsOf(ctx, db, es[1].ID)
		terms.NoticeDays, terms.Documents = 120, "MSA | MSA-1"
		if _, err := models.SaveContractTerms(ctx, db, &uid, dbtest.Now(), es[1].ID, terms, terms.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := models.SaveContractTerms(ctx, db, &uid, dbtest.Now(), es[1].ID, terms, terms.Version); !errors.Is(err, models.ErrStale) {
			t.Errorf("a stale save: %v", err)
		}
		var fields []string
		db.Model(&models.Change{}).Where("entity = ? AND entity_id = ? AND action = ?", models.ContractEntity, terms.ID, "update").Order("field").Pluck("field", &fields)
		if strings.Join(fields, ",") != "documents,notice_days" {
			t.Errorf("the history of a save: %v", fields)
		}
	})
}

// Renewal options read one a line, each taken up after the one before;
// price reviews read in any order, by line or comma, and the next one is
// the first on or after today.
func TestRenewalOptionsAndPriceReviews(t *testing.T) {
	t.Parallel()
	opts, err := models.ParseRenewalOptions("12 months | 2027-03-31\n\n24 | 2028-03-31\r\n")
	if err != nil || len(opts) != 2 || opts[0].Months != 12 || opts[0].ExerciseBy != models.D(2027, 3, 31) || opts[1].Months != 24 {
		t.Errorf("options: %+v, %v", opts, err)
	}
	for _, bad := range []string{"12 months", "twelve | 2027-03-31", "12 | 31/03/2027", "0 | 2027-03-31", "12 | 2027-03-31\n12 | 2027-01-31"} {
		if _, err := models.ParseRenewalOptions(bad); err == nil {
			t.Errorf("options %q are taken", bad)
		}
	}
	ds, err := models.ParsePriceReviews("2028-04-01, 2027-04-01\n2027-04-01")
	if err != nil || len(ds) != 2 || ds[0] != models.D(2027, 4, 1) {
		t.Errorf("price reviews: %v, %v", ds, err)
	}
	if _, err := models.ParsePriceReviews("2027-04-01, April 2028"); err == nil {
		t.Error("a price review that is not a date is taken")
	}
	terms := models.ContractTerms{PriceReviews: "2027-04-01\n2028-04-01"}
	for _, c := range []struct{ today, want models.Date }{
		{models.D(2027, 3, 31), models.D(2027, 4, 1)}, {models.D(2027, 4, 1), models.D(2027, 4, 1)},
		{models.D(2027, 4, 2), models.D(2028, 4, 1)}, {models.D(2028, 4, 2), models.Date{}},
	} {
		if got := terms.NextPriceReview(c.today); got != c.want {
			t.Errorf("on %s the next price review is %s, want %s", c.today, got, c.want)
		}
	}
}
