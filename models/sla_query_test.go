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

// fixture makes a vendor and an engagement of a model (ITO or BOT) in db.
func fixture(t *testing.T, db *gorm.DB, model, code string) models.Engagement {
	t.Helper()
	v := models.Vendor{Name: "Vendor " + code, Version: 1}
	if err := db.Create(&v).Error; err != nil {
		t.Fatal(err)
	}
	phase := "Run"
	if model == models.ModelBOT {
		phase = "Operate"
	}
	e := models.Engagement{Code: code, Name: "Engagement " + code, Model: model, Tower: models.Towers[0], VendorID: v.ID,
		Phase: phase, Currency: "EUR", Health: models.Green, Version: 1, StartDate: models.D(2024, 1, 1)}
	if err := db.Create(&e).Error; err != nil {
		t.Fatal(err)
	}
	return e
}

func write(today models.Date) models.Actor {
	s := models.DefaultSettings()
	return models.Actor{Settings: s, Today: today, At: time.Date(today.Year(), today.Month(), today.Day(), 9, 0, 0, 0, time.UTC)}
}

func milli(t *testing.T, s string) int64 {
	t.Helper()
	n, err := models.ParseMilli(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Credits due are credit % of the month's vendor fees, exact, rounded once (half-even) to the cent.
func TestCreditDue(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fees int64 // minor units
		pct  int
		want int64 // minor units
	}{
		{100_000_000, 10, 10_000_000}, // 1,000,000.00 × 10 % = 100,000.00
		{1_234_567, 5, 61_728},        // 12,345.67 × 5 % = 617.2835 → 617.28
		{50, 1, 0},                    // 0.50 × 1 % = 0.005 → 0.00 (half to even)
		{150, 1, 2},                   // 1.50 × 1 % = 0.015 → 0.02 (half to even)
		{250, 1, 2},                   // 2.50 × 1 % = 0.025 → 0.02 (half to even)
		{8_000_000, 0, 0},             // no credit rule
	}
	for _, c := range cases {
		if got := models.CreditDue(c.fees, c.pct).Minor(); got != c.want {
			t.Errorf("CreditDue(%d, %d %%) = %d, want %d", c.fees, c.pct, got, c.want)
		}
	}
}

// Attainment per fiscal quarter counts each month in its quarter, at the quarter
// edges too: with an April fiscal start, March 2026 is FY2026-Q4 and April 2026
// opens FY2027-Q1. A result equal to its target is met, in both directions.
func TestAttainmentByQuarterAtTheEdges(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		e := fixture(t, db, models.ModelITO, "ITO-Q")
		w := write(models.D(2026, 8, 15))
		w.Settings.Finance.FiscalStartMonth = 4
		avail := models.ServiceLevel{EngagementID: e.ID, Name: "Availability", Target: milli(t, "99.5"), Unit: "%", Direction: models.HigherIsBetter, CreditPct: 5}
		fix := models.ServiceLevel{EngagementID: e.ID, Name: "P1 fix time", Target: milli(t, "4"), Unit: "h", Direction: models.LowerIsBetter, CreditPct: 10}
		for _, s := range []*models.ServiceLevel{&avail, &fix} {
			if err := models.CreateSLA(ctx, db, w, s); err != nil {
				t.Fatal(err)
			}
		}
		record := func(month models.Date, rs ...models.SLAResult) {
			t.Helper()
			if _, err := models.RecordSLAMonth(ctx, db, w, e.ID, month, rs); err != nil {
				t.Fatal(err)
			}
		}
		record(models.D(2026, 3, 1), models.SLAResult{SLAID: avail.ID, Actual: milli(t, "99.4")})                                                             // missed, FY2026-Q4
		record(models.D(2026, 4, 1), models.SLAResult{SLAID: avail.ID, Actual: milli(t, "99.5")}, models.SLAResult{SLAID: fix.ID, Actual: milli(t, "4.001")}) // met (= target), missed
		record(models.D(2026, 6, 1), models.SLAResult{SLAID: avail.ID, Actual: milli(t, "99.49")}, models.SLAResult{SLAID: fix.ID, Actual: milli(t, "4")})    // missed, met (= target)
		record(models.D(2026, 7, 1), models.SLAResult{SLAID: avail.ID, Actual: milli(t, "100")})                                                              // met, FY2027-Q2

		f := w.Settings.Fiscal()
		qs := models.LastQuarters(f, models.D(2026, 8, 15), 3)
		if got := []string{qs[0].String(), qs[1].String(), qs[2].String()}; got[0] != "2026-Q4" || got[1] != "2027-Q1" || got[2] != "2027-Q2" {
			t.Fatalf("quarters %v", got)
		}
		att, err := models.AttainmentByQuarter(ctx, db, e.ID, f, qs)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			sla           uint
			q             models.Quarter
			met, measured int64
		}{
			{avail.ID, qs[0], 0, 1}, {fix.ID, qs[0], 0, 0},
			{avail.ID, qs[1], 1, 2}, {fix.ID, qs[1], 1, 2}, {0, qs[1], 2, 4},
			{avail.ID, qs[2], 1, 1}, {0, qs[2], 1, 1},
		}
		for _, c := range want {
			if got := att.Of(c.sla, c.q); got.Met != c.met || got.Measured != c.measured {
				t.Errorf("SLA %d in %s: %d of %d met, want %d of %d", c.sla, c.q, got.Met, got.Measured, c.met, c.measured)
			}
		}
		if pct, ok := att.Of(0, qs[1]).Attainment(); !ok || pct != 50 {
			t.Errorf("FY2027-Q1 attainment %v %%, want 50 %%", pct)
		}
	})
}

// Breaches list the missed results with the credit due from that month's vendor
// fees, say when a month has no cost record, and total the credits exactly.
func TestBreachesAndCreditsDue(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		e := fixture(t, db, models.ModelITO, "ITO-B")
		w := write(models.D(2026, 8, 15))
		avail := models.ServiceLevel{EngagementID: e.ID, Name: "Availability", Target: milli(t, "99.9"), Unit: "%", Direction: models.HigherIsBetter, CreditPct: 5}
		fix := models.ServiceLevel{EngagementID: e.ID, Name: "Fix time", Target: milli(t, "8"), Unit: "h", Direction: models.LowerIsBetter, CreditPct: 3}
		for _, s := range []*models.ServiceLevel{&avail, &fix} {
			if err := models.CreateSLA(ctx, db, w, s); err != nil {
				t.Fatal(err)
			}
		}
		// April: fees 80,000.00; both missed. May: fees 12,345.67; availability met. June: no cost record.
		for _, c := range []models.CostRecord{
			{EngagementID: e.ID, Month: models.D(2026, 4, 1), Currency: "EUR", Baseline: 10_000_000, VendorFees: 8_000_000, Credits: 100_000, SavingsType: "hard", Version: 1},
			{EngagementID: e.ID, Month: models.D(2026, 5, 1), Currency: "EUR", Baseline: 10_000_000, VendorFees: 1_234_567, SavingsType: "hard", Version: 1},
		} {
			if err := db.Create(&c).Error; err != nil {
				t.Fatal(err)
			}
		}
		rec := func(m models.Date, a, f string) {
			if _, err := models.RecordSLAMonth(ctx, db, w, e.ID, m, []models.SLAResult{{SLAID: avail.ID, Actual: milli(t, a)}, {SLAID: fix.ID, Actual: milli(t, f)}}); err != nil {
				t.Fatal(err)
			}
		}
		rec(models.D(2026, 4, 1), "99.5", "9")
		rec(models.D(2026, 5, 1), "99.95", "8.5")
		rec(models.D(2026, 6, 1), "98", "7")

		rows, total, err := models.ListSLABreaches(ctx, db, e.ID, 1, 25)
		if err != nil {
			t.Fatal(err)
		}
		if total != 4 || len(rows) != 4 {
			t.Fatalf("%d breaches (%d rows), want 4", total, len(rows))
		}
		got := map[string]string{}
		for _, b := range rows {
			key := b.Month.String() + " " + b.SLAName
			if m, ok := b.Credit(); ok {
				got[key] = m.String()
			} else {
				got[key] = "no cost record"
			}
		}
		want := map[string]string{
			"2026-06-01 Availability": "no cost record",
			"2026-05-01 Fix time":     "€370.37", // 12,345.67 × 3 % = 370.3701
			"2026-04-01 Availability": "€4,000.00",
			"2026-04-01 Fix time":     "€2,400.00",
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: credit %q, want %q", k, got[k], v)
			}
		}
		if rows[0].Month != models.D(2026, 6, 1) {
			t.Errorf("newest first: first row is %s", rows[0].Month)
		}
		tot, err := models.SumSLABreaches(ctx, db, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if tot.Breaches != 4 || tot.NoCost != 1 || len(tot.Due) != 1 {
			t.Fatalf("totals %+v", tot)
		}
		// 4,000.00 + 2,400.00 + 370.3701 = 6,770.3701 → €6,770.37
		if got := tot.Due[0].Due.Money("EUR").String(); got != "€6,770.37" {
			t.Errorf("credits due %s, want €6,770.37", got)
		}
		if len(tot.Received) != 1 || tot.Received[0].String() != "€1,000.00" {
			t.Errorf("credits received %v, want €1,000.00 (April's record)", tot.Received)
		}
	})
}

// A monthly save judges met/missed, records history per result, and refuses a
// form that another save overtook, whole.
func TestRecordSLAMonthHistoryAndStale(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		e := fixture(t, db, models.ModelITO, "ITO-S")
		w := write(models.D(2026, 8, 15))
		s := models.ServiceLevel{EngagementID: e.ID, Name: "Availability", Target: milli(t, "99.9"), Unit: "%", Direction: models.HigherIsBetter}
		if err := models.CreateSLA(ctx, db, w, &s); err != nil {
			t.Fatal(err)
		}
		m := models.D(2026, 7, 1)
		sum, err := models.RecordSLAMonth(ctx, db, w, e.ID, m, []models.SLAResult{{SLAID: s.ID, Actual: milli(t, "99.8")}})
		if err != nil || sum.Recorded != 1 || sum.Missed != 1 {
			t.Fatalf("first save: %+v, %v", sum, err)
		}
		// A second form that also thought the month empty is stale.
		if _, err := models.RecordSLAMonth(ctx, db, w, e.ID, m, []models.SLAResult{{SLAID: s.ID, Actual: milli(t, "99.95")}}); !errors.Is(err, models.ErrStale) {
			t.Fatalf("second blank form: %v, want ErrStale", err)
		}
		sum, err = models.RecordSLAMonth(ctx, db, w, e.ID, m, []models.SLAResult{{SLAID: s.ID, Actual: milli(t, "99.95"), Version: 1}})
		if err != nil || sum.Met != 1 {
			t.Fatalf("correction: %+v, %v", sum, err)
		}
		var ms models.SLAMeasurement
		db.Where("service_level_id = ?", s.ID).First(&ms)
		if !ms.Met || ms.Version != 2 || ms.Actual != 99950 {
			t.Errorf("stored %+v", ms)
		}
		var ch []models.Change
		db.Where("entity = ? AND entity_id = ? AND action = ?", models.EntitySLAMeasurement, ms.ID, "update").Order("field").Find(&ch)
		if len(ch) != 2 || ch[0].Field != "actual" || ch[0].Old != "99.8" || ch[0].New != "99.95" || ch[1].Field != "met" || ch[1].New != "yes" {
			t.Errorf("history %+v", ch)
		}
		if _, err := models.UpdateSLA(ctx, db, w, s.ID, 7, s); !errors.Is(err, models.ErrStale) {
			t.Errorf("stale SLA edit: %v", err)
		}
	})
}
