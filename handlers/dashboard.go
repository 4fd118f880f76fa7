package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"portfolio/models"
	"portfolio/views/layouts"
	"portfolio/views/pages"
	"portfolio/web"
)

// The dashboard's body (everything inside the document shell) is the same for
// every user on a day: the portfolio's figures, lists and heat map, shaped by
// the settings (fiscal year, reporting currency, risk bands), nothing of the
// user or their role. So it is rendered once and kept as HTML under the data
// version it was read at (models.DataVersion, moved by every committed write
// of a table it reads, whichever instance or process wrote): a request reads
// the version (one small query) and, while it is unchanged, draws the kept
// body into its own chrome (the user's name and role, their CSRF token, their
// flashes). A changed version, or a new day, loads and renders it again. The
// cache only saves work: an empty one, or another instance's, changes nothing
// a user sees.

// dashboardKey names a kept body: the database handle (two apps in one
// process may serve different databases) and the day it shows.
type dashboardKey struct {
	db    *gorm.DB
	today string
}

// dashboardBodies holds a body per database and day; a few entries cover a
// process with more than one handle (tests) and the days around midnight.
var dashboardBodies = models.NewVersionCache[dashboardKey, string](8)

// dashboardLoads are the loads in flight, one per key at most. A request that
// misses waits for the one in flight when that one read a version at least as
// new as its own (what it loads then includes every write this request could
// know of), rather than doing the same ~3 ms of work at once right after a
// write; otherwise it loads for itself. No request ever waits for a load
// older than its version, so none queues behind a chain of them.
var (
	dashboardLoadsMu sync.Mutex
	dashboardLoads   = map[dashboardKey]*dashboardLoad{}
)

// dashboardLoad is one load and render of a body, done when done is closed.
type dashboardLoad struct {
	version int64
	done    chan struct{}
	body    string
	err     error
}

// dashboard shows the portfolio at a glance. Route: dashboard (full page only).
func (a *App) dashboard(c echo.Context) error {
	version, err := a.DataVersion(c) // read by the user's load already: before the data, as it must be
	if err != nil {
		return err
	}
	body, err := a.dashboardBody(c.Request().Context(), version)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, layouts.Kept(web.Chrome(c, "Dashboard", "dashboard"), body), nil)
}

// dashboardBody is the dashboard's body at the data version (or a later
// one), kept or loaded and rendered.
func (a *App) dashboardBody(ctx context.Context, version int64) (string, error) {
	today := a.today()
	k := dashboardKey{a.db, today.String()}
	if body, ok := dashboardBodies.Get(k, version); ok {
		return body, nil
	}
	dashboardLoadsMu.Lock()
	if l := dashboardLoads[k]; l != nil && l.version >= version {
		dashboardLoadsMu.Unlock()
		select {
		case <-l.done:
			return l.body, l.err
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	l := &dashboardLoad{version: version, done: make(chan struct{}), err: errDashboardLoad}
	dashboardLoads[k] = l
	dashboardLoadsMu.Unlock()
	defer func() { // even when rendering panics: nobody waits for ever
		dashboardLoadsMu.Lock()
		if dashboardLoads[k] == l {
			delete(dashboardLoads, k)
		}
		dashboardLoadsMu.Unlock()
		close(l.done)
	}()
	// Others may wait for this load: one client going away must not fail theirs.
	l.body, l.err = a.renderDashboardBody(context.WithoutCancel(ctx), today)
	if l.err == nil {
		dashboardBodies.Put(k, version, l.body)
	}
	return l.body, l.err
}

// errDashboardLoad is what waiters get from a load that did not finish.
var errDashboardLoad = errors.New("dashboard: the load this request waited for failed")

// renderDashboardBody loads the dashboard and renders its body.
func (a *App) renderDashboardBody(ctx context.Context, today models.Date) (string, error) {
	s, err := models.LoadSettings(ctx, a.db)
	if err != nil {
		return "", err
	}
	d, err := models.LoadDashboard(ctx, a.db, s, today)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	sb.Grow(32 << 10)
	if err := pages.DashboardBody(pages.DashboardProps{D: d, Cur: s.Finance.ReportingCurrency, Risk: s.Risk}).Render(ctx, &sb); err != nil {
		return "", err
	}
	return sb.String(), nil
}
