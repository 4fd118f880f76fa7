package handlers

// The portfolio's review pack kept drawn, in parts.

import (
	"context"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/models/cache"
	"portfolio/models/pack"
	"portfolio/views/pages"
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
// out of range shows the nearest. The kept pack is shared, so a part is a
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
	view.Decisions = view.Decisions[:cut("decisions", len(view.Decisions))]
	view.Actions = view.Actions[:cut("actions", len(view.Actions))]
	return &view, pp
}

// keptPack is a portfolio pack rendered, part by part: the same for everyone,
// cached as text. The pack itself is not cached: a large portfolio's sections
// are tens of megabytes of small objects, which every garbage collection
// would walk (risk writes' p99 under load rose by half while one was); their
// rendering is text, which it skips.
type keptPack struct {
	head        *pack.Pack // the quarter, its production day and whether it is published
	parts       []string   // each part's article
	engagements int        // how many engagement sections it has
}

// packKey names a cached portfolio pack: the quarter and the day it was
// produced on.
type packKey struct {
	quarter string
	today   string
}

// keptPortfolioPack is the quarter's portfolio pack drawn, kept or built.
func (a *App) keptPortfolioPack(c echo.Context, s models.Settings, q models.Quarter) (*keptPack, error) {
	version, err := a.DataVersion(c)
	if err != nil {
		return nil, err
	}
	return a.portfolioPack(c.Request().Context(), s, q, version)
}

// portfolioPack is the quarter's portfolio pack drawn, kept at the data
// version (read before s) or built.
func (a *App) portfolioPack(ctx context.Context, s models.Settings, q models.Quarter, version cache.Version) (*keptPack, error) {
	today := a.today()
	key := packKey{q.String(), today.String()}
	return a.caches.packs.Load(ctx, key, version, func(ctx context.Context) (*keptPack, error) {
		pk, err := a.loadPack(ctx, s, q, 0, today)
		if err != nil {
			return nil, err
		}
		kp := &keptPack{head: &pack.Pack{Quarter: pk.Quarter, ProducedOn: pk.ProducedOn, Published: pk.Published}, engagements: len(pk.Engagements)}
		var sb strings.Builder
		for n := 1; ; n++ {
			view, part := packPart(pk, 0, strconv.Itoa(n))
			sb.Reset()
			if err := pages.ReviewArticle(pages.ReviewProps{P: view, Part: part, Risk: s.Risk}).Render(ctx, &sb); err != nil {
				return nil, err
			}
			kp.parts = append(kp.parts, sb.String())
			if n >= part.Parts {
				break
			}
		}
		return kp, nil
	})
}

// WarmReviewPack builds and keeps the last ended quarter's portfolio pack at
// the data version, unless it is kept already, and reports whether it built
// it: the server runs it once the data has been quiet a while, so that the
// first executive to open the pack does not wait for it (3 s at 10,000
// engagements).
func (a *App) WarmReviewPack(ctx context.Context) (bool, error) {
	kept, version, s, q, err := a.lastPackKept(ctx)
	if err != nil || kept {
		return false, err
	}
	_, err = a.portfolioPack(ctx, s, q, version)
	return err == nil, err
}

// ReviewPackKept reports whether the last ended quarter's portfolio pack is
// kept at the data version.
func (a *App) ReviewPackKept(ctx context.Context) (bool, error) {
	kept, _, _, _, err := a.lastPackKept(ctx)
	return kept, err
}

// lastPackKept reads the data version, then the settings and the last ended
// quarter, and whether that quarter's pack is kept at the version.
func (a *App) lastPackKept(ctx context.Context) (bool, cache.Version, models.Settings, models.Quarter, error) {
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
	_, kept := a.caches.packs.Get(packKey{q.String(), today.String()}, version)
	return kept, version, s, q, nil
}
