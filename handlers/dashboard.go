package handlers

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"portfolio/models"
	"portfolio/models/cache"
	"portfolio/views/pages"
	"portfolio/web"
)

// The dashboard's body (everything inside the document shell) is the same for
// every user on a day: the portfolio's figures, lists and heat map, shaped by
// the settings (fiscal year, reporting currency, risk bands), nothing of the
// user or their role. So it is rendered once and cached at the data version
// (caches.go), and each request renders it into its own chrome (the user's name
// and role, their CSRF token, their flashes).

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
	return web.RenderBody(c, http.StatusOK, web.Chrome(c, "Dashboard", "dashboard"), body, false)
}

// dashboardBody is the dashboard's body at the data version (or a later
// one), cached or loaded and rendered.
func (a *App) dashboardBody(ctx context.Context, version cache.Version) (*web.Body, error) {
	today := a.today()
	return a.caches.dashboard.Load(ctx, today.String(), version, func(ctx context.Context) (*web.Body, error) {
		html, err := a.renderDashboardBody(ctx, today)
		return web.NewBody(html), err
	})
}

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
