package pack_test

import (
	"context"
	"reflect"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/pack"
	"portfolio/models/register"
)

// packQuarter is the last complete quarter on the tests' day: the one due for review.
func packQuarter() models.Quarter { return models.DefaultFiscal.LastComplete(dbtest.Today()) }

// The pack is as at the quarter's end: a risk escalated and another raised after
// it do not change the quarter's register, heat map or movement.
func TestPackIsAsAtQuarterEnd(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		before, err := pack.BuildPack(ctx, db, s, packQuarter(), today)
		if err != nil {
			t.Fatal(err)
		}
		if before.Risks.Open == 0 || len(before.Engagements) == 0 || before.SLA.Measured == 0 || before.Savings.Quarter == 0 {
			t.Fatalf("demo pack is empty: %+v", before.Risks)
		}
		// Today (after the quarter's end) a manager escalates a live risk to the maximum.
		var r models.Risk
		db.Where("status = ? AND residual_score < 20 AND engagement_id IS NOT NULL", models.StatusOpen).Order("id").First(&r)
		act := models.Actor{At: dbtest.Now(), Settings: s}
		r.ResidualLikelihood, r.ResidualImpact, r.InherentLikelihood, r.InherentImpact = 5, 5, 5, 5
		if _, err := models.UpdateRisk(ctx, db, act, &r); err != nil {
			t.Fatal(err)
		}
		after, err := pack.BuildPack(ctx, db, s, packQuarter(), today)
		if err != nil {
			t.Fatal(err)
		}
		if after.Risks.Heat != before.Risks.Heat || after.Risks.Open != before.Risks.Open || after.Risks.Escalated != before.Risks.Escalated {
			t.Errorf("a change made after the quarter moved its pack: heat %v → %v, open %d → %d, escalated %d → %d",
				before.Risks.Heat, after.Risks.Heat, before.Risks.Open, after.Risks.Open, before.Risks.Escalated, after.Risks.Escalated)
		}
		// The current quarter's live view does see it.
		live, _ := register.RegisterAsAt(ctx, db, s.Risk, today, register.RiskFilter{})
		found := false
		for _, x := range live {
			found = found || (x.ID == r.ID && x.ResidualScore == 25)
		}
		if !found {
			t.Error("the escalation is not in today's register")
		}
	})
}

// A published pack is frozen: later edits to its quarter's costs change the live
// draft figures but never the published ones; a quarter publishes once.
func TestPublishedPackDoesNotMove(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		if p, err := pack.PublishedPackFor(ctx, db, packQuarter().String()); err != nil || p != nil {
			t.Fatalf("a fresh quarter is already published (%v)", err)
		}
		built, err := pack.BuildPack(ctx, db, s, packQuarter(), today)
		if err != nil {
			t.Fatal(err)
		}
		var admin models.User
		db.Where("role = ?", models.RoleAdmin).First(&admin)
		if err := pack.PublishPack(ctx, db, built, admin, dbtest.Now()); err != nil {
			t.Fatal(err)
		}
		// A manager corrects a month of the quarter afterwards: baseline up by 1,000,000.00.
		var c models.CostRecord
		mid := s.Fiscal().Months(packQuarter())[1]
		db.Where("month = ? AND currency = ?", mid, s.Finance.ReportingCurrency).Order("id").First(&c)
		if c.ID == 0 {
			t.Fatalf("no cost record of %s in the demo", mid.Format("January 2006"))
		}
		edit := c
		edit.Baseline += 100_000_000
		if _, err := models.SaveCost(ctx, db, models.Actor{Settings: s, Today: today}, edit, c.Version); err != nil {
			t.Fatal(err)
		}
		draft, _ := pack.BuildPack(ctx, db, s, packQuarter(), today)
		if draft.Savings.Quarter != built.Savings.Quarter+100_000_000 {
			t.Fatalf("the live figure should move by 1,000,000.00: %d → %d", built.Savings.Quarter, draft.Savings.Quarter)
		}
		frozen, err := pack.PublishedPackFor(ctx, db, packQuarter().String())
		if err != nil || frozen == nil {
			t.Fatalf("published pack not found: %v", err)
		}
		if frozen.Savings.Quarter != built.Savings.Quarter || !frozen.Published || frozen.PublishedBy != admin.Name {
			t.Errorf("published pack moved or lost its stamp: %d vs %d, %v %q", frozen.Savings.Quarter, built.Savings.Quarter, frozen.Published, frozen.PublishedBy)
		}
		if err := pack.PublishPack(ctx, db, draft, admin, dbtest.Now()); err != models.ErrStale {
			t.Errorf("publishing twice: %v, want ErrStale", err)
		}
		var hist int64
		db.Model(&models.Change{}).Where("entity = ? AND action = ?", "pack", "publish").Count(&hist)
		if hist != 1 {
			t.Errorf("publish history rows: %d", hist)
		}
	})
}

// The pack's figures agree with hand sums over the same rows: savings in the
// quarter per engagement, SLA attainment and the breaches' credits.
func TestPackFiguresMatchTheRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := dbtest.Demo(t, "sqlite")
	s, _ := models.LoadSettings(ctx, db)
	q := packQuarter()
	months := s.Fiscal().Months(q)
	first, last := months[0], months[len(months)-1]
	built, err := pack.BuildPack(ctx, db, s, q, models.DateOf(dbtest.Now()))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range built.Engagements {
		var want struct{ Net, Plan int64 }
		db.Raw(`SELECT COALESCE(SUM(baseline - vendor_fees - retained + credits - one_off), 0) AS net,
			COALESCE(SUM(planned_savings), 0) AS plan FROM cost_records
			WHERE engagement_id = ? AND month BETWEEN ? AND ? AND savings_type = 'hard'`, e.ID, first, last).Scan(&want)
		if e.Savings.Quarter != want.Net || e.Savings.QuarterPlan != want.Plan {
			t.Errorf("%s: pack %d/%d, records %d/%d", e.Code, e.Savings.Quarter, e.Savings.QuarterPlan, want.Net, want.Plan)
		}
	}
	var met, measured int64
	db.Model(&models.SLAMeasurement{}).Where("month BETWEEN ? AND ?", first, last).Count(&measured)
	db.Model(&models.SLAMeasurement{}).Where("month BETWEEN ? AND ? AND met", first, last).Count(&met)
	if built.SLA.Met != met || built.SLA.Measured != measured || int64(len(built.SLA.Breaches)) != measured-met {
		t.Errorf("SLA: pack %d/%d with %d breaches; records %d/%d", built.SLA.Met, built.SLA.Measured, len(built.SLA.Breaches), met, measured)
	}
	if built.Quarter != q.String() || built.Previous != q.Prev().String() || built.Start != first || built.End != s.Fiscal().End(q) {
		t.Errorf("period: %s %s %s %s", built.Quarter, built.Previous, built.Start, built.End)
	}
}

// One engagement's pack, built from its own records only, has exactly its
// section of the portfolio pack, for every engagement of the quarter, on both
// databases; an engagement not live in the quarter has none.
func TestEngagementPackIsItsSectionOfThePortfolios(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		for _, q := range []models.Quarter{packQuarter(), packQuarter().Prev()} {
			whole, err := pack.BuildPack(ctx, db, s, q, today)
			if err != nil {
				t.Fatal(err)
			}
			withRisks, withTransfer := 0, 0
			for _, want := range whole.Engagements {
				one, err := pack.BuildEngagementPack(ctx, db, s, q, today, want.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(one.Engagements) != 1 {
					t.Fatalf("%s %s: %d engagements in its own pack", q, want.Code, len(one.Engagements))
				}
				if got := one.Engagements[0]; !reflect.DeepEqual(got, want) {
					t.Errorf("%s %s: its own pack's section differs from the portfolio's:\n own  %+v\n port %+v", q, want.Code, got, want)
				}
				if len(want.Risks) > 0 {
					withRisks++
				}
				if want.Transfer != nil {
					withTransfer++
				}
			}
			if withRisks == 0 || withTransfer == 0 {
				t.Errorf("%s: the comparison saw no risks (%d) or no transfers (%d)", q, withRisks, withTransfer)
			}
		}
		var later models.Engagement
		if err := db.Where("start_date > ?", today.String()).First(&later).Error; err == nil {
			one, err := pack.BuildEngagementPack(ctx, db, s, packQuarter(), today, later.ID)
			if err != nil || len(one.Engagements) != 0 {
				t.Errorf("an engagement starting after the quarter: %d engagements, %v", len(one.Engagements), err)
			}
		}
	})
}

// The pack's risk section is the register as at the quarter's end: its live
// risks counted by band and heat cell, its ten worst, and each engagement's
// five worst, in the register's order, with their engagement and owner.
func TestPackRisksAreTheRegisterAsAtQuarterEnd(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		built, err := pack.BuildPack(ctx, db, s, packQuarter(), today)
		if err != nil {
			t.Fatal(err)
		}
		live, err := register.RegisterAsAt(ctx, db, s.Risk, built.End, register.RiskFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var heat [5][5]int
		bands := map[string]int{}
		var top []string
		perEng := map[string][]string{}
		for _, k := range live {
			if models.ValidLevel(k.ResidualLikelihood) && models.ValidLevel(k.ResidualImpact) {
				heat[k.ResidualLikelihood-1][k.ResidualImpact-1]++
			}
			bands[s.Risk.Band(k.ResidualScore)]++
			owner := ""
			if k.Owner != nil {
				owner = k.Owner.Name
			}
			row := k.Ref + " " + owner
			if len(top) < 10 {
				top = append(top, row)
			}
			if k.Engagement != nil && len(perEng[k.Engagement.Code]) < 5 {
				perEng[k.Engagement.Code] = append(perEng[k.Engagement.Code], row)
			}
		}
		r := built.Risks
		// The acceptances expired by the quarter's end, judged risk by risk on the register of that day.
		var expired []string
		for _, k := range live {
			if k.AcceptanceExpired(built.End) {
				expired = append(expired, k.Ref)
			}
		}
		var gotExpired []string
		for _, x := range r.Expired {
			gotExpired = append(gotExpired, x.Ref)
		}
		if r.ExpiredCount != len(expired) || !reflect.DeepEqual(gotExpired, expired[:min(25, len(expired))]) {
			t.Errorf("pack: %d expired acceptances %v; register as at %s: %d %v", r.ExpiredCount, gotExpired, built.End, len(expired), expired)
		}
		// Every risk that moved in the quarter counts, however many the table lists.
		moved := 0
		if err := register.EachMove(ctx, db, built.Start.AddDays(-1), built.End, register.RiskFilter{}, func(register.RiskMove) error {
			moved++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if r.MovesCount != moved || len(r.Moves) != min(25, moved) {
			t.Errorf("pack: %d moves counted, %d listed; the register's movement: %d", r.MovesCount, len(r.Moves), moved)
		}
		var gotTop []string
		for _, x := range r.Top {
			gotTop = append(gotTop, x.Ref+" "+x.Owner)
		}
		if r.Open != len(live) || r.Heat != heat || !reflect.DeepEqual(r.Bands, bands) || !reflect.DeepEqual(gotTop, top) {
			t.Errorf("pack: %d open, heat %v, bands %v, top %v; register: %d, %v, %v, %v", r.Open, r.Heat, r.Bands, gotTop, len(live), heat, bands, top)
		}
		for _, e := range built.Engagements {
			var got []string
			for _, x := range e.Risks {
				got = append(got, x.Ref+" "+x.Owner)
			}
			if !reflect.DeepEqual(got, perEng[e.Code]) {
				t.Errorf("%s: pack %v, register %v", e.Code, got, perEng[e.Code])
			}
		}
	})
}

// The pack flags the accepted risks whose acceptance had expired by the
// quarter's end: one accepted then, whose expiry is made to fall before it.
func TestPackFlagsExpiredAcceptances(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		end := models.DefaultFiscal.End(packQuarter())
		live, err := register.RegisterAsAt(ctx, db, s.Risk, end, register.RiskFilter{Status: models.StatusAccepted})
		if err != nil {
			t.Fatal(err)
		}
		if len(live) == 0 {
			t.Skip("no risk of the demo was accepted at the quarter's end")
		}
		// Its acceptance expires ten days before the quarter's end: written directly, with no
		// change row, it reads as the value it has always had.
		if err := db.Exec("UPDATE risks SET accept_expiry = ? WHERE id = ?", end.AddDays(-10), live[0].ID).Error; err != nil {
			t.Fatal(err)
		}
		built, err := pack.BuildPack(ctx, db, s, packQuarter(), today)
		if err != nil {
			t.Fatal(err)
		}
		if r := built.Risks; r.ExpiredCount != 1 || len(r.Expired) != 1 || r.Expired[0].Ref != live[0].Ref {
			t.Errorf("pack flags %d expired acceptances %+v, want %s", r.ExpiredCount, r.Expired, live[0].Ref)
		}
	})
}

// The pack's portfolio savings (read from the monthly totals maintained on write) are the
// savings page's figures for the quarter, summed from the records.
func TestPackSavingsAreTheRecords(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		built, err := pack.BuildPack(ctx, db, s, packQuarter(), today)
		if err != nil {
			t.Fatal(err)
		}
		sums, err := models.SumCosts(ctx, db, models.CostScope{To: built.End})
		if err != nil {
			t.Fatal(err)
		}
		rates, _ := models.LoadRates(ctx, db, s.Finance.ReportingCurrency)
		fig := models.NewSavingsFigures(sums, rates, s.Fiscal(), packQuarter(), today)
		got := built.Savings
		want := []int64{fig.Quarter.Hard.Net.Minor(), fig.Quarter.Hard.Planned.Minor(), fig.YTD.Hard.Net.Minor(),
			fig.YTD.Hard.Planned.Minor(), fig.Quarter.Avoidance.Net.Minor(), fig.YTD.Avoidance.Net.Minor()}
		if have := []int64{got.Quarter, got.QuarterPlan, got.YTD, got.YTDPlan, got.AvoidQuarter, got.AvoidYTD}; !reflect.DeepEqual(have, want) || want[0] == 0 {
			t.Errorf("pack savings %v, from the records %v", have, want)
		}
		if len(got.Trend) != 5 {
			t.Errorf("trend of %d quarters, want 5", len(got.Trend))
		}
	})
}
