package models_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
)

// aggFixture is what the writers below need from the demo portfolio.
type aggFixture struct {
	db       *gorm.DB
	s        models.Settings
	today    models.Date
	admin    uint
	manager  uint
	vendor   uint
	ito, bot models.Engagement // an active ITO contract with service levels, an active BOT programme
}

func newAggFixture(t *testing.T, kind string) *aggFixture {
	t.Helper()
	db := dbtest.Demo(t, kind)
	ctx := context.Background()
	f := &aggFixture{db: db, today: models.DateOf(dbtest.Now())}
	var err error
	if f.s, err = models.LoadSettings(ctx, db); err != nil {
		t.Fatal(err)
	}
	var admin, manager models.User
	if err := db.Where("role = ?", models.RoleAdmin).Order("id").First(&admin).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Where("role = ?", models.RoleManager).Order("id").First(&manager).Error; err != nil {
		t.Fatal(err)
	}
	f.admin, f.manager = admin.ID, manager.ID
	if err := db.Where("model = ? AND closed_on IS NULL AND id IN (SELECT engagement_id FROM service_levels WHERE NOT archived)", models.ModelITO).
		Order("id").First(&f.ito).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Where("model = ? AND closed_on IS NULL AND actual_transfer IS NULL", models.ModelBOT).Order("id").First(&f.bot).Error; err != nil {
		t.Fatal(err)
	}
	f.vendor = f.ito.VendorID
	return f
}

func (f *aggFixture) reload(t *testing.T, e *models.Engagement) {
	t.Helper()
	if err := f.db.First(e, e.ID).Error; err != nil {
		t.Fatal(err)
	}
}

// The aggregates agree with the base tables after every kind of write: seeded,
// then through each writer of cost records, SLA results, risks and engagements,
// and the health refresh.
func TestAggregatesFollowEveryWriter(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			f := newAggFixture(t, kind)
			ctx := context.Background()
			db := f.db
			dbtest.NoDrift(t, db, "the demo seed")
			var before int64
			db.Table("cost_month_totals").Count(&before)
			if before == 0 {
				t.Fatal("the seeded portfolio has no cost totals")
			}

			// Cost records: a new month, an edit that moves it to the other savings type, an import.
			cw := models.Actor{Settings: f.s, Today: f.today, UserID: &f.manager}
			month := f.today.MonthStart() // the demo records every month before this one
			rec, err := models.SaveCost(ctx, db, cw, models.CostRecord{EngagementID: f.ito.ID, Month: month,
				Baseline: 500_000, VendorFees: 300_000, Retained: 40_000, OneOff: 10_000, Credits: 2_000, PlannedSavings: 90_000, SavingsType: models.SavingsHard}, 0)
			if err != nil {
				t.Fatal(err)
			}
			dbtest.NoDrift(t, db, "a new cost month")
			edit := rec
			edit.Baseline, edit.SavingsType = 650_000, models.SavingsAvoidance
			if _, err = models.SaveCost(ctx, db, cw, edit, rec.Version); err != nil {
				t.Fatal(err)
			}
			dbtest.NoDrift(t, db, "a cost edit that changes the savings type")
			var stored models.CostRecord
			if err := db.Where("engagement_id = ? AND month < ?", f.ito.ID, month).Order("month DESC").First(&stored).Error; err != nil {
				t.Fatal(err)
			}
			changed := stored
			changed.VendorFees += 12_345
			err = db.Transaction(func(tx *gorm.DB) error {
				return models.ImportCosts(ctx, tx, cw, []models.CostImportRow{
					{New: changed, Old: stored},
					{New: models.CostRecord{EngagementID: f.ito.ID, Month: month.AddDays(31), Currency: f.ito.Currency,
						Baseline: 100, VendorFees: 50, SavingsType: models.SavingsHard}},
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			dbtest.NoDrift(t, db, "a cost import")

			// SLA results: a new month, then a change from met to missed.
			var slas []models.ServiceLevel
			if err := db.Where("engagement_id = ? AND NOT archived", f.ito.ID).Find(&slas).Error; err != nil || len(slas) == 0 {
				t.Fatalf("service levels of %s: %v", f.ito.Code, err)
			}
			sla := slas[0]
			good, bad := sla.Target+1, sla.Target-1
			if sla.Direction != models.HigherIsBetter {
				good, bad = bad, good
			}
			dw := models.Actor{Settings: f.s, Today: f.today, UserID: &f.manager}
			if _, err := models.RecordSLAMonth(ctx, db, dw, f.ito.ID, month, []models.SLAResult{{SLAID: sla.ID, Actual: good}}); err != nil {
				t.Fatal(err)
			}
			dbtest.NoDrift(t, db, "a month of SLA results")
			var m models.SLAMeasurement
			if err := db.Where("service_level_id = ? AND month = ?", sla.ID, month).First(&m).Error; err != nil {
				t.Fatal(err)
			}
			if _, err := models.RecordSLAMonth(ctx, db, dw, f.ito.ID, month, []models.SLAResult{{SLAID: sla.ID, Actual: bad, Version: m.Version}}); err != nil {
				t.Fatal(err)
			}
			dbtest.NoDrift(t, db, "an SLA result changed from met to missed")

			// Risks: create, edit the levels, the quick actions, an import.
			act := models.Actor{UserID: &f.manager, At: dbtest.Now(), Settings: f.s}
			r := &models.Risk{EngagementID: &f.ito.ID, Title: "Aggregates", Category: models.RiskCategories[0],
				InherentLikelihood: 4, InherentImpact: 5, ResidualLikelihood: 3, ResidualImpact: 4, Response: "reduce", Status: models.StatusOpen}
			if err := models.CreateRisk(ctx, db, act, r); err != nil {
				t.Fatal(err)
			}
			dbtest.NoDrift(t, db, "a new risk")
			r.ResidualLikelihood, r.InherentImpact = 5, 4
			if _, err := models.UpdateRisk(ctx, db, act, r); err != nil {
				t.Fatal(err)
			}
			dbtest.NoDrift(t, db, "a risk whose levels changed")
			cur, err := models.CloseRisk(ctx, db, act, r.ID, r.Version, f.today, "Done")
			if err != nil {
				t.Fatal(err)
			}
			dbtest.NoDrift(t, db, "a closed risk")
			if cur, err = models.SetRiskStatus(ctx, db, act, r.ID, cur.Version, models.StatusMitigating); err != nil {
				t.Fatal(err)
			}
			dbtest.NoDrift(t, db, "a reopened risk")
			if cur, err = models.AcceptRisk(ctx, db, act, r.ID, cur.Version, "Board", "Cheaper to live with", f.today.AddDays(90)); err != nil {
				t.Fatal(err)
			}
			if _, err = models.ReviewRisk(ctx, db, act, r.ID, cur.Version); err != nil {
				t.Fatal(err)
			}
			dbtest.NoDrift(t, db, "an accepted and reviewed risk")
			var live models.Risk
			if err := db.Where("status <> ? AND engagement_id = ? AND id <> ?", models.StatusClosed, f.ito.ID, r.ID).First(&live).Error; err != nil {
				t.Fatal(err)
			}
			live.Status, live.ClosedOn, live.ClosedReason = models.StatusClosed, f.today, "Imported as closed"
			err = db.Transaction(func(tx *gorm.DB) error {
				return models.ImportRisks(ctx, tx, act, []*models.Risk{&live, {EngagementID: &f.bot.ID, Title: "Imported", Category: models.RiskCategories[1],
					InherentLikelihood: 2, InherentImpact: 2, ResidualLikelihood: 1, ResidualImpact: 2, Response: "accept", Status: models.StatusOpen}})
			})
			if err != nil {
				t.Fatal(err)
			}
			dbtest.NoDrift(t, db, "a risk import")

			// Engagements: create, edit, move, close, reopen.
			ew := models.Actor{Settings: f.s, Today: f.today, UserID: &f.admin}
			e := &models.Engagement{Code: "AGG-1", Name: "Aggregates", Model: models.ModelBOT, Tower: models.Towers[0], VendorID: f.vendor,
				Phase: "Build", Currency: "GBP", ContractValue: 7_000_000, StartDate: f.today, PlannedTransfer: f.today.AddDays(40)}
			if err := models.CreateEngagement(ctx, db, ew, e, nil); err != nil {
				t.Fatal(err)
			}
			dbtest.NoDrift(t, db, "a new engagement")
			f.reload(t, e)
			in := *e
			in.Model, in.Phase, in.Currency, in.ContractValue = models.ModelITO, "Transition", "CHF", 9_000_000
			if err := models.UpdateEngagement(ctx, db, ew, e.ID, e.Version, in, nil); err == nil {
				t.Fatal("a BOT engagement in its Build phase became an ITO contract")
			}
			in.Model = models.ModelBOT
			if err := models.UpdateEngagement(ctx, db, ew, e.ID, e.Version, in, nil); err != nil {
				t.Fatal(err)
			}
			dbtest.NoDrift(t, db, "an engagement's currency and value changed")
			// An ITO contract moved to another vendor: its months of spend move with it.
			moved := f.ito
			f.reload(t, &moved)
			next := moved
			if err := db.Model(&models.Vendor{}).Where("id <> ?", moved.VendorID).Order("id").Limit(1).Pluck("id", &next.VendorID).Error; err != nil {
				t.Fatal(err)
			}
			if err := models.UpdateEngagement(ctx, db, ew, moved.ID, moved.Version, next, nil); err != nil {
				t.Fatal(err)
			}
			var spendMoved int64
			db.Table("vendor_month_totals").Where("vendor_id = ?", next.VendorID).Select("COALESCE(SUM(records), 0)").Scan(&spendMoved)
			if spendMoved == 0 {
				t.Fatal("the moved contract's spend is nowhere under its new vendor")
			}
			dbtest.NoDrift(t, db, "an engagement moved to another vendor")
			f.reload(t, e)
			if err := models.MovePhase(ctx, db, ew, e.ID, e.Version, "Operate", f.today); err != nil {
				t.Fatal(err)
			}
			dbtest.NoDrift(t, db, "a phase move")
			ito := f.ito
			f.reload(t, &ito)
			if err := models.CloseEngagement(ctx, db, ew, ito.ID, ito.Version, f.today); err != nil {
				t.Fatal(err)
			}
			dbtest.NoDrift(t, db, "a closed engagement")
			f.reload(t, &ito)
			if err := models.ReopenEngagement(ctx, db, ew, ito.ID, ito.Version); err != nil {
				t.Fatal(err)
			}
			dbtest.NoDrift(t, db, "a reopened engagement")

			// Time passes: reviews fall overdue and the refresh recolours engagements.
			// Small batches: the refresh commits in several.
			var healthBefore []models.EngagementTotal
			healthBefore, _ = models.EngagementTotals(ctx, db)
			restore := models.SetRefreshBatch(7)
			err = models.RefreshHealth(ctx, db, f.s, f.today.AddDays(400))
			restore()
			if err != nil {
				t.Fatal(err)
			}
			var stale int64
			db.Model(&models.Engagement{}).Where("health_on <> ?", f.today.AddDays(400)).Count(&stale)
			if stale > 0 {
				t.Errorf("%d engagements were left out of the refresh", stale)
			}
			dbtest.NoDrift(t, db, "a refresh of every engagement a year later")
			after, _ := models.EngagementTotals(ctx, db)
			if fmt.Sprint(after) == fmt.Sprint(healthBefore) {
				t.Error("a year later the refresh recoloured no engagement: the test proves nothing about it")
			}

			// A rebuild leaves the tables as the writers kept them.
			if err := models.RebuildAggregates(ctx, db); err != nil {
				t.Fatal(err)
			}
			dbtest.NoDrift(t, db, "a rebuild")
		})
	}
}

// The drift check notices a wrong aggregate (so a writer that forgot one fails the test above).
func TestAggregateDriftIsNoticed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		if err := db.Exec("INSERT INTO risk_cells (status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact, n) VALUES ('open', '', 5, 5, 2, 3, 1)").Error; err != nil {
			t.Fatal(err)
		}
		drift, err := models.AggregateDrift(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		if len(drift) != 1 {
			t.Fatalf("drift = %q, want the one stray cell", drift)
		}
	})
}

// Several writers at once (goroutines, as several app instances would be)
// leave every aggregate exact: increments are made by the database, in each
// writer's transaction, never from a value read earlier; and they never
// deadlock on the aggregate rows (PostgreSQL would fail one of them).
func TestAggregatesUnderConcurrentWriters(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			f := newAggFixture(t, kind)
			ctx := context.Background()
			var engs []models.Engagement
			if err := f.db.Where("closed_on IS NULL").Order("id").Limit(4).Find(&engs).Error; err != nil || len(engs) < 2 {
				t.Fatalf("engagements: %v", err)
			}
			const writers, each = 6, 8
			var wg sync.WaitGroup
			errs := make(chan error, writers*each*2+16)
			for w := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					e := engs[w%len(engs)]
					cw := models.Actor{Settings: f.s, Today: f.today, UserID: &f.manager}
					act := models.Actor{UserID: &f.manager, At: dbtest.Now(), Settings: f.s}
					for i := range each {
						// Same months for every writer, a year ahead of the demo's: they all add to the same rows of cost_month_totals.
						month := models.D(f.today.Year()+1, f.today.Month()+time.Month(i%3), 1)
						in := models.CostRecord{EngagementID: e.ID, Month: month,
							Baseline: int64(1000 * (w + 1)), VendorFees: int64(100 * i), PlannedSavings: 7, SavingsType: models.SavingsHard}
						_, err := models.SaveCost(ctx, f.db, cw, in, 0)
						var recorded *models.MonthRecordedError
						if errors.As(err, &recorded) { // another writer recorded it first: edit theirs
							var held models.CostRecord
							if err = f.db.First(&held, recorded.ID).Error; err == nil {
								in.ID = held.ID
								_, err = models.SaveCost(ctx, f.db, cw, in, held.Version)
							}
						}
						if err != nil && !errors.Is(err, models.ErrStale) {
							errs <- fmt.Errorf("cost: %w", err)
						}
						r := &models.Risk{EngagementID: &e.ID, Title: fmt.Sprintf("Concurrent %d-%d", w, i), Category: models.RiskCategories[2],
							InherentLikelihood: 1 + i%5, InherentImpact: 1 + w%5, ResidualLikelihood: 1 + (i+w)%5, ResidualImpact: 3, Response: "reduce", Status: models.StatusOpen}
						if err := models.CreateRisk(ctx, f.db, act, r); err != nil {
							errs <- fmt.Errorf("risk: %w", err)
							continue
						}
						if i%2 == 0 {
							if _, err := models.CloseRisk(ctx, f.db, act, r.ID, r.Version, f.today, "Gone"); err != nil {
								errs <- fmt.Errorf("close: %w", err)
							}
						}
					}
				}()
			}
			// Meanwhile engagements are closed and reopened, and the whole
			// portfolio's health is refreshed as days pass (the hourly refresh).
			wg.Add(2)
			go func() {
				defer wg.Done()
				ew := models.Actor{Settings: f.s, Today: f.today, UserID: &f.admin}
				for i := range 6 {
					var e models.Engagement
					if err := f.db.First(&e, engs[1].ID).Error; err != nil {
						errs <- err
						return
					}
					var err error
					if i%2 == 0 {
						err = models.CloseEngagement(ctx, f.db, ew, e.ID, e.Version, f.today)
					} else {
						err = models.ReopenEngagement(ctx, f.db, ew, e.ID, e.Version)
					}
					if err != nil && !errors.Is(err, models.ErrStale) {
						errs <- fmt.Errorf("close or reopen: %w", err)
					}
				}
			}()
			go func() {
				defer wg.Done()
				for i := range 4 {
					if err := models.RefreshHealth(ctx, f.db, f.s, f.today.AddDays(400*(i%2))); err != nil {
						errs <- fmt.Errorf("refresh: %w", err)
					}
				}
			}()
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			dbtest.NoDrift(t, f.db, "concurrent writers")
			var n int64
			f.db.Model(&models.Risk{}).Where("title LIKE ?", "Concurrent %").Count(&n)
			if n != writers*each {
				t.Errorf("%d concurrent risks stored, want %d", n, writers*each)
			}
		})
	}
}

// The portfolio's monthly cost totals, maintained on write, give what summing
// the records gives, open-ended or between months (the savings page reads the
// former for the whole portfolio).
func TestPortfolioCostSumsEqualSumCosts(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			db := dbtest.Demo(t, kind)
			fy := models.DefaultFiscal
			q := fy.LastComplete(dbtest.Today()) // the demo's months run to the month before today's
			for _, span := range [][2]models.Date{{{}, {}}, {{}, fy.End(q)}, {fy.Start(q.Prev().Prev()), fy.End(q.Prev())}} {
				totals, err := models.PortfolioCostSums(ctx, db, span[0], span[1])
				if err != nil {
					t.Fatal(err)
				}
				summed, err := models.SumCosts(ctx, db, models.CostScope{From: span[0], To: span[1]})
				if err != nil {
					t.Fatal(err)
				}
				if len(summed) == 0 || !reflect.DeepEqual(totals, summed) {
					t.Errorf("%s–%s: maintained totals %d rows, summed records %d rows", span[0], span[1], len(totals), len(summed))
				}
			}
		})
	}
}
