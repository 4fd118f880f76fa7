package handlers

// The portfolio's review pack cached rendered, in parts, and built ahead.

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/models/cache"
	"portfolio/models/pack"
	"portfolio/views/pages"
	"portfolio/web"
)

// packPartSize is how many engagements' sections a part of a large
// portfolio's pack shows (?part=N); ?part=all shows the whole pack, to print.
// A variable for the tests.
var packPartSize = 50

// packListCap is how many rows each portfolio-wide list shows in a part:
// 18,000 actions are no reading for a board; each engagement's section lists
// its own in full. A variable for the tests.
var packListCap = 50

// packPart is the part of the pack a request shows: the whole pack when it
// has at most packPartSize engagements, for one engagement, or for
// ?part=all; else part N of the engagements' sections (the first also has the
// portfolio's), with the portfolio-wide lists cut to packListCap rows. A part
// out of range shows the nearest. The cached pack is shared, so a part is a
// shallow copy.
func packPart(pk *pack.Pack, only uint, param string) (*pack.Pack, pages.PackPart) {
	n := len(pk.Engagements)
	if only != 0 || n <= packPartSize || param == "all" {
		return pk, pages.PackPart{Part: 1, Parts: 1, From: min(1, n), To: n, Total: n, All: n > packPartSize && only == 0}
	}
	parts := (n + packPartSize - 1) / packPartSize
	part, err := strconv.Atoi(param)
	if err != nil || part < 1 {
		part = 1
	}
	part = min(part, parts)
	lo := (part - 1) * packPartSize
	view := *pk
	view.Engagements = pk.Engagements[lo:min(lo+packPartSize, n)]
	pp := pages.PackPart{Part: part, Parts: parts, From: lo + 1, To: lo + len(view.Engagements), Total: n, Cut: map[string]int{}}
	cut := func(name string, total int) int {
		if total <= packListCap {
			return total
		}
		pp.Cut[name] = total
		return packListCap
	}
	view.SLA.Breaches = view.SLA.Breaches[:cut("breaches", len(view.SLA.Breaches))]
	view.Transfers = view.Transfers[:cut("transfers", len(view.Transfers))]
	view.Lessons = view.Lessons[:cut("lessons", len(view.Lessons))]
	view.Meetings = view.Meetings[:cut("meeting decisions", len(view.Meetings))]
	view.Decisions = view.Decisions[:cut("decisions", len(view.Decisions))]
	view.Actions = view.Actions[:cut("actions", len(view.Actions))]
	view.Status = cutStatus(view.Status, cut("engagements in the status on a page", statusRows(view.Status)))
	if pk.Trends != nil { // a copy: the cached pack is shared
		t := *pk.Trends
		t.Readiness = t.Readiness[:cut("BOT engagements' readiness trends", len(t.Readiness))]
		view.Trends = &t
	}
	if pk.Partnerships != nil { // a copy: the cached pack is shared
		ps := *pk.Partnerships
		ps.Notices = ps.Notices[:cut("notice deadlines", len(ps.Notices))]
		ps.Cooled = ps.Cooled[:cut("partnerships that cooled", len(ps.Cooled))]
		ps.Obligations = ps.Obligations[:cut("obligations late", len(ps.Obligations))]
		view.Partnerships = &ps
	}
	return &view, pp
}

// statusRows counts the rows of the status on a page.
func statusRows(gs []pack.StatusGroup) int {
	n := 0
	for _, g := range gs {
		n += len(g.Rows)
	}
	return n
}

// cutStatus keeps the first n rows of the status on a page, in its order
// (a copy: the cached pack is shared).
func cutStatus(gs []pack.StatusGroup, n int) []pack.StatusGroup {
	if statusRows(gs) <= n {
		return gs
	}
	var out []pack.StatusGroup
	for _, g := range gs {
		if n == 0 {
			break
		}
		g.Rows = g.Rows[:min(n, len(g.Rows))]
		n -= len(g.Rows)
		out = append(out, g)
	}
	return out
}

// renderedPack is a portfolio pack rendered, part by part: the same for everyone,
// cached compressed (web.Body). The pack itself is not cached: a large
// portfolio's sections are tens of megabytes of small objects, which every
// garbage collection would walk (risk writes' p99 under load rose by half
// while one was); their rendering is bytes, which it skips.
type renderedPack struct {
	head        *pack.Pack  // the quarter, its production day and whether it is published
	parts       []*web.Body // each part's article
	engagements int         // how many engagement sections it has
}

// packKey names a cached portfolio pack: the quarter and the day it was
// produced on.
type packKey struct {
	quarter string
	today   string
}

// cachedPortfolioPack is the quarter's portfolio pack rendered, cached or built.
func (a *App) cachedPortfolioPack(c echo.Context, s models.Settings, q models.Quarter) (*renderedPack, error) {
	version, err := a.DataVersion(c)
	if err != nil {
		return nil, err
	}
	return a.portfolioPack(c.Request().Context(), s, q, version, nil)
}

// portfolioPack is the quarter's portfolio pack rendered, cached at the data
// version (read before s) or built: for a request (yield nil) at full speed,
// or ahead, giving way to requests between its steps and parts (yield).
func (a *App) portfolioPack(ctx context.Context, s models.Settings, q models.Quarter, version cache.Version, yield models.Yield) (*renderedPack, error) {
	today := a.today()
	key := packKey{q.String(), today.String()}
	if yield == nil {
		// A request that joins a build ahead waits for it: from now on that
		// build no longer gives way (aheadYield).
		a.packAhead.asked.Store(true)
	}
	return a.caches.packs.Load(ctx, key, version, func(ctx context.Context) (*renderedPack, error) {
		pk, err := a.loadPack(ctx, s, q, 0, today, yield)
		if err != nil {
			return nil, err
		}
		kp := &renderedPack{head: &pack.Pack{Quarter: pk.Quarter, ProducedOn: pk.ProducedOn, Published: pk.Published}, engagements: len(pk.Engagements)}
		for n := 1; ; n++ {
			if n%partsPerYield == 0 {
				if err := yield.Wait(ctx); err != nil {
					return nil, err
				}
			}
			view, part := packPart(pk, 0, strconv.Itoa(n))
			body, err := web.NewBody(ctx, pages.ReviewArticle(pages.ReviewProps{P: view, Part: part, Risk: s.Risk}))
			if err != nil {
				return nil, err
			}
			kp.parts = append(kp.parts, body)
			if n >= part.Parts {
				break
			}
		}
		return kp, nil
	})
}

// partsPerYield is how many parts of the pack a build ahead renders between
// two yields: each part is little work, and a yield under load is a wait (a
// variable for the tests).
var partsPerYield = 5

// packAhead is what building the review pack ahead shares with requests.
type packAhead struct {
	// asked is set when a request asks for the portfolio pack: a build ahead
	// under way then finishes at full speed, as someone is waiting for it.
	asked atomic.Bool
}

// packAheadEvery is how often BuildReviewPackAhead looks at the data version
// (a variable for the tests).
var packAheadEvery = 10 * time.Second

// packBuiltAhead is what BuildReviewPackAhead logs, with how long the build
// took ("took"), each time it has built the pack: the load harness reads it
// for when the build ran (cmd/portfolio-load/startup.go).
const packBuiltAhead = "built the review pack ahead"

// BuildReviewPackAhead builds the last ended quarter's review pack ahead
// (WarmReviewPack) whenever the data version has not moved for a whole
// interval, until ctx ends: so the pack is ready when the data is quiet, and
// no build competes with a burst of writes, which would make it stale at
// once. The server runs it in the background from its start; the build is
// one of its background jobs (web.Server.RunBackground).
func (a *App) BuildReviewPackAhead(ctx context.Context) {
	t := time.NewTicker(packAheadEvery)
	defer t.Stop()
	last := int64(-1)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		v, err := models.DataVersion(ctx, a.db)
		if err != nil {
			continue
		}
		if v == last {
			a.RunBackground(func() {
				start := a.Now()
				built, err := a.warmSafely(ctx)
				switch {
				case err != nil && ctx.Err() == nil:
					a.Log().Error("building the review pack ahead failed", "err", err)
				case built:
					a.Log().Info(packBuiltAhead, "took", a.Now().Sub(start).Round(time.Millisecond))
				}
			})
		}
		last = v
	}
}

// warmSafely is WarmReviewPack with a panic made its error: the build runs in
// the server's own goroutine, where a panic would stop the server.
func (a *App) warmSafely(ctx context.Context) (built bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			built, err = false, fmt.Errorf("panic: %v", p)
		}
	}()
	return a.WarmReviewPack(ctx)
}

// WarmReviewPack builds and caches the last ended quarter's portfolio pack
// at the data version, unless it is cached already, and reports whether it
// built it, so that the first executive to open the pack does not wait for
// it. The build gives way to requests (aheadYield); ctx ending stops it.
func (a *App) WarmReviewPack(ctx context.Context) (bool, error) {
	cached, version, s, q, err := a.lastPackCached(ctx)
	if err != nil || cached {
		return false, err
	}
	a.packAhead.asked.Store(false)
	_, err = a.portfolioPack(ctx, s, q, version, a.aheadYield(ctx))
	return err == nil, err
}

// aheadYield is how a build ahead gives way: the server's Yield, with the
// build's own context (the cache runs a load without its caller's
// cancellation), until a request asks for the pack and waits for this build.
func (a *App) aheadYield(ctx context.Context) models.Yield {
	return func(context.Context) error {
		if a.packAhead.asked.Load() {
			return nil
		}
		return a.yield(ctx)
	}
}

// ReviewPackCached reports whether the last ended quarter's portfolio pack is
// cached at the data version.
func (a *App) ReviewPackCached(ctx context.Context) (bool, error) {
	cached, _, _, _, err := a.lastPackCached(ctx)
	return cached, err
}

// lastPackCached reads the data version, then the settings and the last ended
// quarter, and whether that quarter's pack is cached at the version.
func (a *App) lastPackCached(ctx context.Context) (bool, cache.Version, models.Settings, models.Quarter, error) {
	version, err := a.Cache().Version(ctx)
	if err != nil {
		return false, version, models.Settings{}, models.Quarter{}, err
	}
	s, err := models.LoadSettings(ctx, a.db)
	if err != nil {
		return false, version, s, models.Quarter{}, err
	}
	today := a.today()
	q := s.Fiscal().LastComplete(today)
	_, cached := a.caches.packs.Get(packKey{q.String(), today.String()}, version)
	return cached, version, s, q, nil
}
