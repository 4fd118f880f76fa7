package pack_test

import (
	"context"
	"errors"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/pack"
)

// The trends cover the eight quarters up to the pack's, and their last
// quarter is the pack's own figures: savings, service levels, the register
// at the quarter's end by band, and each BOT engagement's readiness. The
// demo's checklists were prepared over time, so readiness moves. An edit
// made today changes none of it.
func TestPackTrends(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		q := packQuarter()
		p, err := pack.BuildPack(ctx, db, s, q, today)
		if err != nil {
			t.Fatal(err)
		}
		tr := p.Trends
		if tr == nil || len(tr.Quarters) != pack.TrendQuarters {
			t.Fatalf("trends: %+v", tr)
		}
		last := len(tr.Quarters) - 1
		if tr.Quarters[last] != q.String() || tr.Quarters[0] != q.Prev().Prev().Prev().Prev().Prev().Prev().Prev().String() {
			t.Errorf("the trends run %s to %s, want the eight quarters up to %s", tr.Quarters[0], tr.Quarters[last], q)
		}
		if h := tr.Hard[last]; h.Net != p.Savings.Quarter || h.Planned != p.Savings.QuarterPlan {
			t.Errorf("the trend's last hard savings %+v differ from the pack's %d of %d", h, p.Savings.Quarter, p.Savings.QuarterPlan)
		}
		if tr.Avoidance[last].Net != p.Savings.AvoidQuarter {
			t.Errorf("the trend's last cost avoidance %d differs from the pack's %d", tr.Avoidance[last].Net, p.Savings.AvoidQuarter)
		}
		for _, st := range p.Savings.Trend { // the savings section's five quarters are the same figures
			for i, tq := range tr.Quarters {
				if tq == st.Quarter && (tr.Hard[i].Net != st.Net || tr.Hard[i].Planned != st.Planned) {
					t.Errorf("%s: trend %+v, savings section %+v", tq, tr.Hard[i], st)
				}
			}
		}
		if m := tr.SLA[last]; m.Met != p.SLA.Met || m.Measured != p.SLA.Measured {
			t.Errorf("the trend's last SLA %+v differs from the pack's %d of %d", m, p.SLA.Met, p.SLA.Measured)
		}
		bands := map[string]int{}
		for b, n := range p.Risks.Bands {
			if n > 0 {
				bands[b] = n
			}
		}
		if !reflect.DeepEqual(tr.Bands[last], bands) {
			t.Errorf("open risks by band at the quarter's end: trend %v, register section %v", tr.Bands[last], bands)
		}
		if reflect.DeepEqual(tr.Bands[0], tr.Bands[last]) {
			t.Errorf("the register's bands did not move in eight quarters: %v", tr.Bands)
		}
		readiness := map[string]pack.PackTransfer{}
		for _, x := range p.Transfers {
			readiness[x.Engagement] = x
		}
		moved := false
		for _, r := range tr.Readiness {
			x := readiness[r.Engagement]
			if r.Has[last] != x.HasReadiness || r.Values[last] != x.Readiness {
				t.Errorf("%s: readiness at the quarter's end %v (%v) in the trend, %v (%v) in the transfers", r.Engagement, r.Values[last], r.Has[last], x.Readiness, x.HasReadiness)
			}
			for i := range r.Values {
				moved = moved || r.Has[i] && r.Values[i] != r.Values[last]
			}
		}
		if len(tr.Readiness) == 0 || !moved {
			t.Errorf("no BOT engagement's readiness moved over the eight quarters: %+v", tr.Readiness)
		}

		// Today a checklist item is done and a risk escalated: the trends stay.
		var item models.ReadinessItem
		db.Where("status <> ?", models.ReadinessDone).Order("id").First(&item)
		next := item
		next.Status = models.ReadinessDone
		act := models.Actor{At: dbtest.Now(), Settings: s}
		if _, err := models.UpdateReadinessItem(ctx, db, act, item.ID, item.Version, next); err != nil {
			t.Fatal(err)
		}
		var r models.Risk
		db.Where("status = ? AND residual_score < 20", models.StatusOpen).Order("id").First(&r)
		r.ResidualLikelihood, r.ResidualImpact, r.InherentLikelihood, r.InherentImpact = 5, 5, 5, 5
		if _, err := models.UpdateRisk(ctx, db, act, &r); err != nil {
			t.Fatal(err)
		}
		after, err := pack.BuildPack(ctx, db, s, q, today)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(after.Trends, tr) {
			t.Errorf("an edit made after the quarter moved its trends:\nbefore %+v\nafter  %+v", tr, after.Trends)
		}
		// An engagement's own pack has no portfolio trends.
		if one, err := pack.BuildEngagementPack(ctx, db, s, q, today, p.Engagements[0].ID); err != nil || one.Trends != nil {
			t.Errorf("an engagement's pack has trends (%v)", err)
		}
	})
}

// Readiness as at several days replays each item's history: before its
// first status change an item has that change's old status, after its last
// one its current status, and an item made after a day is not in it.
func TestReadinessAsAtEachReplaysHistory(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		var first, last models.Change
		db.Where("entity = ? AND field = ?", models.EntityReadinessItem, "status").Order("at, id").First(&first)
		if first.ID == 0 {
			t.Fatal("the demo's checklists have no history")
		}
		var item models.ReadinessItem
		db.First(&item, first.EntityID)
		db.Where("entity = ? AND entity_id = ? AND field = ?", models.EntityReadinessItem, item.ID, "status").Order("at DESC, id DESC").First(&last)
		before, after := models.DateOf(first.At).AddDays(-1), models.DateOf(last.At)
		each, err := models.ReadinessAsAtEach(ctx, db, []models.Date{before, after, today}, 0)
		if err != nil {
			t.Fatal(err)
		}
		status := func(items []models.ReadinessItem) (int, bool) {
			for _, it := range items {
				if it.ID == item.ID {
					return it.Status, true
				}
			}
			return 0, false
		}
		if st, ok := status(each[0]); models.DateOf(item.CreatedAt).After(before) {
			if ok {
				t.Errorf("item %d, made on %s, is in the checklist as at %s", item.ID, models.DateOf(item.CreatedAt), before)
			}
		} else if !ok || models.ReadinessStatusLabel(st) != first.Old {
			t.Errorf("item %d as at %s: %v (%v), want %q, its first change's old status", item.ID, before, st, ok, first.Old)
		}
		if st, ok := status(each[1]); !ok || models.ReadinessStatusLabel(st) != last.New {
			t.Errorf("item %d as at %s: %v (%v), want %q, its last change's new status", item.ID, after, st, ok, last.New)
		}
		if st, ok := status(each[2]); !ok || st != item.Status {
			t.Errorf("item %d today: %v (%v), want its stored status %d", item.ID, st, ok, item.Status)
		}
		one, err := models.ReadinessAsAt(ctx, db, before, 0)
		if err != nil || !reflect.DeepEqual(one, each[0]) {
			t.Errorf("one day read alone differs from the same day among three (%v)", err)
		}
	})
}

// The year-on-year comparison names the engagements that moved the
// quarter's hard savings most, largest first, and its parts sum to the
// change; the key facts say how much of it the plan foresaw.
func TestPackYearOnYear(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		q := packQuarter()
		p, err := pack.BuildPack(ctx, db, s, q, today)
		if err != nil {
			t.Fatal(err)
		}
		y := p.YearOnYear
		yearAgo := q.Prev().Prev().Prev().Prev()
		if y == nil || y.Prior != yearAgo.String() || len(y.Movers) != 3 {
			t.Fatalf("year on year: %+v", y)
		}
		if y.Net != p.Savings.Quarter || y.Plan != p.Savings.QuarterPlan {
			t.Errorf("this quarter's figures %d of %d, the pack's %d of %d", y.Net, y.Plan, p.Savings.Quarter, p.Savings.QuarterPlan)
		}
		change, plan := y.Others, y.OthersPlan
		for i, m := range y.Movers {
			change += m.Change
			plan += m.PlanChange
			if i > 0 && abs(m.Change) > abs(y.Movers[i-1].Change) {
				t.Errorf("movers out of order: %+v", y.Movers)
			}
		}
		if change != y.Net-y.PriorNet || plan != y.Plan-y.PriorPlan {
			t.Errorf("the parts sum to %d (plan %d), the change is %d (plan %d)", change, plan, y.Net-y.PriorNet, y.Plan-y.PriorPlan)
		}
		// The other engagements' change, summed from their own records.
		movers := map[string]bool{}
		for _, m := range y.Movers {
			movers[m.Engagement] = true
		}
		rates, _ := models.LoadRates(ctx, db, s.Finance.ReportingCurrency)
		f := s.Fiscal()
		per := map[uint][2][]models.CostSums{}
		if err := pack.EachCostSum(ctx, db, f.Start(yearAgo), f.End(q), 0, func(r pack.EngagementCostSums) error {
			x := per[r.EngagementID]
			switch f.QuarterOf(r.Month) {
			case q:
				x[0] = append(x[0], r.CostSums)
			case yearAgo:
				x[1] = append(x[1], r.CostSums)
			}
			per[r.EngagementID] = x
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		var others int64
		for id, x := range per {
			var e models.Engagement
			db.First(&e, id)
			if !movers[e.Code+" "+e.Name] {
				others += models.Sum(x[0], rates).Hard.Net.Minor() - models.Sum(x[1], rates).Hard.Net.Minor()
			}
		}
		if d := others - y.Others; d > int64(len(per)) || d < -int64(len(per)) {
			t.Errorf("the other engagements changed by %d, the pack says %d", others, y.Others)
		}
		// The same quarter a year before, from the records.
		sums, err := models.PortfolioCostSums(ctx, db, f.Start(yearAgo), f.End(yearAgo))
		if err != nil {
			t.Fatal(err)
		}
		if want := models.Sum(sums, rates).Hard.Net.Minor(); y.PriorNet != want {
			t.Errorf("%s's hard savings %d, the records say %d", yearAgo, y.PriorNet, want)
		}
		facts := strings.Join(p.KeyFacts(), "\n")
		units := func(v int64) int64 { return models.RoundHalfEven(big.NewRat(v, 100)) }
		money := func(v int64) string {
			return strings.Replace(models.Money{Minor: units(v) * 100, Currency: p.Currency}.Whole(), "−", "−\u2060", 1)
		}
		for _, want := range []string{
			"Hard savings in " + q.String() + " were " + money(y.Net) + " against " + money(y.PriorNet) + " in " + yearAgo.String(),
			"of the change was planned (the plan moved from " + money(y.PriorPlan) + " to " + money(y.Plan) + ")",
			"The largest changes against " + yearAgo.String() + ": " + y.Movers[0].Engagement,
		} {
			if !strings.Contains(facts, want) {
				t.Errorf("the key facts lack %q:\n%s", want, facts)
			}
		}
	})
}

func abs(v int64) int64 { return max(v, -v) }

// The portfolio commentary prints on the pack, a message or an ask a line,
// is frozen with it on publishing, and cannot change after.
func TestPackPortfolioCommentary(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, s models.Settings, today models.Date) {
		q := packQuarter()
		var admin models.User
		db.Where("role = ?", models.RoleAdmin).First(&admin)
		c, err := models.SavePortfolioCommentary(ctx, db, &admin.ID, dbtest.Now(), q.String(), models.PortfolioCommentary{
			KeyMessages: "- Savings on plan year to date.\n\n• Two transfers prepared.\n-5 % run-rate on the service desk",
			Asks:        "Approve the Kraków transfer date."}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.SavePortfolioCommentary(ctx, db, &admin.ID, dbtest.Now(), q.String(), models.PortfolioCommentary{KeyMessages: "stale"}, 0); !errors.Is(err, models.ErrStale) {
			t.Errorf("a second first commentary: %v, want ErrStale", err)
		}
		p, err := pack.BuildPack(ctx, db, s, q, today)
		if err != nil {
			t.Fatal(err)
		}
		want := &pack.PackCommentary{KeyMessages: []string{"Savings on plan year to date.", "Two transfers prepared.", "-5 % run-rate on the service desk"},
			Asks: []string{"Approve the Kraków transfer date."}}
		if !reflect.DeepEqual(p.Commentary, want) {
			t.Errorf("the pack's commentary %+v, want %+v", p.Commentary, want)
		}
		var history int64
		db.Model(&models.Change{}).Where("entity = ? AND entity_id = ?", "portfolio_commentary", c.ID).Count(&history)
		if history == 0 {
			t.Error("the commentary left no history")
		}
		if err := pack.PublishPack(ctx, db, p, admin, dbtest.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := models.SavePortfolioCommentary(ctx, db, &admin.ID, dbtest.Now(), q.String(), models.PortfolioCommentary{KeyMessages: "later"}, c.Version); !errors.Is(err, models.ErrQuarterPublished) {
			t.Errorf("a change after publishing: %v, want ErrQuarterPublished", err)
		}
		frozen, err := pack.PublishedPackFor(ctx, db, q.String())
		if err != nil || frozen == nil || !reflect.DeepEqual(frozen.Commentary, want) || frozen.Trends == nil || frozen.YearOnYear == nil {
			t.Errorf("the published pack lost its commentary, trends or comparison (%v)", err)
		}
	})
}
