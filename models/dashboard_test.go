package models_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/register"
)

// The dashboard, read from the aggregate tables and the lists' indexes, says
// what plain queries over the base tables say: the same counts, sums, rates and
// rows, on the demo portfolio and after a year of writes has recoloured it.
func TestDashboardMatchesBaseTables(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ctx := context.Background()
			s, err := models.LoadSettings(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			today := models.DateOf(dbtest.Now())
			checkDashboard(t, db, s, today)
			// The portfolio as it would look in a year: other colours, other quarters.
			later := today.AddDays(400)
			if err := models.RefreshHealth(ctx, db, s, later); err != nil {
				t.Fatal(err)
			}
			checkDashboard(t, db, s, later)
		})
	}
}

func checkDashboard(t *testing.T, db *gorm.DB, s models.Settings, today models.Date) {
	t.Helper()
	ctx := context.Background()
	d, err := models.LoadDashboard(ctx, db, s, today)
	if err != nil {
		t.Fatal(err)
	}
	same := func(what string, got, want any) {
		t.Helper()
		if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", want); g != w {
			t.Errorf("%s on %s:\n got  %s\n want %s", what, today, g, w)
		}
	}
	if d.Active == 0 || len(d.TopRisks) == 0 || len(d.Attention) == 0 {
		t.Fatalf("an empty dashboard on %s: %d active, %d top risks, %d to attend to", today, d.Active, len(d.TopRisks), len(d.Attention))
	}

	var phases []models.Counted
	db.Table("engagements").Select("phase AS key, model, COUNT(*) AS count").Group("model, phase").Order("model, phase").Scan(&phases)
	same("engagements by model and phase", d.Phases, phases)
	var health []models.Counted
	db.Table("engagements").Select("health AS key, COUNT(*) AS count").Where("closed_on IS NULL").Group("health").Scan(&health)
	counts, active := map[string]int64{}, int64(0)
	for _, h := range health {
		counts[h.Key], active = h.Count, active+h.Count
	}
	same("engagements by health", d.HealthCounts, counts)
	same("active engagements", d.Active, active)

	f := s.Fiscal()
	rates, err := models.LoadRates(ctx, db, s.Finance.ReportingCurrency)
	if err != nil {
		t.Fatal(err)
	}
	var values []struct {
		Currency string
		Total    int64
	}
	db.Table("engagements").Select("currency, SUM(contract_value) AS total").Where("closed_on IS NULL").Group("currency").Order("currency").Scan(&values)
	var value models.Exact
	for _, v := range values {
		value.Add(v.Total, rates.LatestRate(v.Currency))
	}
	same("contract value", d.Value.Rat().RatString(), value.Rat().RatString())
	period := func(q models.Quarter) models.Split {
		sums, err := models.SumCosts(ctx, db, models.CostScope{From: f.Start(q), To: f.End(q)})
		if err != nil {
			t.Fatal(err)
		}
		return models.Sum(sums, rates)
	}
	ytdSums, err := models.SumCosts(ctx, db, models.CostScope{From: f.YearStart(d.Quarter.Year), To: f.End(d.Quarter)})
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2]models.Split{"quarter": {d.QuarterSav, period(d.Quarter)},
		"last quarter": {d.LastQSav, period(d.LastQuarter)}, "year to date": {d.YTDSav, models.Sum(ytdSums, rates)}} {
		for _, typ := range models.SavingsTypes {
			got, want := pair[0].Of(typ), pair[1].Of(typ)
			same(name+" "+typ+" net", got.Net.Rat().RatString(), want.Net.Rat().RatString())
			same(name+" "+typ+" plan", got.Planned.Rat().RatString(), want.Planned.Rat().RatString())
			same(name+" "+typ+" baseline", got.Baseline.Rat().RatString(), want.Baseline.Rat().RatString())
			same(name+" "+typ+" months", got.Months, want.Months)
		}
	}
	// The vendors' dependency converts the last 12 months at the dashboard's
	// own rate table (those months and each currency's latest) as the whole table would.
	dep, err := models.LoadDependency(ctx, db, rates, today)
	if err != nil {
		t.Fatal(err)
	}
	same("vendor dependency", dependencyRows(d.Dependency), dependencyRows(dep))
	same("rates used", d.Rates.Used(), rates.Used())

	var sla struct{ Met, Measured int64 }
	db.Table("sla_measurements").Select("COALESCE(SUM(CASE WHEN met THEN 1 ELSE 0 END), 0) AS met, COUNT(*) AS measured").
		Where("month BETWEEN ? AND ?", f.Start(d.LastQuarter), f.End(d.LastQuarter)).Scan(&sla)
	same("SLA results of the last quarter", [2]int64{d.SLAMet, d.SLAMeasured}, [2]int64{sla.Met, sla.Measured})
	heat, err := register.HeatCounts(ctx, db, "residual", register.RiskFilter{})
	if err != nil {
		t.Fatal(err)
	}
	same("heat map", d.Heat, heat)

	var top []models.Risk
	db.Preload("Engagement").Preload("Owner").Where("status <> ?", models.StatusClosed).
		Order("residual_score DESC, inherent_score DESC, next_review, id").Limit(8).Find(&top)
	same("top risks", riskRows(d.TopRisks), riskRows(top))
	// Most severe first: red before amber, more reasons before fewer, then by code.
	var attention []models.Engagement
	db.Where("closed_on IS NULL AND health IN ?", []string{models.Red, models.Amber}).Find(&attention)
	slices.SortFunc(attention, func(a, b models.Engagement) int {
		amber := func(e models.Engagement) int {
			if e.Health == models.Red {
				return 0
			}
			return 1
		}
		return cmp.Or(cmp.Compare(amber(a), amber(b)), cmp.Compare(len(b.Reasons()), len(a.Reasons())), cmp.Compare(a.Code, b.Code))
	})
	attention = attention[:min(10, len(attention))]
	same("engagements needing attention", engagementRows(d.Attention), engagementRows(attention))
	var bots []models.Engagement
	db.Where("model = ? AND actual_transfer IS NULL AND planned_transfer >= ? AND closed_on IS NULL", models.ModelBOT, today.AddDays(-90)).
		Order("planned_transfer").Limit(6).Find(&bots)
	var transfers, gotTransfers []string
	for _, e := range bots {
		var r struct{ Got, Total int }
		db.Table("readiness_items").Select("COALESCE(SUM(weight * status), 0) AS got, COALESCE(SUM(weight) * 2, 0) AS total").
			Where("engagement_id = ?", e.ID).Scan(&r)
		readiness := "no checklist"
		if r.Total > 0 {
			readiness = fmt.Sprintf("%.6f %%", 100*float64(r.Got)/float64(r.Total))
		}
		transfers = append(transfers, fmt.Sprintf("%d %q %s %s %s", e.ID, e.Name, e.Phase, e.PlannedTransfer, readiness))
	}
	for _, tr := range d.Transfers {
		e, readiness := tr.Engagement, "no checklist"
		if tr.HasReadiness {
			readiness = fmt.Sprintf("%.6f %%", tr.Readiness)
		}
		gotTransfers = append(gotTransfers, fmt.Sprintf("%d %q %s %s %s", e.ID, e.Name, e.Phase, e.PlannedTransfer, readiness))
	}
	same("upcoming transfers", gotTransfers, transfers)
	var milestones []models.Milestone
	db.Preload("Engagement").Where("actual IS NULL AND planned <= ?", today.AddDays(60)).Order("planned, id").Limit(10).Find(&milestones)
	same("milestones due", milestoneRows(d.Milestones), milestoneRows(milestones))
}

func dependencyRows(d *models.Dependency) (out []string) {
	for _, v := range d.Vendors {
		out = append(out, fmt.Sprintf("%d %s %s %d %v %d %d", v.VendorID, v.Name, v.Spend.Rat().RatString(), v.SpendShare, v.Provisional, v.Engagements, v.EngagementShare))
	}
	return append(out, fmt.Sprintf("%v %v %v", d.Towers, d.Locations, d.Provisional))
}

func riskRows(rs []models.Risk) (out []string) {
	for _, r := range rs {
		eng, owner := "portfolio-wide", "unassigned"
		if r.Engagement != nil {
			eng = fmt.Sprintf("%d %s", r.Engagement.ID, r.Engagement.Code)
		}
		if r.Owner != nil {
			owner = r.Owner.Name
		}
		out = append(out, fmt.Sprintf("%d %s %q %s %s %d %s %s", r.ID, r.Ref, r.Title, eng, r.Status, r.ResidualScore, r.NextReview, owner))
	}
	return out
}

func engagementRows(es []models.Engagement) (out []string) {
	for _, e := range es {
		out = append(out, fmt.Sprintf("%d %s %q %s %q", e.ID, e.Code, e.Name, e.Health, e.Reasons()))
	}
	return out
}

func milestoneRows(ms []models.Milestone) (out []string) {
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%d %q key=%v %s %s eng=%d %s", m.ID, m.Name, m.IsKey, m.Planned, m.Actual, m.Engagement.ID, m.Engagement.Code))
	}
	return out
}

// Every split of a dashboard card sums to its total: the active engagements
// by model and by health, the open risks by band (an ended engagement in the
// model split made "22 active — ITO 15 · BOT 9").
func TestDashboardSplitsSumToTheirTotals(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		var ended int64
		db.Model(&models.Engagement{}).Where("closed_on IS NOT NULL").Count(&ended)
		if ended == 0 {
			t.Fatal("the demo has no ended engagement: the test proves nothing")
		}
		d, err := models.LoadDashboard(ctx, db, s, today)
		if err != nil {
			t.Fatal(err)
		}
		sum := func(m map[string]int64) (n int64) {
			for _, v := range m {
				n += v
			}
			return n
		}
		if got := sum(d.ActiveByModel); got != d.Active {
			t.Errorf("active by model %v sums to %d, not the %d active", d.ActiveByModel, got, d.Active)
		}
		if got := sum(d.HealthCounts); got != d.Active {
			t.Errorf("active by health %v sums to %d, not the %d active", d.HealthCounts, got, d.Active)
		}
		if got := sum(d.Bands); got != d.OpenRisks {
			t.Errorf("open risks by band %v sum to %d, not %d", d.Bands, got, d.OpenRisks)
		}
		var live int64
		db.Model(&models.Engagement{}).Where("closed_on IS NULL").Count(&live)
		if d.Active != live {
			t.Errorf("%d active on the dashboard, %d engagements not ended", d.Active, live)
		}
	})
}

// The dashboard's red and amber list is read in the order of its index
// (migration 36) on both databases, not sorted from every red engagement:
// the query's expression must stay word for word the index's.
func TestAttentionListReadsItsIndex(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			query := db.ToSQL(func(tx *gorm.DB) *gorm.DB {
				return models.AttentionQuery(tx, models.Red, 10).Find(&[]models.Engagement{})
			})
			var plan []string
			err := db.Transaction(func(tx *gorm.DB) error {
				if kind == "sqlite" {
					var rows []struct {
						ID, Parent, Notused int
						Detail              string
					}
					err := tx.Raw("EXPLAIN QUERY PLAN " + query).Scan(&rows).Error
					for _, r := range rows {
						plan = append(plan, r.Detail)
					}
					return err
				}
				// The demo is small enough that PostgreSQL would rather scan:
				// forbid it, and a sort, to see whether the index serves the order.
				if err := tx.Exec("SET LOCAL enable_seqscan = off").Error; err != nil {
					return err
				}
				if err := tx.Exec("SET LOCAL enable_sort = off").Error; err != nil {
					return err
				}
				return tx.Raw("EXPLAIN " + query).Scan(&plan).Error
			})
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(plan, "\n")
			if !strings.Contains(got, "engagements_attention_order") || strings.Contains(got, "TEMP B-TREE") || strings.Contains(got, "Sort") {
				t.Errorf("the list is not read in the order of engagements_attention_order:\n%s", got)
			}
		})
	}
}
