package pages

import (
	"context"
	"strings"
	"sync"

	"github.com/a-h/templ"

	"portfolio/views/components"
)

// Markup the register draws again and again from the same few inputs, drawn
// once and kept: a page of 50 rows has a hundred band badges and fifty status
// labels of a few dozen kinds, and its two heat maps are the same on every
// page of a filter and for every user until a count changes. What is kept is
// a pure function of its key (the key holds every input), so it is never
// stale; each kind of markup keeps at most keptMax entries.

// keptMax bounds each kind of kept markup; a full one starts again empty.
const keptMax = 256

// keptMarkup is markup by key, safe for concurrent use.
type keptMarkup[K comparable] struct {
	mu sync.RWMutex
	m  map[K]string
}

// kept returns the markup of draw() kept under k, drawing it the first time.
func kept[K comparable](km *keptMarkup[K], k K, draw func() templ.Component) templ.Component {
	km.mu.RLock()
	h, ok := km.m[k]
	km.mu.RUnlock()
	if ok {
		return templ.Raw(h)
	}
	c := draw()
	var sb strings.Builder
	if err := c.Render(context.Background(), &sb); err != nil {
		return c // drawn again where it is used, which reports the error
	}
	km.mu.Lock()
	if km.m == nil || len(km.m) >= keptMax {
		km.m = map[K]string{}
	}
	km.m[k] = sb.String()
	km.mu.Unlock()
	return templ.Raw(sb.String())
}

type badgeKey struct {
	score int
	band  string
}

var (
	bandBadges   keptMarkup[badgeKey]
	statusBadges keptMarkup[string]
	heatMaps     keptMarkup[heatMapsKey]
)

// bandBadge is components.BandBadge(score, band), kept.
func bandBadge(score int, band string) templ.Component {
	return kept(&bandBadges, badgeKey{score, band}, func() templ.Component { return components.BandBadge(score, band) })
}

// heatMapsKey is everything the register's heat maps are drawn from: the
// query their cells link to (without the page), both maps' counts, and the
// band limits that colour the cells.
type heatMapsKey struct {
	query              string
	inherent, residual [5][5]int
	bands              [3]int
}

// heatMaps are registerHeatMaps(p), kept.
func (p RisksProps) heatMaps() templ.Component {
	k := heatMapsKey{p.Query.WithAll(), p.Inherent, p.Residual, [3]int{p.Risk.LowMax, p.Risk.MediumMax, p.Risk.HighMax}}
	return kept(&heatMaps, k, func() templ.Component { return registerHeatMaps(p) })
}
