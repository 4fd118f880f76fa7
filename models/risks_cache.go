package models

import (
	"context"
	"errors"
	"sync"
	"time"

	"gorm.io/gorm"
)

// RegisterCache keeps what the live register derives from a filter — its tally
// (the count and both heat maps) and the ends of its pages in a sort order —
// each under the data version read before it was loaded (data_version.go), so
// that the pages of one filter share one tally and a page by number is a seek.
// An entry of another version is never served: a write through any instance
// moves the version, and the next request reads the data again. The past (as
// at a day) and movement are not kept. Safe for concurrent use; a nil
// *RegisterCache keeps nothing.
type RegisterCache struct {
	tallies *VersionCache[registerKey, RiskTally]
	ends    *VersionCache[registerKey, pageIndex]
	asked   *VersionCache[registerKey, bool]           // a page by number was asked for at the version
	moves   *VersionCache[registerKey, map[string]int] // movement counts
	past    *VersionCache[registerKey, pageIndex]      // the order of a filter as at a past day: its ids (1–2 MB at 250,000 risks)

	mu      sync.Mutex
	reading map[endsRead]*endsCall // page ends being read, so that a burst of requests reads them once
}

// registerKey is a filter with what decides its rows besides the data: the
// database handle (one cache may serve several: each has its own versions;
// a kept key keeps its handle alive, so no other can take its address), the
// day (overdue reviews) and the band and appetite thresholds (settings are
// data too, but callers may pass others).
type registerKey struct {
	db       *gorm.DB
	f        RiskFilter
	today    string
	settings [4]int
}

type endsRead struct {
	k       registerKey
	version int64
}

type endsCall struct {
	done chan struct{}
	ends pageIndex
	err  error
}

// NewRegisterCache makes an empty cache of the tallies of up to 64 filters and
// the page ends of up to 32 filters and orders.
func NewRegisterCache() *RegisterCache {
	return &RegisterCache{tallies: NewVersionCache[registerKey, RiskTally](64),
		ends: NewVersionCache[registerKey, pageIndex](32), asked: NewVersionCache[registerKey, bool](64),
		moves: NewVersionCache[registerKey, map[string]int](32), past: NewVersionCache[registerKey, pageIndex](8),
		reading: map[endsRead]*endsCall{}}
}

func (c *RegisterCache) key(db *gorm.DB, f RiskFilter, s RiskSettings, today Date) registerKey {
	f.Page, f.After, f.Before = 0, 0, 0
	return registerKey{db: db, f: f, today: today.String(), settings: [4]int{s.LowMax, s.MediumMax, s.HighMax, s.Appetite}}
}

// cached reports whether f's results may be kept, and at which version: the
// live register at the data version; the register as at a day that has ended
// for good (pastVersion), or at the data version when it reads today's
// engagements or users too (pastOnly); as at a day not ended, not at all.
func (c *RegisterCache) cached(db *gorm.DB, f RiskFilter, version int64) (int64, bool) {
	switch {
	case c == nil:
		return 0, false
	case f.AsAt.IsZero():
		return version, f.MovedSince.IsZero()
	case !isPast(db, f.AsAt):
		return 0, false
	case pastOnly(f): // with what moved since an earlier day, or not
		return pastVersion, true
	}
	return version, true // as at a day: kept at the data version
}

// pastOnly reports whether what f selects as at a day, and its order, depend
// on the history alone, and so may be kept for good once the day is past:
// not when it filters by vendor or sorts by engagement or owner, which read
// the engagements and users as they are now.
func pastOnly(f RiskFilter) bool {
	return f.VendorID == 0 && f.Sort != "engagement" && f.Sort != "owner"
}

// pastVersion is the version under which what is kept of the register as at a
// past day lives: no write can change it. The state of a risk at the end of a
// day is its state now with every change made since rolled back
// (risks_asat.go), and every write from now on is made after that day's end,
// recording in its change what it rolls back. Names and codes of the
// engagements and owners shown beside the risks are read afresh (pastOnly).
// This assumes that history is only ever written as it happens: a scale seed
// loaded into the database of a running server (which writes the past) is
// not seen by what that server keeps of the past until it restarts.
const pastVersion = -1

// isPast reports whether day d (UTC) ended an hour ago or more on the app's
// clock (NowOf): the hour covers the clocks of other instances writing to
// the same database running a little behind.
func isPast(db *gorm.DB, d Date) bool { return !EndOfDay(d).Add(time.Hour).After(NowOf(db)) }

// Tally is TallyRisks, kept per filter at the data version read before it
// (for good, as at a past day).
func (c *RegisterCache) Tally(ctx context.Context, db *gorm.DB, version int64, s RiskSettings, today Date, f RiskFilter) (RiskTally, error) {
	version, ok := c.cached(db, f, version)
	if !ok {
		return TallyRisks(ctx, db, s, today, f)
	}
	f.Sort, f.Dir, f.PerPage = "", "", 0
	return c.tallies.GetOr(c.key(db, f, s, today), version, func() (RiskTally, error) { return TallyRisks(ctx, db, s, today, f) })
}

// MovementCounts is models.MovementCounts, kept at the data version read
// before it, or for good when the day it runs to is past.
func (c *RegisterCache) MovementCounts(ctx context.Context, db *gorm.DB, version int64, from, to Date, f RiskFilter) (map[string]int, error) {
	if c == nil {
		return MovementCounts(ctx, db, from, to, f)
	}
	sc := movementScope(f, to)
	sc.MovedSince = from
	if isPast(db, to) && pastOnly(sc) {
		version = pastVersion
	}
	return c.moves.GetOr(registerKey{db: db, f: sc}, version, func() (map[string]int, error) { return MovementCounts(ctx, db, from, to, f) })
}

// Page is PageRisks, but a page by number deep in the register (or any page
// after the first once they are read) seeks from the end of the page before
// it, the ends of every page of f in its order being read once per data version. They are read at the second page by number of f
// at a version, not the first: reading them walks the whole order, about
// twice what counting to the middle page from the nearer end does, which pays
// only when more pages are asked for before the next write.
func (c *RegisterCache) Page(ctx context.Context, db *gorm.DB, version int64, s RiskSettings, today Date, f RiskFilter, total int64) (RiskPage, error) {
	version, ok := c.cached(db, f, version)
	if !ok || (version == pastVersion && f.PerPage == 0) {
		return PageRisks(ctx, db, s, today, f, total)
	}
	k := c.key(db, f, s, today)
	if version == pastVersion {
		// The first page of a past day's register reads itself (the replay
		// sorted to its top 50); from the second page on of the same filter
		// the order of all of it is read once and kept, and every page is a
		// slice of it (asAtPage). A first page alone, as a search typed
		// letter by letter asks for, never reads the whole order.
		x, ok := c.past.Get(k, version)
		if !ok {
			if _, again := c.asked.Get(k, version); !again {
				c.asked.Put(k, version, true)
				return PageRisks(ctx, db, s, today, f, total)
			}
			var err error
			if x, err = c.readEnds(c.past, endsRead{k, version}, f.asAtOrderRead(db, s, today)); err != nil {
				return RiskPage{}, err
			}
		}
		return f.asAtPage(db.WithContext(ctx), x.ids, total)
	}
	ends := func(db *gorm.DB, segs []keySegment, desc, scan, kept bool) (pageIndex, error) {
		if e, ok := c.ends.Get(k, version); ok || kept {
			return e, nil
		}
		if _, again := c.asked.Get(k, version); !again {
			c.asked.Put(k, version, true)
			return pageIndex{}, nil // count from the nearer end this time
		}
		return c.readEnds(c.ends, endsRead{k, version}, func() (pageIndex, error) {
			// Read for every waiting request: none of them may cancel it.
			db := db.WithContext(context.WithoutCancel(db.Statement.Context))
			return f.readPageIndex(db, s, today, segs, desc, scan, total)
		})
	}
	return pageRisks(ctx, db, s, today, f, total, ends)
}

// readEnds reads the page ends of r once however many requests ask at the same
// time, and keeps them in into.
func (c *RegisterCache) readEnds(into *VersionCache[registerKey, pageIndex], r endsRead, read func() (pageIndex, error)) (pageIndex, error) {
	c.mu.Lock()
	if call, ok := c.reading[r]; ok {
		c.mu.Unlock()
		<-call.done
		return call.ends, call.err
	}
	call := &endsCall{done: make(chan struct{}), err: errEndsUnread}
	c.reading[r] = call
	c.mu.Unlock()
	defer func() { // even when read panics: nobody waits for ever
		c.mu.Lock()
		delete(c.reading, r)
		c.mu.Unlock()
		close(call.done)
	}()
	call.ends, call.err = read()
	if call.err == nil {
		into.Put(r.k, r.version, call.ends)
	}
	return call.ends, call.err
}

var errEndsUnread = errors.New("register: the page ends were not read")
