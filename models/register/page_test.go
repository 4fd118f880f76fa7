package register_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/dbtest"
	"portfolio/models/register"
)

// registerSorts are every sort of the register, "" being the default.
var registerSorts = []string{"", "ref", "title", "engagement", "category", "inherent", "residual", "owner", "status", "review", "raised"}

// demoWithGaps is the demo portfolio with the keys a sort can miss: risks
// without an owner, a live risk without a review date (closed ones have none),
// and the portfolio-wide risks without an engagement.
func demoWithGaps(t *testing.T, kind string) *gorm.DB {
	t.Helper()
	db := dbtest.Demo(t, kind)
	var ids []uint
	db.Model(&models.Risk{}).Where("status <> ?", models.StatusClosed).Order("id").Limit(3).Pluck("id", &ids)
	if len(ids) < 3 {
		t.Fatal("the demo has too few live risks")
	}
	db.Model(&models.Risk{}).Where("id IN ?", ids[:2]).Update("owner_id", nil)
	db.Model(&models.Risk{}).Where("id = ?", ids[2]).Update("next_review", nil)
	return db
}

func ids(rows []models.Risk) []uint {
	out := make([]uint, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

// Walking the register page by page with the Next cursors, back with the
// Previous cursors, or by page number from either end, gives every matching
// risk once, in the order of the whole list (the export's), for every sort in
// both directions, live and with closed risks.
func TestRiskPagesWalkTheRegisterInOrder(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := demoWithGaps(t, kind)
			ctx := context.Background()
			s := models.DefaultRiskSettings()
			today := models.DateOf(dbtest.Now())
			for _, status := range []string{"", "all"} {
				for _, sort := range registerSorts {
					for _, dir := range []string{"asc", "desc"} {
						f := register.RiskFilter{Status: status, Sort: sort, Dir: dir}
						name := fmt.Sprintf("status=%q sort=%q dir=%s", status, sort, dir)
						all, total, err := register.ListRisks(ctx, db, s, today, f)
						if err != nil {
							t.Fatal(name, err)
						}
						want := ids(all)
						if int64(len(want)) != total || total < 20 {
							t.Fatalf("%s: %d rows, total %d", name, len(want), total)
						}
						f.PerPage = 7
						var fwd []uint
						f.Page = 1
						for pages := 0; ; pages++ {
							p, err := register.PageRisks(ctx, db, s, today, f, total)
							if err != nil || pages > 100 {
								t.Fatalf("%s: page %d: %v", name, f.Page, err)
							}
							fwd = append(fwd, ids(p.Rows)...)
							if !p.HasNext {
								break
							}
							f.After, f.Page = p.LastID(), p.Page+1
						}
						if !slices.Equal(fwd, want) {
							t.Fatalf("%s: Next links give\n%v\nthe list is\n%v", name, fwd, want)
						}
						// From the last page back.
						f.After, f.Before = 0, 0
						last := int((total + 6) / 7)
						f.Page = last
						var back []uint
						for pages := 0; ; pages++ {
							p, err := register.PageRisks(ctx, db, s, today, f, total)
							if err != nil || pages > 100 {
								t.Fatalf("%s: back at page %d: %v", name, f.Page, err)
							}
							back = append(ids(p.Rows), back...)
							if !p.HasPrev {
								break
							}
							f.Before, f.Page = p.FirstID(), p.Page-1
						}
						if !slices.Equal(back, want) {
							t.Fatalf("%s: Previous links give\n%v\nthe list is\n%v", name, back, want)
						}
						// Every page by its number.
						f.Before = 0
						for n := 1; n <= last; n++ {
							f.Page = n
							p, err := register.PageRisks(ctx, db, s, today, f, total)
							if err != nil {
								t.Fatal(err)
							}
							if got, w := ids(p.Rows), want[(n-1)*7:min(n*7, len(want))]; !slices.Equal(got, w) || p.Page != n || p.Last != last {
								t.Fatalf("%s: page %d/%d is %v (page %d of %d), want %v", name, n, last, got, p.Page, p.Last, w)
							}
						}
					}
				}
			}
		})
	}
}

// A page of the register carries what a row shows: its engagement and owner,
// its dates; a cursor that names no risk falls back to the page number.
func TestRiskPageRowsAndStaleCursor(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ctx := context.Background()
			s := models.DefaultRiskSettings()
			today := models.DateOf(dbtest.Now())
			f := register.RiskFilter{Sort: "review", PerPage: 10, Page: 2}
			t1, _ := register.TallyRisks(ctx, db, s, today, f)
			p, err := register.PageRisks(ctx, db, s, today, f, t1.Total)
			if err != nil || len(p.Rows) != 10 {
				t.Fatalf("page 2: %d rows, %v", len(p.Rows), err)
			}
			var stored models.Risk
			db.Preload("Engagement").Preload("Owner").First(&stored, p.Rows[0].ID)
			got := p.Rows[0]
			if got.Ref != stored.Ref || got.NextReview != stored.NextReview || got.ResidualScore != stored.ResidualScore || got.Version != stored.Version ||
				(stored.Engagement != nil && (got.Engagement == nil || got.Engagement.Code != stored.Engagement.Code)) ||
				(stored.Owner != nil && (got.Owner == nil || got.Owner.Name != stored.Owner.Name)) {
				t.Errorf("row %+v\nstored %+v", got, stored)
			}
			f.After = 999999
			p2, err := register.PageRisks(ctx, db, s, today, f, t1.Total)
			if err != nil || !slices.Equal(ids(p2.Rows), ids(p.Rows)) {
				t.Errorf("a stale cursor: %v, rows %v, want page 2 %v", err, ids(p2.Rows), ids(p.Rows))
			}
		})
	}
}

// The count and the heat maps agree with the rows themselves, whether they come
// from risk_cells (status, category, band, appetite, cell) or from the risks.
func TestTallyMatchesTheRows(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ctx := context.Background()
			s := models.DefaultRiskSettings()
			today := models.DateOf(dbtest.Now())
			var e models.Engagement
			db.Joins("JOIN risks ON risks.engagement_id = engagements.id").First(&e)
			var owner uint
			db.Model(&models.Risk{}).Where("owner_id IS NOT NULL").Limit(1).Pluck("owner_id", &owner)
			filters := []register.RiskFilter{
				{}, {Status: "all"}, {Status: models.StatusClosed}, {Category: models.RiskCategories[0]},
				{Band: models.BandHigh}, {Band: models.BandCritical, BandKind: "inherent"}, {OutOfAppetite: true},
				{Likelihood: 3, Impact: 4}, {Likelihood: 4, Impact: 4, BandKind: "inherent", Status: "all"},
				{Overdue: true}, {Overdue: true, Category: models.RiskCategories[1], Band: models.BandMedium},
				{EngagementID: e.ID, Status: "all"}, {VendorID: e.VendorID}, {OwnerID: owner}, {PortfolioWide: true, Status: "all"},
				{Q: "vendor"}, {Q: "vendor", Band: models.BandHigh},
			}
			nonEmpty := 0
			for _, f := range filters {
				tl, err := register.TallyRisks(ctx, db, s, today, f)
				if err != nil {
					t.Fatal(err)
				}
				rows, _, err := register.ListRisks(ctx, db, s, today, f) // PerPage 0: every row, through the OFFSET query
				if err != nil {
					t.Fatal(err)
				}
				if tl.Total != int64(len(rows)) {
					t.Errorf("%+v: tally %d, %d rows", f, tl.Total, len(rows))
				}
				if tl.Total > 0 {
					nonEmpty++
				}
				// The maps: the rows of the filter without its band, appetite, overdue and cell.
				scope := f
				scope.Band, scope.OutOfAppetite, scope.Overdue, scope.Likelihood, scope.Impact = "", false, false, 0, 0
				all, _, _ := register.ListRisks(ctx, db, s, today, scope)
				var inh, res [5][5]int
				for _, r := range all {
					inh[r.InherentLikelihood-1][r.InherentImpact-1]++
					res[r.ResidualLikelihood-1][r.ResidualImpact-1]++
				}
				if inh != tl.Inherent || res != tl.Residual {
					t.Errorf("%+v: heat maps\n%v %v\nfrom the rows\n%v %v", f, tl.Inherent, tl.Residual, inh, res)
				}
			}
			if nonEmpty < len(filters)-2 {
				t.Errorf("only %d of %d filters match any risk: the test checks too little", nonEmpty, len(filters))
			}
		})
	}
}

// risk_cells, maintained by triggers, equals a count of the risks after every kind
// of write: created, edited (category and levels), moved between statuses,
// closed, imported.
func TestRiskCellsFollowEveryWrite(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ctx := context.Background()
			set := models.DefaultSettings()
			act := models.Actor{At: dbtest.Now(), Settings: set}
			check := func(step string) {
				t.Helper()
				type cell struct {
					Status, Category string
					IL, II, RL, RI   int
					N                int64
				}
				var stored, counted []cell
				cols := "status, category, inherent_likelihood AS il, inherent_impact AS ii, residual_likelihood AS rl, residual_impact AS ri"
				order := "status, category, il, ii, rl, ri"
				db.Table("risk_cells").Select(cols + ", n").Where("n <> 0").Order(order).Scan(&stored)
				db.Raw(`SELECT ` + cols + `, COUNT(*) AS n FROM risks GROUP BY status, category, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact
					UNION ALL SELECT status, '' AS category, inherent_likelihood AS il, inherent_impact AS ii, residual_likelihood AS rl, residual_impact AS ri, COUNT(*) AS n
					FROM risks GROUP BY status, inherent_likelihood, inherent_impact, residual_likelihood, residual_impact ORDER BY ` + order).Scan(&counted)
				if len(counted) == 0 || !slices.Equal(stored, counted) {
					t.Fatalf("after %s: risk_cells\n%v\ncounted\n%v", step, stored, counted)
				}
			}
			check("the demo seed")
			var e models.Engagement
			db.First(&e)
			r := models.Risk{EngagementID: &e.ID, Title: "Escrow of the vendor's build scripts", Category: models.RiskCategories[1],
				InherentLikelihood: 4, InherentImpact: 5, ResidualLikelihood: 3, ResidualImpact: 2, Response: "reduce",
				Status: models.StatusOpen, RaisedOn: models.DateOf(dbtest.Now())}
			if err := models.CreateRisk(ctx, db, act, &r); err != nil {
				t.Fatal(err)
			}
			check("a risk created")
			r.Category, r.ResidualLikelihood, r.InherentImpact = models.RiskCategories[2], 5, 3
			if _, err := models.UpdateRisk(ctx, db, act, &r); err != nil {
				t.Fatal(err)
			}
			check("its category and levels edited")
			if r, err := models.SetRiskStatus(ctx, db, act, r.ID, r.Version, models.StatusMitigating); err != nil {
				t.Fatal(err)
			} else if _, err := models.CloseRisk(ctx, db, act, r.ID, r.Version, models.DateOf(dbtest.Now()), "Mitigated"); err != nil {
				t.Fatal(err)
			}
			check("moved to mitigating, then closed")
			if err := db.Model(&models.Risk{}).Where("status = ?", models.StatusAccepted).Update("status", models.StatusOpen).Error; err != nil {
				t.Fatal(err)
			}
			check("a bulk update")
		})
	}
}

// Search finds risks by the words of their ref, title or description, each a
// word prefix, and a reference as one phrase: its risk, not its siblings.
func TestRiskSearch(t *testing.T) {
	t.Parallel()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			ctx := context.Background()
			s := models.DefaultRiskSettings()
			today := models.DateOf(dbtest.Now())
			act := models.Actor{At: dbtest.Now(), Settings: models.DefaultSettings()}
			var e models.Engagement
			db.First(&e)
			r := models.Risk{EngagementID: &e.ID, Title: "Quokka tooling not licensed", Category: models.RiskCategories[1],
				Description:        "The vendor's build pipelines (Zebrafish-9) stay with the vendor after exit.",
				InherentLikelihood: 3, InherentImpact: 4, ResidualLikelihood: 2, ResidualImpact: 4, Response: "reduce",
				Status: models.StatusOpen, RaisedOn: models.DateOf(dbtest.Now())}
			if err := models.CreateRisk(ctx, db, act, &r); err != nil {
				t.Fatal(err)
			}
			find := func(q string, f register.RiskFilter) []uint {
				f.Q, f.Status = q, "all"
				rows, _, err := register.ListRisks(ctx, db, s, today, f)
				if err != nil {
					t.Fatal(q, err)
				}
				return ids(rows)
			}
			for _, q := range []string{"quokka", "QUOKKA licens", "pipeline", "zebrafish 9", "Zebrafish-9", "licensed quok", r.Ref} {
				if got := find(q, register.RiskFilter{}); !slices.Contains(got, r.ID) {
					t.Errorf("%q does not find the risk: %v", q, got)
				}
			}
			if got := find(r.Ref, register.RiskFilter{}); len(got) != 1 {
				t.Errorf("the reference %s finds %d risks", r.Ref, len(got))
			}
			for _, q := range []string{"quokkas-tooling-x", "nothing-like-this", "zebrafish 8"} {
				if got := find(q, register.RiskFilter{}); len(got) != 0 {
					t.Errorf("%q finds %v", q, got)
				}
			}
			all := find("", register.RiskFilter{})
			if got := find(`%_\ "'*`, register.RiskFilter{}); !slices.Equal(got, all) {
				t.Errorf("punctuation alone filters: %d of %d", len(got), len(all))
			}
			// The text is found after an edit, and the old text no longer is.
			r.Title = "Wombat tooling not licensed"
			if _, err := models.UpdateRisk(ctx, db, act, &r); err != nil {
				t.Fatal(err)
			}
			if got := find("wombat", register.RiskFilter{}); !slices.Contains(got, r.ID) || slices.Contains(find("quokka", register.RiskFilter{}), r.ID) {
				t.Errorf("after the edit: wombat %v, quokka still finds it", got)
			}
			// The past searches its own text.
			tomorrow := models.DateOf(dbtest.Now().Add(24 * time.Hour))
			if got := find("wombat", register.RiskFilter{AsAt: tomorrow}); !slices.Contains(got, r.ID) {
				t.Errorf("as at tomorrow, wombat finds %v", got)
			}
		})
	}
}
