package models_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
)

func eur(month time.Month, baseline, fees, retained, oneOff, planned int64) models.CostSums {
	return models.CostSums{Currency: "EUR", Month: models.D(2026, month, 1), SavingsType: models.SavingsHard,
		Baseline: baseline, VendorFees: fees, Retained: retained, OneOff: oneOff, Planned: planned}
}

// Figures over a quarter edge, converted month by month (hand-checked):
//
//	EUR March: baseline 1,000.00, fees 600.00, retained 100.00 → gross 300.00, planned 250.00; at 1.10 → gross $330.00, planned $275.00
//	EUR April: baseline 1,000.00, fees 500.00, retained 100.00, one-off 50.00 → gross 400.00, net 350.00, planned 300.00;
//	           at 1.2 → gross $480.00, net $420.00, planned $360.00, baseline $1,200.00
//	USD April: baseline 200.00, fees 150.00 → gross $50.00, planned $40.00
//
// Q1 (calendar fiscal year) = March only: net $330.00, plan $275.00.
// Q2 = April: gross $530.00, net $470.00, plan $400.00, baseline $1,400.00, savings % 470/1400 = 33.57 %.
// Year to date at Q2: net $800.00, plan $675.00, variance $125.00.
func TestSavingsFiguresConvertPerMonthAcrossQuarterEdge(t *testing.T) {
	t.Parallel()
	rates := models.NewRates("USD", []models.FXRate{
		{Currency: "EUR", Month: models.D(2026, 3, 1), Rate: "1.10"},
		{Currency: "EUR", Month: models.D(2026, 4, 1), Rate: "1.2"},
	})
	rows := []models.CostSums{
		eur(3, 100000, 60000, 10000, 0, 25000),
		eur(4, 100000, 50000, 10000, 5000, 30000),
		{Currency: "USD", Month: models.D(2026, 4, 1), SavingsType: models.SavingsHard, Baseline: 20000, VendorFees: 15000, Planned: 4000},
		eur(8, 999999, 0, 0, 0, 0), // after the quarter: left out
	}
	q2 := models.Quarter{Year: 2026, Q: 2}
	f := models.NewSavingsFigures(rows, rates, models.DefaultFiscal, q2, models.D(2026, 5, 15))
	check := func(name string, got models.Exact, want int64) {
		t.Helper()
		if got.Minor() != want {
			t.Errorf("%s = %d, want %d", name, got.Minor(), want)
		}
	}
	check("Q1 net", f.ByQuarter[models.Quarter{Year: 2026, Q: 1}].Hard.Net, 33000)
	check("Q1 planned", f.ByQuarter[models.Quarter{Year: 2026, Q: 1}].Hard.Planned, 27500)
	check("Q2 gross", f.Quarter.Hard.Gross, 53000)
	check("Q2 net", f.Quarter.Hard.Net, 47000)
	check("Q2 planned", f.Quarter.Hard.Planned, 40000)
	check("Q2 baseline", f.Quarter.Hard.Baseline, 140000)
	check("Q2 one-off", f.Quarter.Hard.OneOff, 6000)
	check("YTD net", f.YTD.Hard.Net, 80000)
	check("YTD variance", f.YTD.Hard.Variance(), 12500)
	check("cumulative net", f.Cumulative.Hard.Net, 80000)
	if pct, ok := f.Quarter.Hard.Pct(); !ok || models.FormatPct(pct, ok) != "33.6 %" {
		t.Errorf("Q2 savings %% = %v", pct)
	}
	if f.Cumulative.Avoidance.HasData() {
		t.Error("hard savings leaked into cost avoidance")
	}
	// Q2 is in progress on 15 May: the run-rate annualises Q1's gross savings.
	if !f.InProgress || f.RunRateQ != (models.Quarter{Year: 2026, Q: 1}) {
		t.Fatalf("run-rate quarter %v (in progress %v)", f.RunRateQ, f.InProgress)
	}
	check("run-rate in Q2", f.RunRate(models.SavingsHard), 132000)
	// Once Q2 has ended it annualises Q2: $530.00 × 4.
	done := models.NewSavingsFigures(rows, rates, models.DefaultFiscal, q2, models.D(2026, 7, 2))
	check("run-rate after Q2", done.RunRate(models.SavingsHard), 212000)
	used := rates.Used()
	if len(used) != 2 || used[0].Month != "2026-03" || used[0].Rate != "1.10" || used[1].Rate != "1.2" {
		t.Errorf("rates used %+v", used)
	}
	if len(rates.Missing()) != 0 {
		t.Errorf("missing %v", rates.Missing())
	}
	// With an April fiscal year, March closes FY2026 and April opens FY2027.
	april := models.Fiscal{StartMonth: time.April}
	fa := models.NewSavingsFigures(rows, rates, april, models.Quarter{Year: 2027, Q: 1}, models.D(2026, 5, 15))
	check("FY2027 Q1 net", fa.Quarter.Hard.Net, 47000)
	check("FY2027 YTD net", fa.YTD.Hard.Net, 47000)
	check("FY2027 cumulative", fa.Cumulative.Hard.Net, 80000)
	check("FY2027 run-rate (FY2026 Q4 = March)", fa.RunRate(models.SavingsHard), 132000)
	if got := fa.LastQuarters(8); len(got) != 2 || got[0] != (models.Quarter{Year: 2026, Q: 4}) {
		t.Errorf("trend quarters %v", got)
	}
}

// Conversion rounds once, at display: two months of €0.01 gross at 1.5 are
// $0.015 each and $0.03 together (rounding each month first would give $0.04).
func TestSavingsFiguresRoundOnce(t *testing.T) {
	t.Parallel()
	rates := models.NewRates("USD", []models.FXRate{
		{Currency: "EUR", Month: models.D(2026, 1, 1), Rate: "1.5"},
		{Currency: "EUR", Month: models.D(2026, 2, 1), Rate: "1.5"},
	})
	rows := []models.CostSums{eur(1, 1, 0, 0, 0, 0), eur(2, 1, 0, 0, 0, 0)}
	f := models.NewSavingsFigures(rows, rates, models.DefaultFiscal, models.Quarter{Year: 2026, Q: 1}, models.D(2026, 3, 10))
	if got := f.Quarter.Hard.Gross.Minor(); got != 3 {
		t.Errorf("gross = %d cents, want 3", got)
	}
	// A month without a rate converts at the latest earlier one, and says so.
	f = models.NewSavingsFigures([]models.CostSums{eur(3, 100, 0, 0, 0, 0)}, rates, models.DefaultFiscal, models.Quarter{Year: 2026, Q: 1}, models.D(2026, 3, 10))
	if p := rates.Provisional(); len(p) != 1 || p[0].Label() != "EUR Mar 2026 at Feb 2026's rate" || len(rates.Missing()) != 0 {
		t.Errorf("provisional %v, missing %v", p, rates.Missing())
	}
	if got := f.Quarter.Hard.Gross.Minor(); got != 150 || len(f.Quarter.Hard.Provisional) != 1 {
		t.Errorf("March at February's rate: %d cents, provisional %v; want 150 and the note", got, f.Quarter.Hard.Provisional)
	}
}

// Hard savings and cost avoidance stay apart in every figure.
func TestSavingsFiguresKeepTypesApart(t *testing.T) {
	t.Parallel()
	avoid := eur(2, 50000, 10000, 0, 0, 30000)
	avoid.SavingsType = models.SavingsAvoidance
	rows := []models.CostSums{eur(2, 100000, 60000, 0, 0, 30000), avoid}
	rates := models.NewRates("EUR", nil)
	f := models.NewSavingsFigures(rows, rates, models.DefaultFiscal, models.Quarter{Year: 2026, Q: 1}, models.D(2026, 3, 10))
	if f.Quarter.Hard.Net.Minor() != 40000 || f.Quarter.Avoidance.Net.Minor() != 40000 {
		t.Errorf("hard %d, avoidance %d", f.Quarter.Hard.Net.Minor(), f.Quarter.Avoidance.Net.Minor())
	}
	if f.Quarter.Hard.Baseline.Minor() != 100000 {
		t.Errorf("hard baseline %d", f.Quarter.Hard.Baseline.Minor())
	}
}

// costFixture stores a vendor and engagements with monthly cost records.
func costFixture(t *testing.T, db *gorm.DB, engagements map[string][]models.CostRecord) map[string]uint {
	t.Helper()
	v := models.Vendor{Name: "Fixture vendor", Tier: 2, Version: 1}
	if err := db.Create(&v).Error; err != nil {
		t.Fatal(err)
	}
	ids := map[string]uint{}
	for code, recs := range engagements {
		e := models.Engagement{Code: code, Name: code, Model: models.ModelITO, Tower: models.Towers[0], VendorID: v.ID, Phase: "Run", Currency: "EUR", Health: models.Green, Version: 1}
		if err := db.Omit("Vendor", "Manager").Create(&e).Error; err != nil {
			t.Fatal(err)
		}
		ids[code] = e.ID
		for _, r := range recs {
			r.EngagementID, r.Currency, r.SavingsType, r.Version = e.ID, "EUR", models.SavingsHard, 1
			if err := db.Create(&r).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	return ids
}

func month(m time.Month, baseline, fees, oneOff int64) models.CostRecord {
	return models.CostRecord{Month: models.D(2026, m, 1), Baseline: baseline, VendorFees: fees, OneOff: oneOff}
}

// Payback per engagement, from grouped sums (hand-checked):
//
//	PAY-A: one-off 1,000 in January, gross 300 a month → cumulative 300, 600, 900, 1,200: pays back in April.
//	PAY-B: one-off 1,000 in January, gross 200 a month for three months → 600: not yet.
//	PAY-C: no one-off cost → no payback date at all.
func TestPaybackPerEngagement(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ids := costFixture(t, db, map[string][]models.CostRecord{
			"PAY-A": {month(1, 1000_00, 700_00, 1000_00), month(2, 1000_00, 700_00, 0), month(3, 1000_00, 700_00, 0), month(4, 1000_00, 700_00, 0), month(5, 1000_00, 700_00, 0)},
			"PAY-B": {month(1, 500_00, 300_00, 1000_00), month(2, 500_00, 300_00, 0), month(3, 500_00, 300_00, 0)},
			"PAY-C": {month(1, 500_00, 300_00, 0)},
		})
		keys, total, err := models.CostBreakdownKeys(context.Background(), db, "engagement", models.CostScope{}, 1, 10)
		if err != nil || total != 3 || len(keys) != 3 || keys[0].Code != "PAY-A" {
			t.Fatalf("keys %+v total %d err %v", keys, total, err)
		}
		var ks []string
		for _, k := range keys {
			ks = append(ks, k.Key)
		}
		rows, err := models.SumCostsBy(context.Background(), db, "engagement", models.CostScope{}, ks)
		if err != nil {
			t.Fatal(err)
		}
		per := map[string][]models.CostSums{}
		for _, r := range rows {
			per[r.Key] = append(per[r.Key], r.Sums())
		}
		key := func(code string) string { return keys[map[string]int{"PAY-A": 0, "PAY-B": 1, "PAY-C": 2}[code]].Key }
		if got, ok := models.Payback(per[key("PAY-A")]); !ok || got != models.D(2026, 4, 1) {
			t.Errorf("PAY-A payback %v %v, want April 2026", got, ok)
		}
		if _, ok := models.Payback(per[key("PAY-B")]); ok {
			t.Error("PAY-B has not paid back")
		}
		if _, ok := models.Payback(per[key("PAY-C")]); ok {
			t.Error("PAY-C has no one-off cost to pay back")
		}
		if ids["PAY-A"] == 0 {
			t.Fatal("fixture")
		}
		// The vendor and tower breakdowns add the same months up.
		vk, _, err := models.CostBreakdownKeys(context.Background(), db, "vendor", models.CostScope{}, 1, 10)
		if err != nil || len(vk) != 1 || vk[0].Label != "Fixture vendor" {
			t.Fatalf("vendor keys %+v %v", vk, err)
		}
		vrows, err := models.SumCostsBy(context.Background(), db, "vendor", models.CostScope{From: models.D(2026, 1, 1), To: models.D(2026, 1, 31)}, []string{vk[0].Key})
		if err != nil || len(vrows) != 1 || vrows[0].OneOff != 2000_00 || vrows[0].Baseline != 2000_00 {
			t.Fatalf("vendor January %+v %v", vrows, err)
		}
	})
}
