package pages

import (
	"context"
	"strings"
	"sync"

	"github.com/a-h/templ"

	"portfolio/views/components"
)

// Markup the register renders again and again from the same few inputs,
// rendered once and cached: a page of 50 rows has a hundred band badges and
// fifty status labels of a few dozen kinds, and its two heat maps are the same
// on every page of a filter and for every user until a count changes. What is
// cached is a pure function of its key (the key holds every input), so it is
// never stale; each kind of markup caches at most markupCacheMax entries.
// Rendering a page of the register from these takes about half the time of
// rendering every badge and cell (BenchmarkRiskRegisterRender).

// markupCacheMax bounds each kind of cached markup; a full one starts again empty.
const markupCacheMax = 256

// Markup holds the register's cached markup. The app makes one (a field of
// the handlers' caches) and passes it in RisksProps; a nil Markup renders
// everything afresh.
type Markup struct {
	bandBadges   markupCache[badgeKey]
	statusBadges markupCache[string]
	heatMaps     markupCache[heatMapsKey]
}

// NewMarkup makes an empty Markup.
func NewMarkup() *Markup { return &Markup{} }

// markupCache is markup by key, safe for concurrent use.
type markupCache[K comparable] struct {
	mu sync.RWMutex
	m  map[K]string
}

// cached returns the markup of render() cached under k, rendering it the
// first time (every time when m is nil).
func cached[K comparable](m *Markup, of func(*Markup) *markupCache[K], k K, render func() templ.Component) templ.Component {
	if m == nil {
		return render()
	}
	mc := of(m)
	mc.mu.RLock()
	h, ok := mc.m[k]
	mc.mu.RUnlock()
	if ok {
		return templ.Raw(h)
	}
	c := render()
	var sb strings.Builder
	if err := c.Render(context.Background(), &sb); err != nil {
		return c // rendered again where it is used, which reports the error
	}
	mc.mu.Lock()
	if mc.m == nil || len(mc.m) >= markupCacheMax {
		mc.m = map[K]string{}
	}
	mc.m[k] = sb.String()
	mc.mu.Unlock()
	return templ.Raw(sb.String())
}

type badgeKey struct {
	score int
	band  string
}

// bandBadge is components.BandBadge(score, band), cached in m.
func bandBadge(m *Markup, score int, band string) templ.Component {
	return cached(m, func(m *Markup) *markupCache[badgeKey] { return &m.bandBadges }, badgeKey{score, band},
		func() templ.Component { return components.BandBadge(score, band) })
}

// heatMapsKey is everything the register's heat maps are rendered from: the
// query their cells link to (without the page), both maps' counts, and the
// band limits that colour the cells.
type heatMapsKey struct {
	query              string
	inherent, residual [5][5]int
	bands              [3]int
}

// heatMaps are registerHeatMaps(p), cached.
func (p RisksProps) heatMaps() templ.Component {
	k := heatMapsKey{p.Query.WithAll(), p.Inherent, p.Residual, [3]int{p.Risk.LowMax, p.Risk.MediumMax, p.Risk.HighMax}}
	return cached(p.Markup, func(m *Markup) *markupCache[heatMapsKey] { return &m.heatMaps }, k,
		func() templ.Component { return registerHeatMaps(p) })
}
