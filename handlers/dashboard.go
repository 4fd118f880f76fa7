package handlers

import (
	"context"
	"net/http"

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
// one), cached or loaded and rendered. Its figures apart from the risks' are
// cached on their own at the version of the tables they read, which the
// register's writes leave alone (models.RiskTables): after a risk's quick
// action only the risks' few queries run again.
func (a *App) dashboardBody(ctx context.Context, version cache.Version) (*web.Body, error) {
	today := a.today()
	return a.caches.dashboard.Load(ctx, today.String(), version, func(ctx context.Context) (*web.Body, error) {
		s, err := a.settingsAt(ctx, version)
		if err != nil {
			return nil, err
		}
		rest, err := a.caches.dashboardRest.Load(ctx, today.String(), version, func(ctx context.Context) (*models.Dashboard, error) {
			return models.LoadDashboardApartFromRisks(ctx, a.db, s, today)
		})
		if err != nil {
			return nil, err
		}
		d, err := rest.WithRisks(ctx, a.db, s)
		if err != nil {
			return nil, err
		}
		return web.NewBody(ctx, pages.DashboardBody(pages.DashboardProps{D: d, Cur: s.Finance.ReportingCurrency, Risk: s.Risk}))
	})
}
