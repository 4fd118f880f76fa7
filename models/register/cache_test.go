package register_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/cache"
	"portfolio/models/dbtest"
	"portfolio/models/register"
	"portfolio/models/seed"
)

// pagesByNumber checks every page of f by its number, read through the cache
// at the current data version, against the OFFSET query; it returns how many
// pages there were.
func pagesByNumber(t *testing.T, db *gorm.DB, c *register.Cache, f register.RiskFilter) int {
	t.Helper()
	ctx := context.Background()
	s := models.DefaultRiskSettings()
	today := models.DateOf(dbtest.Now())
	v, err := models.DataVersion(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := c.Tally(ctx, db, cache.At(v), s, today, f)
	if err != nil {
		t.Fatal(err)
	}
	last := int((tl.Total + int64(f.PerPage) - 1) / int64(f.PerPage))
	for n := 1; n <= max(last, 1); n++ {
		f.Page = n
		p, err := c.Page(ctx, db, cache.At(v), s, today, f, tl.Total)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		want, err := register.OffsetPage(ctx, db, s, today, f)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(p.Rows); !slices.Equal(got, want) || p.Page != n || p.HasNext != (n < last) || p.HasPrev != (n > 1) {
			t.Fatalf("%+v: page %d of %d is %v (page %d, next %v, prev %v); OFFSET gives %v", f, n, last, got, p.Page, p.HasNext, p.HasPrev, want)
		}
	}
	return last
}

// A page asked for by its number shows exactly the rows the OFFSET query
// shows, for every sort both ways (ties in the key broken by id, rows without
// the key included), for filters read from risk_cells and from the risks, on
// a register small enough to be sorted and one large enough to walk an index
// (SQLite): seeking from the cached ends of the pages, which a write then moves.
func TestPageByNumberEqualsOffset(t *testing.T) {
	defer register.SetPageEndsAbove(0)()
	for _, mode := range []struct {
		name string
		upTo int64
	}{{"page ends", 0}, {"ids in order", 1 << 40}} {
		t.Run(mode.name, func(t *testing.T) {
			defer register.SetPageIDsUpTo(mode.upTo)()
			pagesByNumberEqualOffset(t, dbtest.Kinds())
		})
	}
}

// pagesByNumberEqualOffset is TestPageByNumberEqualsOffset on each kind.
func pagesByNumberEqualOffset(t *testing.T, kinds []string) {
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			for _, size := range []string{"demo", "scale"} {
				db := demoWithGaps(t, kind)
				per := 6
				if size == "scale" {
					if testing.Short() {
						continue
					}
					db = dbtest.Open(t, kind)
					if err := seed.Scale(ctx, db, 50); err != nil {
						t.Fatal(err)
					}
					per = 50
				}
				var e models.Engagement
				db.Joins("JOIN risks ON risks.engagement_id = engagements.id").First(&e)
				filters := []register.RiskFilter{{}, {Status: "all"}, {Category: models.RiskCategories[3]},
					{Band: models.BandHigh, BandKind: "inherent"}, {Overdue: true}, {VendorID: e.VendorID}, {Q: "vendor"}}
				if size == "scale" {
					filters = filters[:3]
				}
				c := newRegisterCache()
				pages := 0
				for _, f := range filters {
					for _, sort := range registerSorts {
						for _, dir := range []string{"asc", "desc"} {
							f.Sort, f.Dir, f.PerPage = sort, dir, per
							pages += pagesByNumber(t, db, c, f)
						}
					}
				}
				if pages < 200 {
					t.Errorf("%s: only %d pages checked", size, pages)
				}
				// A write (through another handle, as another instance would)
				// moves rows between pages: the cached ends are read again.
				other := dbtest.Reopen(t, db)
				var moved []uint
				db.Model(&models.Risk{}).Where("status <> ?", models.StatusClosed).Order("id").Limit(per*2).Pluck("id", &moved)
				if err := other.Exec("UPDATE risks SET next_review = ?, category = ?, status = ? WHERE id IN ?",
					models.DateOf(dbtest.Now()).AddDays(400), models.RiskCategories[3], models.StatusMitigating, moved).Error; err != nil {
					t.Fatal(err)
				}
				if err := other.Exec("UPDATE risks SET status = ? WHERE id = ?", models.StatusClosed, moved[0]+1).Error; err != nil {
					t.Fatal(err)
				}
				for _, f := range filters[:3] {
					for _, sort := range []string{"review", "category", "status", ""} {
						f.Sort, f.PerPage = sort, per
						pagesByNumber(t, db, c, f)
					}
				}
			}
		})
	}
}

// The cache serves a filter's tally and page ends only at the data version
// they were read at: a write through a second handle on the same database (as
// another app instance) moves the version, and the next read sees the write.
func TestRegisterCacheFollowsWritesOfAnotherHandle(t *testing.T) {
	defer register.SetPageEndsAbove(0)()
	for _, kind := range dbtest.Kinds() {
		t.Run(kind, func(t *testing.T) {
			db := dbtest.Demo(t, kind)
			other := dbtest.Reopen(t, db)
			ctx := context.Background()
			s := models.DefaultRiskSettings()
			today := models.DateOf(dbtest.Now())
			c := newRegisterCache()
			f := register.RiskFilter{Sort: "review", PerPage: 5, Page: 3}
			v1, err := models.DataVersion(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			t1, err := c.Tally(ctx, db, cache.At(v1), s, today, f)
			if err != nil {
				t.Fatal(err)
			}
			p1, err := c.Page(ctx, db, cache.At(v1), s, today, f, t1.Total)
			if err != nil {
				t.Fatal(err)
			}
			// Close the first risk of page 3 through the other handle.
			var victim models.Risk
			other.First(&victim, p1.Rows[0].ID)
			if err := other.Model(&victim).Updates(map[string]any{"status": models.StatusClosed, "closed_on": today, "closed_reason": "test"}).Error; err != nil {
				t.Fatal(err)
			}
			v2, err := models.DataVersion(ctx, db)
			if err != nil || v2 == v1 {
				t.Fatalf("the version did not move: %d → %d, %v", v1, v2, err)
			}
			// At the old version the cache still answers what it read then
			// (which shows it caches it); at the new one, the database.
			if old, _ := c.Tally(ctx, db, cache.At(v1), s, today, f); old.Total != t1.Total {
				t.Errorf("the cache at the old version: %d, cached %d", old.Total, t1.Total)
			}
			t2, err := c.Tally(ctx, db, cache.At(v2), s, today, f)
			if err != nil {
				t.Fatal(err)
			}
			fresh, _ := register.TallyRisks(ctx, db, s, today, f)
			if t2.Total != t1.Total-1 || t2 != fresh {
				t.Errorf("after the write: tally %d, was %d, the database says %d", t2.Total, t1.Total, fresh.Total)
			}
			p2, err := c.Page(ctx, db, cache.At(v2), s, today, f, t2.Total)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := register.OffsetPage(ctx, db, s, today, f)
			if got := ids(p2.Rows); !slices.Equal(got, want) || slices.Contains(got, victim.ID) {
				t.Errorf("page 3 after the write: %v, OFFSET gives %v (closed %d)", got, want, victim.ID)
			}
			if fmt.Sprint(ids(p1.Rows)) == fmt.Sprint(ids(p2.Rows)) {
				t.Error("page 3 did not change with the write")
			}
		})
	}
}

// The register as at a past day is cached for good: every page of it, read
// through the cache at any version, is the page replayed in full, and stays so
// after a write made now (which cannot change the past). The register as at a
// day not yet ended follows the writes.
func TestPastRegisterIsCachedForGood(t *testing.T) {
	t.Parallel()
	dbtest.EachDemo(t, func(t *testing.T, ctx context.Context, db *gorm.DB, all models.Settings, today models.Date) {
		s := all.Risk
		c := newRegisterCache()
		// The ends of the last complete quarter and of the ones before it.
		fy := all.Fiscal()
		q := fy.LastComplete(today)
		end, end1, end3 := fy.End(q), fy.End(q.Prev()), fy.End(q.Prev().Prev().Prev())
		filters := []register.RiskFilter{{AsAt: end, PerPage: 7},
			{AsAt: end1, Status: "all", Sort: "title", PerPage: 5},
			{AsAt: end, Category: "Financial", Sort: "review", Dir: "desc", PerPage: 3},
			{AsAt: end, MovedSince: end1, PerPage: 4},
			{AsAt: end, MovedSince: end3, MoveKind: register.MoveEscalated, Sort: "ref", PerPage: 2}}
		check := func(version int64) int {
			shown := 0
			for _, f := range filters {
				want, err := register.TallyRisks(ctx, db, s, today, f)
				if err != nil {
					t.Fatal(err)
				}
				got, err := c.Tally(ctx, db, cache.At(version), s, today, f)
				if err != nil || got != want {
					t.Fatalf("%+v: cached tally %d (%v), replayed %d", f, got.Total, err, want.Total)
				}
				for f.Page = 1; f.Page <= int(want.Total)/f.PerPage+2; f.Page++ {
					replayed, err := register.PageRisks(ctx, db, s, today, f, want.Total)
					if err != nil {
						t.Fatal(err)
					}
					cached, err := c.Page(ctx, db, cache.At(version), s, today, f, got.Total)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(cached, replayed) {
						t.Fatalf("%+v page %d: cached %v (page %d of %d), replayed %v (page %d of %d)", f, f.Page,
							ids(cached.Rows), cached.Page, cached.Last, ids(replayed.Rows), replayed.Page, replayed.Last)
					}
					shown += len(cached.Rows)
				}
				if !f.MovedSince.IsZero() {
					want, err := register.MovementCounts(ctx, db, f.MovedSince, f.AsAt, f)
					if err != nil {
						t.Fatal(err)
					}
					if got, err := c.MovementCounts(ctx, db, cache.At(version), f.MovedSince, f.AsAt, f); err != nil || !reflect.DeepEqual(got, want) {
						t.Fatalf("%+v: cached movement %v (%v), replayed %v", f, got, err, want)
					}
				}
			}
			return shown
		}
		if check(1) == 0 {
			t.Fatal("the past registers are empty: the comparison proves nothing")
		}
		// A risk escalated now changes today's register, not the past's.
		var r models.Risk
		db.Where("status = ? AND created_at < ?", models.StatusOpen, fy.Start(q.Prev())).Order("id").First(&r)
		r.ResidualLikelihood, r.ResidualImpact = 5, 5
		if _, err := models.UpdateRisk(ctx, db, models.Actor{At: dbtest.Now(), Settings: all}, &r); err != nil {
			t.Fatal(err)
		}
		check(2)
		// Filtered by vendor, or sorted by engagement, the past reads the
		// engagements as they are now: it is cached at the data version only.
		var e models.Engagement
		db.Where("id = ?", r.EngagementID).First(&e)
		var otherVendor uint
		db.Model(&models.Vendor{}).Where("id <> ?", e.VendorID).Order("id").Limit(1).Pluck("id", &otherVendor)
		byVendor := register.RiskFilter{AsAt: end, VendorID: otherVendor, PerPage: 10}
		v1, _ := models.DataVersion(ctx, db)
		cached, _ := c.Tally(ctx, db, cache.At(v1), s, today, byVendor)
		if err := db.Model(&e).Update("vendor_id", otherVendor).Error; err != nil {
			t.Fatal(err)
		}
		v2, _ := models.DataVersion(ctx, db)
		fresh, _ := register.TallyRisks(ctx, db, s, today, byVendor)
		if got, _ := c.Tally(ctx, db, cache.At(v2), s, today, byVendor); got != fresh || fresh.Total == cached.Total {
			t.Errorf("as at a past day by vendor, after the engagement moved vendor: cached %d, now %d, was %d", got.Total, fresh.Total, cached.Total)
		}
		// As at today (not ended): a risk added now is in it at once.
		now := register.RiskFilter{AsAt: models.DateOf(dbtest.Now()), PerPage: 10}
		before, _ := c.Tally(ctx, db, cache.At(3), s, today, now)
		since := end
		movedBefore, _ := c.MovementCounts(ctx, db, cache.At(3), since, now.AsAt, register.RiskFilter{})
		added := models.Risk{EngagementID: r.EngagementID, Title: "Raised while the day lasts", Category: r.Category,
			InherentLikelihood: 2, InherentImpact: 2, ResidualLikelihood: 1, ResidualImpact: 1, Response: "reduce", Status: models.StatusOpen, RaisedOn: models.DateOf(dbtest.Now())}
		if err := models.CreateRisk(ctx, db, models.Actor{At: dbtest.Now(), Settings: all}, &added); err != nil {
			t.Fatal(err)
		}
		if after, _ := c.Tally(ctx, db, cache.At(4), s, today, now); after.Total != before.Total+1 {
			t.Errorf("as at today: %d risks after adding one to %d", after.Total, before.Total)
		}
		// What moved up to today is cached at the version only.
		if cached, _ := c.MovementCounts(ctx, db, cache.At(3), since, now.AsAt, register.RiskFilter{}); !reflect.DeepEqual(cached, movedBefore) {
			t.Errorf("movement at the old version: %v, cached %v", cached, movedBefore)
		}
		if moved, _ := c.MovementCounts(ctx, db, cache.At(4), since, now.AsAt, register.RiskFilter{}); moved[register.MoveNew] != movedBefore[register.MoveNew]+1 {
			t.Errorf("movement to today after adding a risk: %d new, was %d", moved[register.MoveNew], movedBefore[register.MoveNew])
		}
	})
}

// newRegisterCache is a register cache of a cache of its own: the tests pass
// the versions.
func newRegisterCache() *register.Cache {
	return register.NewCache(cache.New(func(context.Context) (int64, int64, error) { return 0, 0, nil }, false))
}
