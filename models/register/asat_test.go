package register_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/register"
)

// asatFixture is a small register written through the write functions, each
// change at a known instant, so that the past can be checked exactly.
type asatFixture struct {
	db         *gorm.DB
	s          models.Settings
	user       models.User
	eng        models.Engagement
	r1, r2, r3 models.Risk
}

func at(y int, m time.Month, d, h, min, sec int) time.Time {
	return time.Date(y, m, d, h, min, sec, 0, time.UTC)
}

func (f *asatFixture) act(t time.Time) models.Actor {
	return models.Actor{UserID: &f.user.ID, At: t, Settings: f.s}
}

func newAsatFixture(t *testing.T, db *gorm.DB) *asatFixture {
	t.Helper()
	ctx := context.Background()
	f := &asatFixture{db: db, s: models.DefaultSettings()}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	f.user = models.User{Name: "Mo Manager", Email: "mo@example.com", Role: models.RoleManager}
	must(db.Create(&f.user).Error)
	v := models.Vendor{Name: "Acme Outsourcing", Version: 1}
	must(db.Create(&v).Error)
	f.eng = models.Engagement{Code: "ENGA", Name: "Service desk", Model: models.ModelITO, Tower: models.Towers[2],
		VendorID: v.ID, Phase: "Run", Currency: "USD", Health: models.Green, Version: 1}
	must(db.Create(&f.eng).Error)

	// 10 Jan: R1 raised, residual 3×3 = 9 (Medium).
	f.r1 = models.Risk{EngagementID: &f.eng.ID, Title: "Key people leave", Category: models.RiskCategories[8],
		InherentLikelihood: 4, InherentImpact: 4, ResidualLikelihood: 3, ResidualImpact: 3, Response: "reduce",
		Status: models.StatusOpen, RaisedOn: models.D(2026, 1, 10)}
	must(models.CreateRisk(ctx, db, f.act(at(2026, 1, 10, 10, 0, 0)), &f.r1))
	// 15 Feb: R2 raised, residual 2×2 = 4, mitigating.
	f.r2 = models.Risk{EngagementID: &f.eng.ID, Title: "Vendor lock-in on tooling", Category: models.RiskCategories[5],
		InherentLikelihood: 3, InherentImpact: 3, ResidualLikelihood: 2, ResidualImpact: 2, Response: "reduce",
		Status: models.StatusMitigating, RaisedOn: models.D(2026, 2, 15)}
	must(models.CreateRisk(ctx, db, f.act(at(2026, 2, 15, 9, 30, 0)), &f.r2))
	// 20 Mar: R1 escalates to 4×4 = 16 and is retitled.
	e := f.r1
	e.ResidualLikelihood, e.ResidualImpact, e.Title = 4, 4, "Key people leave during transition"
	_, err := models.UpdateRisk(ctx, db, f.act(at(2026, 3, 20, 14, 0, 0)), &e)
	must(err)
	f.r1 = e
	// 31 Mar, one second before midnight: R2 gets an owner.
	e = f.r2
	e.OwnerID = &f.user.ID
	_, err = models.UpdateRisk(ctx, db, f.act(at(2026, 3, 31, 23, 59, 59)), &e)
	must(err)
	// 1 Apr at midnight: R2 closed.
	f.r2, err = models.CloseRisk(ctx, db, f.act(at(2026, 4, 1, 0, 0, 0)), f.r2.ID, e.Version, models.D(2026, 4, 1), "Tooling replaced by open formats")
	must(err)
	// 5 May: R3, portfolio-wide.
	f.r3 = models.Risk{Title: "Regulation on offshore data", Category: models.RiskCategories[6],
		InherentLikelihood: 3, InherentImpact: 5, ResidualLikelihood: 2, ResidualImpact: 5, Response: "avoid",
		Status: models.StatusOpen, RaisedOn: models.D(2026, 5, 5)}
	must(models.CreateRisk(ctx, db, f.act(at(2026, 5, 5, 8, 0, 0)), &f.r3))
	// 10 Jun: R1 de-escalates to 2×3 = 6, and a review is recorded.
	e = f.r1
	e.ResidualLikelihood, e.ResidualImpact = 2, 3
	_, err = models.UpdateRisk(ctx, db, f.act(at(2026, 6, 10, 11, 0, 0)), &e)
	must(err)
	f.r1, err = models.ReviewRisk(ctx, db, f.act(at(2026, 6, 10, 11, 5, 0)), e.ID, e.Version)
	must(err)
	// 20 Jun: R2 reopened.
	f.r2, err = models.SetRiskStatus(ctx, db, f.act(at(2026, 6, 20, 16, 0, 0)), f.r2.ID, f.r2.Version, models.StatusOpen)
	must(err)
	return f
}

func (f *asatFixture) asAt(t *testing.T, day models.Date, filter register.RiskFilter) map[string]models.Risk {
	t.Helper()
	rows, err := register.RegisterAsAt(context.Background(), f.db, f.s.Risk, day, filter)
	if err != nil {
		t.Fatalf("as at %s: %v", day, err)
	}
	out := map[string]models.Risk{}
	for _, r := range rows {
		out[r.Ref] = r
	}
	return out
}

func refs(m map[string]models.Risk) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// The register as at a past day is its history replayed, at the day's edges.
// The same holds read from the snapshots of each quarter's end (snapshot.go),
// written two risks a statement: 31 Mar is a snapshot day
// (R2's owner set a second before its end), 30 Mar and 9 and 10 Jan roll it
// back (R1's title changed since), and 1 Apr starts from 30 Jun.
func TestRegisterAsAtReplaysHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newAsatFixture(t, db)
		t.Run("replayed", func(t *testing.T) {
			defer register.SetRiskSnapshots(false)()
			f.checkHistory(t)
		})
		defer register.SetSnapshotBatch(2)()
		days, err := register.BuildRiskSnapshots(context.Background(), db, f.s.Fiscal(), dbtest.Now(), nil)
		if err != nil {
			t.Fatal(err)
		}
		fy, q := f.s.Fiscal(), snapshotQuarter(f.s.Fiscal())
		want := []models.Date{fy.End(q), fy.End(q.Prev()), fy.End(q.Prev().Prev()), fy.End(q.Prev().Prev().Prev())}
		if len(days) < 4 || !reflect.DeepEqual(days[:4], want) {
			t.Fatalf("snapshot days %v, want the last quarters' ends newest first %v…", days, want)
		}
		t.Run("snapshots", func(t *testing.T) { f.checkHistory(t) })
	})
}

func (f *asatFixture) checkHistory(t *testing.T) {
	db := f.db
	all := register.RiskFilter{Status: "all"}
	if got := f.asAt(t, models.D(2026, 1, 9), all); len(got) != 0 {
		t.Errorf("9 Jan: want an empty register, got %v", refs(got))
	}
	jan := f.asAt(t, models.D(2026, 1, 10), all)
	if !reflect.DeepEqual(refs(jan), []string{"R-ENGA-01"}) {
		t.Fatalf("10 Jan: %v", refs(jan))
	}
	if r := jan["R-ENGA-01"]; r.Title != "Key people leave" || r.ResidualScore != 9 || r.ResidualLikelihood != 3 || r.Status != models.StatusOpen {
		t.Errorf("10 Jan R1: %q %d (%d×%d) %s", r.Title, r.ResidualScore, r.ResidualLikelihood, r.ResidualImpact, r.Status)
	}

	mar := f.asAt(t, models.D(2026, 3, 31), all)
	if !reflect.DeepEqual(refs(mar), []string{"R-ENGA-01", "R-ENGA-02"}) {
		t.Fatalf("31 Mar: %v", refs(mar))
	}
	if r := mar["R-ENGA-01"]; r.Title != "Key people leave during transition" || r.ResidualScore != 16 {
		t.Errorf("31 Mar R1: %q %d", r.Title, r.ResidualScore)
	}
	if r := mar["R-ENGA-02"]; r.OwnerID == nil || *r.OwnerID != f.user.ID || r.Status != models.StatusMitigating || !r.ClosedOn.IsZero() {
		t.Errorf("31 Mar R2 (owner set 23:59:59, closed at midnight after): owner %v status %s closed %s", r.OwnerID, r.Status, r.ClosedOn)
	}
	if r := mar["R-ENGA-02"]; r.Owner == nil || r.Owner.Name != "Mo Manager" || r.Engagement == nil || r.Engagement.Code != "ENGA" {
		t.Errorf("31 Mar R2 relations not loaded: %+v %+v", r.Owner, r.Engagement)
	}

	apr := f.asAt(t, models.D(2026, 4, 1), all)
	if r := apr["R-ENGA-02"]; r.Status != models.StatusClosed || r.ClosedOn != models.D(2026, 4, 1) || r.ClosedReason != "Tooling replaced by open formats" {
		t.Errorf("1 Apr R2: %s %s %q", r.Status, r.ClosedOn, r.ClosedReason)
	}
	if live := f.asAt(t, models.D(2026, 4, 1), register.RiskFilter{}); !reflect.DeepEqual(refs(live), []string{"R-ENGA-01"}) {
		t.Errorf("1 Apr live register: %v", refs(live))
	}

	jun := f.asAt(t, models.D(2026, 6, 30), all)
	if !reflect.DeepEqual(refs(jun), []string{"R-ENGA-01", "R-ENGA-02", "R-PF-001"}) {
		t.Fatalf("30 Jun: %v", refs(jun))
	}
	if r := jun["R-ENGA-01"]; r.ResidualScore != 6 || r.NextReview != models.D(2026, 6, 10).AddDays(f.s.Risk.ReviewDays(6)) {
		t.Errorf("30 Jun R1: score %d next review %s", r.ResidualScore, r.NextReview)
	}
	if r := jun["R-ENGA-02"]; r.Status != models.StatusOpen || !r.ClosedOn.IsZero() || r.ClosedReason != "" {
		t.Errorf("30 Jun R2 reopened: %s %s %q", r.Status, r.ClosedOn, r.ClosedReason)
	}
	if r := jun["R-PF-001"]; r.EngagementID != nil || r.ResidualScore != 10 {
		t.Errorf("30 Jun R3: engagement %v score %d", r.EngagementID, r.ResidualScore)
	}

	// Filters read the past's values, not today's.
	if high := f.asAt(t, models.D(2026, 3, 31), register.RiskFilter{Band: models.BandHigh}); !reflect.DeepEqual(refs(high), []string{"R-ENGA-01"}) {
		t.Errorf("31 Mar High: %v", refs(high))
	}
	if high := f.asAt(t, models.D(2026, 6, 30), register.RiskFilter{Band: models.BandHigh, EngagementID: f.eng.ID}); len(high) != 0 {
		t.Errorf("30 Jun High in ENGA: %v", refs(high))
	}
	if owned := f.asAt(t, models.D(2026, 3, 30), register.RiskFilter{OwnerID: f.user.ID}); len(owned) != 0 {
		t.Errorf("30 Mar owned by Mo: %v", refs(owned))
	}
	heat, err := register.HeatCounts(context.Background(), db, "residual", register.RiskFilter{AsAt: models.D(2026, 3, 31)})
	if err != nil {
		t.Fatal(err)
	}
	if heat[3][3] != 1 || heat[1][1] != 1 || heat[2][2] != 0 {
		t.Errorf("31 Mar heat map: 4×4=%d 2×2=%d 3×3=%d", heat[3][3], heat[1][1], heat[2][2])
	}
}

// Today's register read back through history equals the rows as stored, field by field.
func TestRegisterAsAtTodayEqualsCurrentRows(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ctx := context.Background()
			s := models.DefaultRiskSettings()
			today := models.DateOf(dbtest.Now())
			f := register.RiskFilter{Status: "all", Sort: "ref"}
			cur, _, err := register.ListRisks(ctx, db, s, today, f)
			if err != nil {
				t.Fatal(err)
			}
			past, err := register.RegisterAsAt(ctx, db, s, today.AddDays(3650), f)
			if err != nil {
				t.Fatal(err)
			}
			if len(cur) == 0 || len(cur) != len(past) {
				t.Fatalf("current %d risks, as at ten years on %d", len(cur), len(past))
			}
			for i := range cur {
				a, b := cur[i], past[i]
				a.Engagement, a.Owner, b.Engagement, b.Owner = nil, nil, nil, nil
				a.CreatedAt, a.UpdatedAt, b.CreatedAt, b.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
				if !reflect.DeepEqual(a, b) {
					t.Fatalf("risk %s differs:\ncurrent %+v\nas at   %+v", a.Ref, a, b)
				}
			}
			// Before the first risk was raised the register was empty.
			var first models.Risk
			db.Order("created_at").First(&first)
			if early, _ := register.RegisterAsAt(ctx, db, s, models.DateOf(first.CreatedAt).AddDays(-1), f); len(early) != 0 {
				t.Errorf("before the first risk: %d rows", len(early))
			}
			// A year ago, the seeded history shows fewer live risks with other scores.
			ago, err := register.RegisterAsAt(ctx, db, s, today.AddDays(-365), register.RiskFilter{})
			if err != nil || len(ago) == 0 {
				t.Fatalf("a year ago: %d rows, %v", len(ago), err)
			}
		})
	}
}

func TestMovementBetweenDates(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newAsatFixture(t, db)
		ctx := context.Background()
		kinds := func(rep register.MovementReport) map[string][]string {
			out := map[string][]string{}
			for _, m := range rep.Moves {
				out[m.Risk.Ref] = m.Kinds
			}
			return out
		}
		cases := []struct {
			from, to models.Date
			want     map[string][]string
		}{
			{models.D(2026, 2, 28), models.D(2026, 3, 31), map[string][]string{"R-ENGA-01": {register.MoveEscalated}}},
			{models.D(2026, 1, 31), models.D(2026, 3, 31), map[string][]string{"R-ENGA-01": {register.MoveEscalated}, "R-ENGA-02": {register.MoveNew}}},
			{models.D(2026, 3, 31), models.D(2026, 4, 30), map[string][]string{"R-ENGA-02": {register.MoveClosed}}},
			{models.D(2026, 4, 30), models.D(2026, 6, 30), map[string][]string{"R-ENGA-01": {register.MoveDeescalated}, "R-ENGA-02": {register.MoveReopened}, "R-PF-001": {register.MoveNew}}},
			{models.D(2026, 3, 31), models.D(2026, 6, 30), map[string][]string{"R-ENGA-01": {register.MoveDeescalated}, "R-PF-001": {register.MoveNew}}},
			{models.D(2026, 7, 1), models.D(2026, 9, 30), map[string][]string{}},
		}
		for _, c := range cases {
			rep, err := register.Movement(ctx, db, c.from, c.to, register.RiskFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if got := kinds(rep); !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s → %s: %v, want %v", c.from, c.to, got, c.want)
			}
			// The page's cheaper forms agree with the report.
			counts, err := register.MovementCounts(ctx, db, c.from, c.to, register.RiskFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range register.MoveKinds {
				if counts[k] != rep.Count(k) {
					t.Errorf("%s → %s: %d %s counted, %d reported", c.from, c.to, counts[k], k, rep.Count(k))
				}
			}
			of, err := register.MovesOf(ctx, db, c.from, c.to, register.RiskFilter{}, []uint{f.r1.ID, f.r2.ID, f.r3.ID})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range rep.Moves {
				if got := of[m.Risk.ID]; !reflect.DeepEqual(got.Kinds, m.Kinds) || got.FromScore != m.FromScore || got.ToScore != m.ToScore {
					t.Errorf("%s → %s: MovesOf %s = %+v, report %+v", c.from, c.to, m.Risk.Ref, got, m)
				}
			}
			if len(of) != len(rep.Moves) {
				t.Errorf("%s → %s: MovesOf found %d moves, report %d", c.from, c.to, len(of), len(rep.Moves))
			}
		}
		rep, _ := register.Movement(ctx, db, models.D(2026, 2, 28), models.D(2026, 3, 31), register.RiskFilter{})
		if m := rep.ByRisk()[f.r1.ID]; m.FromScore != 9 || m.ToScore != 16 || m.Risk.Engagement == nil {
			t.Errorf("escalation scores %d → %d", m.FromScore, m.ToScore)
		}
		if rep.Count(register.MoveEscalated) != 1 || len(rep.Of(register.MoveNew)) != 0 {
			t.Errorf("counts: %d escalated, %d new", rep.Count(register.MoveEscalated), len(rep.Of(register.MoveNew)))
		}
		// A risk raised and closed in the window is both new and closed.
		r4 := models.Risk{EngagementID: &f.eng.ID, Title: "Short-lived", Category: models.RiskCategories[0], InherentLikelihood: 2, InherentImpact: 2,
			ResidualLikelihood: 1, ResidualImpact: 2, Response: "reduce", Status: models.StatusOpen, RaisedOn: models.D(2026, 8, 1)}
		if err := models.CreateRisk(ctx, db, f.act(at(2026, 8, 1, 9, 0, 0)), &r4); err != nil {
			t.Fatal(err)
		}
		if _, err := models.CloseRisk(ctx, db, f.act(at(2026, 8, 20, 9, 0, 0)), r4.ID, 1, models.D(2026, 8, 20), "Did not materialise"); err != nil {
			t.Fatal(err)
		}
		rep, _ = register.Movement(ctx, db, models.D(2026, 6, 30), models.D(2026, 9, 30), register.RiskFilter{})
		if got := kinds(rep)[r4.Ref]; !reflect.DeepEqual(got, []string{register.MoveNew, register.MoveClosed}) {
			t.Errorf("raised and closed in the quarter: %v", got)
		}
		// Scope: portfolio-wide only.
		rep, _ = register.Movement(ctx, db, models.D(2026, 4, 30), models.D(2026, 6, 30), register.RiskFilter{PortfolioWide: true})
		if got := kinds(rep); !reflect.DeepEqual(got, map[string][]string{"R-PF-001": {register.MoveNew}}) {
			t.Errorf("portfolio-wide movement: %v", got)
		}
		// The register filtered to what moved.
		moved, _, err := register.ListRisks(ctx, db, f.s.Risk, models.D(2026, 6, 30), register.RiskFilter{AsAt: models.D(2026, 6, 30), MovedSince: models.D(2026, 4, 30), MoveKind: register.MoveNew, Status: "all", Page: 1, PerPage: 50})
		if err != nil || len(moved) != 1 || moved[0].Ref != "R-PF-001" {
			t.Errorf("register of new risks: %v %v", moved, err)
		}
	})
}

func TestRiskWritesRecordHistoryAndVersions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newAsatFixture(t, db)
		ctx := context.Background()
		var created []models.Change
		db.Where("entity = ? AND entity_id = ? AND action = ?", models.RiskEntity, f.r3.ID, models.ActionCreate).Find(&created)
		fields := map[string]string{}
		for _, c := range created {
			fields[c.Field] = c.New
		}
		if fields["title"] != "Regulation on offshore data" || fields["residual_score"] != "10" || fields["raised_on"] != "2026-05-05" || fields["status"] != "open" {
			t.Errorf("creation history: %v", fields)
		}
		if _, ok := fields["engagement_id"]; ok {
			t.Errorf("a portfolio-wide risk records no engagement: %v", fields)
		}
		// A stale save is refused and writes nothing.
		var before int64
		db.Model(&models.Change{}).Count(&before)
		stale := f.r1
		stale.Version = 1
		stale.Title = "Someone else's title"
		if _, err := models.UpdateRisk(ctx, db, f.act(at(2026, 7, 1, 9, 0, 0)), &stale); !errors.Is(err, models.ErrStale) {
			t.Fatalf("stale update: %v", err)
		}
		if _, err := models.ReviewRisk(ctx, db, f.act(at(2026, 7, 1, 9, 0, 0)), f.r1.ID, 1); !errors.Is(err, models.ErrStale) {
			t.Fatalf("stale review: %v", err)
		}
		var after int64
		db.Model(&models.Change{}).Count(&after)
		var stored models.Risk
		db.First(&stored, f.r1.ID)
		if after != before || stored.Title != "Key people leave during transition" {
			t.Errorf("a refused save wrote: %d → %d changes, title %q", before, after, stored.Title)
		}
		// Field-level history of an update, by column.
		var upd []models.Change
		db.Where("entity = ? AND entity_id = ? AND at = ?", models.RiskEntity, f.r1.ID, at(2026, 3, 20, 14, 0, 0)).Order("id").Find(&upd)
		got := map[string][2]string{}
		for _, c := range upd {
			got[c.Field] = [2]string{c.Old, c.New}
		}
		want := map[string][2]string{"title": {"Key people leave", "Key people leave during transition"},
			"residual_likelihood": {"3", "4"}, "residual_impact": {"3", "4"}, "residual_score": {"9", "16"}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("update history: %v", got)
		}
		// Rules: a second close and a bad status are refused with the field named.
		var rule models.RiskRuleError
		if _, err := models.SetRiskStatus(ctx, db, f.act(at(2026, 7, 1, 9, 0, 0)), f.r1.ID, stored.Version, models.StatusClosed); !errors.As(err, &rule) || rule["status"] == "" {
			t.Errorf("closing through a status change: %v", err)
		}
		// References: generated per engagement, a taken one refused.
		dup := models.Risk{EngagementID: &f.eng.ID, Ref: "R-ENGA-01", Title: "Dup", Category: models.RiskCategories[0], InherentLikelihood: 1, InherentImpact: 1,
			ResidualLikelihood: 1, ResidualImpact: 1, Response: "reduce", Status: models.StatusOpen, RaisedOn: models.D(2026, 7, 1)}
		if err := models.CreateRisk(ctx, db, f.act(at(2026, 7, 1, 9, 0, 0)), &dup); !errors.Is(err, models.ErrRefTaken) {
			t.Errorf("duplicate ref: %v", err)
		}
		dup.Ref = ""
		if err := models.CreateRisk(ctx, db, f.act(at(2026, 7, 1, 9, 0, 0)), &dup); err != nil || dup.Ref != "R-ENGA-03" {
			t.Errorf("generated ref %q: %v", dup.Ref, err)
		}
		// The engagement's health follows its risks: R1 was High out of appetite in March.
		var eng models.Engagement
		db.First(&eng, f.eng.ID)
		if eng.HealthOn.IsZero() {
			t.Errorf("health not refreshed on write")
		}
	})
}

func TestMitigationActionsKeepHistory(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, db *gorm.DB) {
		f := newAsatFixture(t, db)
		ctx := context.Background()
		m := models.MitigationAction{RiskID: f.r1.ID, Action: "Name deputies for key roles", OwnerID: &f.user.ID, Due: models.D(2026, 8, 1), Status: "planned"}
		if err := models.SaveMitigation(ctx, db, f.act(at(2026, 7, 1, 9, 0, 0)), &m); err != nil {
			t.Fatal(err)
		}
		m.Status = "in progress"
		if err := models.SaveMitigation(ctx, db, f.act(at(2026, 7, 2, 9, 0, 0)), &m); err != nil {
			t.Fatal(err)
		}
		stale := m
		stale.Version = 1
		stale.Status = "done"
		if err := models.SaveMitigation(ctx, db, f.act(at(2026, 7, 3, 9, 0, 0)), &stale); !errors.Is(err, models.ErrStale) {
			t.Fatalf("stale action save: %v", err)
		}
		hist, err := models.RiskHistory(ctx, db, f.r1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if h := hist[0]; h.Entity != models.MitigationEntity || h.Field != "status" || h.Old != "planned" || h.New != "in progress" || h.User == nil {
			t.Errorf("newest history row: %+v", h)
		}
	})
}

// A movement report replays only the risks that can have moved between its
// days (changed or created between them), and a page's badges only its own
// risks: on the demo portfolio, over windows of a month to two years, that
// changes nothing against replaying every risk, for the whole register, an
// engagement and a category.
func TestNarrowedMovementEqualsTheWholeReplay(t *testing.T) {
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ctx := context.Background()
			var ids []uint
			if err := db.Model(&models.Risk{}).Order("id").Limit(60).Pluck("id", &ids).Error; err != nil {
				t.Fatal(err)
			}
			var eng uint
			db.Model(&models.Risk{}).Where("engagement_id IS NOT NULL").Order("id").Limit(1).Pluck("engagement_id", &eng)
			today := models.DateOf(dbtest.Now())
			windows := [][2]models.Date{{models.D(2026, 6, 30), models.D(2026, 9, 30)}, {models.D(2026, 8, 31), models.D(2026, 9, 30)},
				{models.D(2025, 9, 30), models.D(2026, 9, 30)}, {models.D(2026, 6, 30), today}, {models.D(2024, 12, 31), today}}
			filters := []register.RiskFilter{{}, {EngagementID: eng}, {Category: "Financial"}}
			moved := 0
			for _, w := range windows {
				for _, f := range filters {
					read := func() (register.MovementReport, map[string]int, map[uint]register.RiskMove) {
						rep, err := register.Movement(ctx, db, w[0], w[1], f)
						if err != nil {
							t.Fatal(err)
						}
						counts, err := register.MovementCounts(ctx, db, w[0], w[1], f)
						if err != nil {
							t.Fatal(err)
						}
						of, err := register.MovesOf(ctx, db, w[0], w[1], f, ids)
						if err != nil {
							t.Fatal(err)
						}
						return rep, counts, of
					}
					rep, counts, of := read()
					restore := register.SetNarrowMovement(false)
					wholeRep, wholeCounts, wholeOf := read()
					restore()
					moved += len(rep.Moves)
					if !reflect.DeepEqual(rep, wholeRep) || !reflect.DeepEqual(counts, wholeCounts) || !reflect.DeepEqual(of, wholeOf) {
						t.Errorf("%s → %s, %+v: narrowed %d moves %v (%d badges), whole %d moves %v (%d badges)",
							w[0], w[1], f, len(rep.Moves), counts, len(of), len(wholeRep.Moves), wholeCounts, len(wholeOf))
					}
				}
			}
			if moved == 0 {
				t.Fatal("nothing moved in any window: the comparison proves nothing")
			}
		})
	}
}
