package register

import (
	"context"
	"time"

	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/models/cache"
)

// Cache holds what the register derives from a filter — its tally
// (the count and both heat maps), the ends of its pages in a sort order and
// what moved since a day — each at the data version read before it was loaded,
// so that the pages of one filter share one tally and a page by number is a
// seek; and the order of the register as at a day that has ended, for good.
// Safe for concurrent use; a nil *Cache caches nothing.
type Cache struct {
	tallies *cache.Part[registerKey, RiskTally]
	ends    *cache.Part[registerKey, pageIndex]
	asked   *cache.Part[registerKey, bool]           // a page by number was asked for at the version
	moves   *cache.Part[registerKey, map[string]int] // movement counts
	past    *cache.Part[registerKey, pageIndex]      // the order of a filter as at a past day: its ids (1–2 MB at 250,000 risks)
}

// registerKey is a filter with what decides its rows besides the data: the
// day (overdue reviews) and the band and appetite thresholds (settings are
// data too, but callers may pass others).
type registerKey struct {
	f        RiskFilter
	today    string
	settings [4]int
}

// Reads are the tables the register's reads may touch, live or as at
// a day: the risks and their history, what the filters and sorts name, the
// settings and the snapshots of past days.
var Reads = []string{"risks", "risk_cells", "engagements", "engagement_managers", "vendors", "users",
	"changes", "risk_snapshots", "risk_snapshot_days", "mitigation_actions", "settings"}

// NewCache adds the register's parts to c: the tallies of up to 64
// filters, the page ends of up to 32 filters and orders, the movement of 32
// and the order of 8 filters as at a past day.
func NewCache(c *cache.Cache) *Cache {
	return &Cache{
		tallies: cache.NewPart[registerKey, RiskTally](c, "register tallies", 64, Reads...),
		ends:    cache.NewPart[registerKey, pageIndex](c, "register page ends", 32, Reads...),
		asked:   cache.NewPart[registerKey, bool](c, "register pages asked for", 64),
		moves:   cache.NewPart[registerKey, map[string]int](c, "register movement", 32, Reads...),
		past:    cache.NewPart[registerKey, pageIndex](c, "register as at a past day", 8, Reads...),
	}
}

func (c *Cache) key(f RiskFilter, s models.RiskSettings, today models.Date) registerKey {
	f.Page, f.After, f.Before = 0, 0, 0
	return registerKey{f: f, today: today.String(), settings: [4]int{s.LowMax, s.MediumMax, s.HighMax, s.Appetite}}
}

// cached reports whether f's results may be cached, and at which version: the
// live register at the data version; the register as at a day that has ended
// for good (cache.Forever: see pastForever), or at the data version when it
// reads today's engagements or users too (pastOnly); as at a day not ended,
// not at all.
func (c *Cache) cached(db *gorm.DB, f RiskFilter, version cache.Version) (cache.Version, bool) {
	switch {
	case c == nil:
		return version, false
	case f.AsAt.IsZero():
		return version, f.MovedSince.IsZero()
	case !isPast(db, f.AsAt):
		return version, false
	case pastOnly(f): // with what moved since an earlier day, or not
		return cache.Forever, true
	}
	return version, true // as at a day: cached at the data version
}

// pastOnly reports whether what f selects as at a day, and its order, depend
// on the history alone, and so may be cached for good once the day is past:
// not when it filters by vendor or sorts by engagement or owner, which read
// the engagements and users as they are now.
func pastOnly(f RiskFilter) bool {
	return f.VendorID == 0 && f.Sort != "engagement" && f.Sort != "owner"
}

// What is cached of the register as at a past day is cached Forever: no write
// can change it. The state of a risk at the end of a
// day is its state now with every change made since rolled back
// (asat.go), and every write from now on is made after that day's end,
// recording in its change what it rolls back. Names and codes of the
// engagements and owners shown beside the risks are read afresh (pastOnly).
// This assumes that history is only ever written as it happens: a scale seed
// loaded into the database of a running server (which writes the past) is
// not seen by what that server caches of the past until it restarts.

// isPast reports whether day d (UTC) ended an hour ago or more on the app's
// clock (NowOf): the hour covers the clocks of other instances writing to
// the same database running a little behind.
func isPast(db *gorm.DB, d models.Date) bool {
	return !EndOfDay(d).Add(time.Hour).After(models.NowOf(db))
}

// Tally is TallyRisks, cached per filter at the data version read before it
// (for good, as at a past day).
func (c *Cache) Tally(ctx context.Context, db *gorm.DB, version cache.Version, s models.RiskSettings, today models.Date, f RiskFilter) (RiskTally, error) {
	version, ok := c.cached(db, f, version)
	if !ok {
		return TallyRisks(ctx, db, s, today, f)
	}
	f.Sort, f.Dir, f.PerPage = "", "", 0
	return c.tallies.Load(ctx, c.key(f, s, today), version, func(ctx context.Context) (RiskTally, error) { return TallyRisks(ctx, db, s, today, f) })
}

// MovementCounts is models.MovementCounts, cached at the data version read
// before it, or for good when the day it runs to is past.
func (c *Cache) MovementCounts(ctx context.Context, db *gorm.DB, version cache.Version, from, to models.Date, f RiskFilter) (map[string]int, error) {
	if c == nil {
		return MovementCounts(ctx, db, from, to, f)
	}
	sc := movementScope(f, to)
	sc.MovedSince = from
	if isPast(db, to) && pastOnly(sc) {
		version = cache.Forever
	}
	return c.moves.Load(ctx, registerKey{f: sc}, version, func(ctx context.Context) (map[string]int, error) { return MovementCounts(ctx, db, from, to, f) })
}

// Page is PageRisks, but a page by number deep in the register (or any page
// after the first once they are read) seeks from the end of the page before
// it, the ends of every page of f in its order being read once per data version. They are read at the second page by number of f
// at a version, not the first: reading them walks the whole order, about
// twice what counting to the middle page from the nearer end does, which pays
// only when more pages are asked for before the next write.
func (c *Cache) Page(ctx context.Context, db *gorm.DB, version cache.Version, s models.RiskSettings, today models.Date, f RiskFilter, total int64) (RiskPage, error) {
	version, ok := c.cached(db, f, version)
	if !ok || (version == cache.Forever && f.PerPage == 0) {
		return PageRisks(ctx, db, s, today, f, total)
	}
	k := c.key(f, s, today)
	if version == cache.Forever {
		// The first page of a past day's register reads itself (the replay
		// sorted to its top 50); from the second page on of the same filter
		// the order of all of it is read once and cached, and every page is a
		// slice of it (asAtPage). A first page alone, as a search typed
		// letter by letter asks for, never reads the whole order.
		x, ok := c.past.Get(k, version)
		if !ok {
			if _, again := c.asked.Get(k, version); !again {
				c.asked.Put(k, version, true)
				return PageRisks(ctx, db, s, today, f, total)
			}
			var err error
			if x, err = c.past.Load(ctx, k, version, f.asAtOrderRead(db, s, today)); err != nil {
				return RiskPage{}, err
			}
		}
		return f.asAtPage(db.WithContext(ctx), x.ids, total)
	}
	ends := func(db *gorm.DB, segs []keySegment, desc, scan, cachedOnly bool) (pageIndex, error) {
		if e, ok := c.ends.Get(k, version); ok || cachedOnly {
			return e, nil
		}
		if _, again := c.asked.Get(k, version); !again {
			c.asked.Put(k, version, true)
			return pageIndex{}, nil // count from the nearer end this time
		}
		return c.ends.Load(db.Statement.Context, k, version, func(ctx context.Context) (pageIndex, error) {
			return f.readPageIndex(db.WithContext(ctx), s, today, segs, desc, scan, total)
		})
	}
	return pageRisks(ctx, db, s, today, f, total, ends)
}
