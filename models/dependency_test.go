package models_test

import (
	"math/big"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// Shares to one decimal add up to exactly 100.0 %: the tenths left over by
// rounding down go to the largest remainders (ties to the larger part, then
// the earlier one); rounding each share alone would give 99.9 % or 100.1 %.
func TestShareTenths(t *testing.T) {
	t.Parallel()
	r := func(ns ...int64) []*big.Rat {
		out := make([]*big.Rat, len(ns))
		for i, n := range ns {
			out[i] = big.NewRat(n, 1)
		}
		return out
	}
	for _, c := range []struct {
		name  string
		parts []*big.Rat
		want  []int
	}{
		// 63.311…, 33.441…, 3.246…: floors 633 + 334 + 32 = 999, the tenth left to 3.246… (remainder .467)
		{"spend", r(1950000, 1030000, 100000), []int{633, 334, 33}},
		{"thirds: the tenth left to the first of equals", r(1, 1, 1), []int{334, 333, 333}},
		{"sevenths", r(1, 1, 1, 1, 1, 1, 1), []int{143, 143, 143, 143, 143, 143, 142}},
		{"equal remainders: the tenth to the larger part", r(1, 1001, 998), []int{0, 501, 499}},
		{"one", r(5), []int{1000}},
		{"a zero", r(0, 3, 1), []int{0, 750, 250}},
		{"nothing to share", r(0, 0), []int{0, 0}},
	} {
		got := models.ShareTenths(c.parts)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
		sum := 0
		for _, n := range got {
			sum += n
		}
		if sum != 1000 && c.name != "nothing to share" {
			t.Errorf("%s: the shares add up to %d tenths", c.name, sum)
		}
	}
	for tenths, want := range map[int]string{633: "63.3 %", 1000: "100.0 %", 5: "0.5 %", 0: "0.0 %"} {
		if got := models.TenthsText(tenths); got != want {
			t.Errorf("%d tenths: %q, want %q", tenths, got, want)
		}
	}
}

// The vendors' dependency, hand-checked, as at 10 July 2026 (the 12
// complete months July 2025 – June 2026), in USD:
//
//	Alpha (USD): May fees 10,000.00 less credits 500.00; June fees 10,000.00 → $19,500.00
//	  (June 2025 and July 2026 are outside the window: left out)
//	Beta (EUR): April fees 5,000.00 at 1.10 → $5,500.00 (its retained 2,000.00 is not vendor spend);
//	  June fees 5,000.00 less credits 1,000.00 at May's 1.20 (June has no rate: provisional) → $4,800.00 → $10,300.00
//	Gamma (USD): May 1,000.00 of cost avoidance on an engagement since ended → $1,000.00
//	Portfolio $30,800.00: shares 63.3 %, 33.4 %, 3.3 % (3.2 % rounded alone: the sum would be 99.9 %)
//
// Engagements in delivery: Alpha's A1, Beta's B1, Gamma's C1 (A2 is in
// selection, B2 transferred, C2 ended): a third each, 33.4 / 33.3 / 33.3 %.
// Towers: Infrastructure has Alpha and Beta; the help desk only Gamma;
// Cloud (A2, B2) has none in delivery. Locations: A1 is delivered from
// Dallas and Chennai, B1 from Chennai: Dallas is Alpha's alone, Manila Gamma's.
func TestLoadDependency(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		ctx := t.Context()
		vendor := func(name string, archived bool) uint {
			v := models.Vendor{Name: name, Archived: archived, Version: 1}
			if err := db.Create(&v).Error; err != nil {
				t.Fatal(err)
			}
			return v.ID
		}
		alpha, beta, gamma, delta := vendor("Alpha Services", false), vendor("Beta Systems", false), vendor("Gamma Support", true), vendor("Delta Idle", false)
		eng := func(code string, v uint, model, tower, phase, location string, closed models.Date) uint {
			e := models.Engagement{Code: code, Name: code, Model: model, Tower: tower, VendorID: v, Phase: phase, DeliveryLocation: location,
				Currency: "USD", Health: models.Green, Version: 1, ClosedOn: closed}
			if err := db.Create(&e).Error; err != nil {
				t.Fatal(err)
			}
			return e.ID
		}
		infra, help, cloud := models.Towers[0], models.Towers[2], models.Towers[5]
		a1 := eng("A1", alpha, models.ModelITO, infra, "Run", "Dallas, US / Chennai, India", models.Date{})
		eng("A2", alpha, models.ModelITO, cloud, "Selection", "Dallas, US", models.Date{})
		b1 := eng("B1", beta, models.ModelITO, infra, "Run", "Chennai,  India", models.Date{})
		eng("B2", beta, models.ModelBOT, cloud, "Transferred", "Wrocław, Poland", models.Date{})
		eng("C1", gamma, models.ModelITO, help, "Run", "Manila, Philippines", models.Date{})
		c2 := eng("C2", gamma, models.ModelITO, cloud, "Ended", "Manila, Philippines", models.D(2026, 6, 15))
		cost := func(e uint, y int, m time.Month, cur string, fees, credits, retained int64, typ string) {
			if err := db.Create(&models.CostRecord{EngagementID: e, Month: models.D(y, m, 1), Currency: cur, VendorFees: fees, Credits: credits,
				Retained: retained, Baseline: fees * 2, SavingsType: typ, Version: 1}).Error; err != nil {
				t.Fatal(err)
			}
		}
		cost(a1, 2026, 5, "USD", 1000000, 50000, 0, models.SavingsHard)
		cost(a1, 2026, 6, "USD", 1000000, 0, 0, models.SavingsHard)
		cost(a1, 2025, 6, "USD", 9999900, 0, 0, models.SavingsHard) // before the window
		cost(a1, 2026, 7, "USD", 8888800, 0, 0, models.SavingsHard) // the month in progress
		cost(b1, 2026, 4, "EUR", 500000, 0, 200000, models.SavingsHard)
		cost(b1, 2026, 6, "EUR", 500000, 100000, 0, models.SavingsHard)
		cost(c2, 2026, 5, "USD", 100000, 0, 0, models.SavingsAvoidance)
		rates := models.NewRates("USD", []models.FXRate{
			{Currency: "EUR", Month: models.D(2026, 4, 1), Rate: "1.10"}, {Currency: "EUR", Month: models.D(2026, 5, 1), Rate: "1.20"}})

		d, err := models.LoadDependency(ctx, db, rates, models.D(2026, 7, 10))
		if err != nil {
			t.Fatal(err)
		}
		if d.From != models.D(2025, 7, 1) || d.To != models.D(2026, 6, 1) {
			t.Errorf("window %s – %s", d.From, d.To)
		}
		if d.Spend.Minor() != 3080000 || !d.HasSpend() {
			t.Errorf("portfolio spend %d, want 3080000", d.Spend.Minor())
		}
		want := []struct {
			id                    uint
			spend                 int64
			share, engs, engShare int
			provisional           []string
		}{
			{alpha, 1950000, 633, 1, 334, nil},
			{beta, 1030000, 334, 1, 333, []string{"EUR Jun 2026 at May 2026's rate"}},
			{gamma, 100000, 33, 1, 333, nil},
		}
		if len(d.Vendors) != len(want) {
			t.Fatalf("%d vendors: %+v", len(d.Vendors), d.Vendors)
		}
		for i, w := range want {
			v := d.Vendors[i]
			if v.VendorID != w.id || v.Spend.Minor() != w.spend || v.SpendShare != w.share || v.Engagements != w.engs ||
				v.EngagementShare != w.engShare || !slices.Equal(v.Provisional, w.provisional) {
				t.Errorf("vendor %d: %s spend %d share %d, %d engagements share %d, provisional %v; want %+v",
					i, v.Name, v.Spend.Minor(), v.SpendShare, v.Engagements, v.EngagementShare, v.Provisional, w)
			}
		}
		if !d.Vendors[2].Archived || d.Vendors[2].Name != "Gamma Support" {
			t.Errorf("Gamma: %+v", d.Vendors[2])
		}
		if got := d.Vendor(delta); got.Spend.Sign() != 0 || got.Engagements != 0 || got.SpendShare != 0 {
			t.Errorf("an idle vendor: %+v", got)
		}
		if !slices.Equal(d.Provisional, []string{"EUR Jun 2026 at May 2026's rate"}) || d.Engagements != 3 {
			t.Errorf("provisional %v, %d engagements in delivery", d.Provisional, d.Engagements)
		}
		if len(d.Towers) != 1 || d.Towers[0] != (models.SoleVendor{Name: help, VendorID: gamma, Vendor: "Gamma Support", Engagements: 1}) {
			t.Errorf("single-vendor towers %+v", d.Towers)
		}
		wantLoc := []models.SoleVendor{{Name: "Dallas, US", VendorID: alpha, Vendor: "Alpha Services", Engagements: 1},
			{Name: "Manila, Philippines", VendorID: gamma, Vendor: "Gamma Support", Engagements: 1}}
		if !slices.Equal(d.Locations, wantLoc) {
			t.Errorf("single-vendor locations %+v", d.Locations)
		}

		// Gamma's credits come to more than its fees: it has no share, and the
		// shares divide what the others were paid (19,500 + 10,300).
		cost(c2, 2026, 6, "USD", 0, 300000, 0, models.SavingsAvoidance)
		if d, err = models.LoadDependency(ctx, db, rates, models.D(2026, 7, 10)); err != nil {
			t.Fatal(err)
		}
		if d.Spend.Minor() != 2780000 || d.Paid.Minor() != 2980000 {
			t.Errorf("spend %d, paid %d: want 2780000 and 2980000", d.Spend.Minor(), d.Paid.Minor())
		}
		total := 0
		for _, v := range d.Vendors {
			total += v.SpendShare
			if v.VendorID == gamma && (v.Spend.Minor() != -200000 || v.SpendShare != 0) {
				t.Errorf("Gamma, owed credits: %d, share %d", v.Spend.Minor(), v.SpendShare)
			}
			if v.VendorID == alpha && v.SpendShare != 654 { // 19,500 ÷ 29,800
				t.Errorf("Alpha's share %d, want 654", v.SpendShare)
			}
		}
		if total != 1000 {
			t.Errorf("the shares add up to %d tenths", total)
		}
	})
}
